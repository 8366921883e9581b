#!/usr/bin/env node
import { HttpServerError } from "@effect/platform"
import { NodeRuntime } from "@effect/platform-node"
import { Cause, ConfigError, Console, Effect, Layer, Option } from "effect"
import { AppConfig, formatConfigError } from "./config/AppConfig.js"
import * as Cli from "./config/Cli.js"
import * as Demo from "./sandbox/Demo.js"
import { LiteLlm } from "./litellm/LiteLlm.js"
import * as Logging from "./observability/Logging.js"
import * as Stdio from "./mcp/Stdio.js"
import { ToolPolicy } from "./mcp/ToolPolicy.js"
import * as Tracing from "./observability/Tracing.js"
import { HttpLive, nodeServer } from "./http/Http.js"

const ServerLive = Layer.unwrapEffect(Effect.map(AppConfig, (config) => nodeServer({ port: config.port, host: config.host })))

const MainLive = HttpLive.pipe(
  Layer.provide(ServerLive),
  Layer.provide(Layer.merge(Logging.layer({ stderr: false }), Tracing.layer)),
  Layer.provide(AppConfig.Default)
)

// A misconfigured start must say what to fix in one line, not print a fiber trace; on stderr,
// which in --stdio mode is the only place besides protocol messages.
const reportFailure = (cause: Cause.Cause<unknown>) =>
  Option.match(Cause.failureOption(cause), {
    onNone: () =>
      Cause.isInterruptedOnly(cause) ? Effect.void : Console.error(`litellm-admin-mcp stopped: ${Cause.pretty(cause)}`),
    onSome: (error) =>
      ConfigError.isConfigError(error)
        ? Console.error(`litellm-admin-mcp: invalid configuration: ${formatConfigError(error)}`)
        : error instanceof Stdio.StdioClosed
        ? Console.error(`litellm-admin-mcp stopped: ${error.message}`)
        : error instanceof HttpServerError.ServeError
        ? Console.error(`litellm-admin-mcp: cannot listen: ${String((error.cause as Error | undefined)?.message ?? error.cause)}`)
        : Console.error(`litellm-admin-mcp stopped: ${Cause.pretty(cause)}`)
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
  case "Serve": {
    const program: Effect.Effect<unknown, unknown> = command.mode === "demo"
      ? Demo.run(MainLive)
      : command.mode === "stdio"
      // Logs go to stderr here, startup failures included: stdout carries only protocol messages.
      ? Stdio.serve.pipe(
        Effect.provide(Layer.mergeAll(LiteLlm.Live, ToolPolicy.Default, Logging.layer({ stderr: true }), Tracing.layer).pipe(
          Layer.provideMerge(AppConfig.Default)
        ))
      )
      : Layer.launch(MainLive)
    NodeRuntime.runMain(
      program.pipe(Effect.tapErrorCause(reportFailure), Effect.withConfigProvider(command.configProvider)),
      { disableErrorReporting: true, disablePrettyLogger: true }
    )
  }
}
