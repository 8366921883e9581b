#!/usr/bin/env node
import { HttpServerError } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Cause, ConfigError, Console, Effect, Layer, Option } from "effect"
import { createServer } from "node:http"
import { AppConfig, formatConfigError } from "./AppConfig.js"
import * as Cli from "./Cli.js"
import * as Logging from "./Logging.js"
import { HttpLive } from "./Http.js"

const ServerLive = Layer.unwrapEffect(
  Effect.map(AppConfig, (config) => NodeHttpServer.layer(createServer, { port: config.port, host: config.host }))
)

const MainLive = HttpLive.pipe(
  Layer.provide(ServerLive),
  Layer.provide(Logging.layer({ stderr: false })),
  Layer.provide(AppConfig.Default)
)

// A misconfigured start must say what to fix in one line, not print a fiber trace.
const reportStartupFailure = (cause: Cause.Cause<unknown>) =>
  Option.match(Cause.failureOption(cause), {
    onNone: () => Effect.logError("litellm-admin-mcp stopped", cause),
    onSome: (error) =>
      ConfigError.isConfigError(error)
        ? Console.error(`litellm-admin-mcp: invalid configuration: ${formatConfigError(error)}`)
        : error instanceof HttpServerError.ServeError
        ? Console.error(`litellm-admin-mcp: cannot listen: ${String((error.cause as Error | undefined)?.message ?? error.cause)}`)
        : Effect.logError("litellm-admin-mcp stopped", cause)
  })

const command = Cli.parse(process.argv.slice(2), process.env)
switch (command._tag) {
  case "Print":
    process.stdout.write(command.text)
    break
  case "Invalid":
    process.stderr.write(`litellm-admin-mcp: ${command.message}\nTry litellm-admin-mcp --help.\n`)
    process.exitCode = 2
    break
  case "Serve":
    NodeRuntime.runMain(
      Layer.launch(MainLive).pipe(
        Effect.tapErrorCause(reportStartupFailure),
        Effect.withConfigProvider(command.configProvider)
      ),
      { disableErrorReporting: true, disablePrettyLogger: true }
    )
}
