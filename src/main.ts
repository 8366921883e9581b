#!/usr/bin/env node
import { HttpServerError } from "@effect/platform"
import { NodeRuntime } from "@effect/platform-node"
import { Cause, ConfigError, Console, Effect, Layer, Option } from "effect"
import { formatConfigError } from "./config/AppConfig.js"
import * as Cli from "./config/Cli.js"
import { HttpLive } from "./http/Http.js"
import * as Shutdown from "./http/Shutdown.js"
import * as Stdio from "./stdio/Stdio.js"
import { redactKeys } from "./litellm/Redaction.js"

// A misconfigured start must say what to fix in one line, not print a fiber trace; on stderr,
// which in --stdio mode is the only place besides protocol messages.
const reportFailure = (cause: Cause.Cause<unknown>) =>
  Option.match(Cause.failureOption(cause), {
    onNone: () =>
      Cause.isInterruptedOnly(cause) ? Effect.void : Console.error(`litellm-admin-mcp stopped: ${Cause.pretty(cause)}`),
    onSome: (error) =>
      ConfigError.isConfigError(error)
        // A value that fails to parse is quoted in the message: a key pasted into the wrong setting too.
        ? Console.error(`litellm-admin-mcp: invalid configuration: ${redactKeys(formatConfigError(error))}`)
        : error instanceof Stdio.StdioClosed
        ? Console.error(`litellm-admin-mcp stopped: ${error.message}`)
        : error instanceof HttpServerError.ServeError
        ? Console.error(`litellm-admin-mcp: cannot listen: ${listenFailure(error.cause)}`)
        : Console.error(`litellm-admin-mcp stopped: ${Cause.pretty(cause)}`)
  })

const listenFailure = (cause: unknown) => {
  const text = String((cause as Error | undefined)?.message ?? cause)
  return (cause as NodeJS.ErrnoException | undefined)?.code === "EADDRINUSE"
    ? `${text}; another process has that port: stop it, or choose another with --port (PORT)`
    : text
}

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
    Shutdown.watchSignals()
    Shutdown.followParent()
    // Stdio mode ends when the client closes stdin; the others serve until stopped. The sandbox
    // behind --demo is loaded only for it: a server in production never holds its code.
    const demo = Effect.promise(() => import("./demo/Demo.js"))
    const program: Effect.Effect<unknown, unknown> = command.mode === "stdio"
      ? Stdio.run
      : command.mode === "demo-stdio"
      ? Effect.flatMap(demo, (Demo) => Demo.runStdio)
      : command.mode === "demo"
      ? Effect.flatMap(demo, (Demo) => Layer.launch(Demo.DemoLive))
      : Layer.launch(HttpLive)
    NodeRuntime.runMain(
      program.pipe(Effect.tapErrorCause(reportFailure), Effect.withConfigProvider(command.configProvider)),
      { disableErrorReporting: true, disablePrettyLogger: true }
    )
  }
}
