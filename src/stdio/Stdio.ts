import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { Effect, Layer, Runtime, Schema } from "effect"
import * as Logging from "../observability/Logging.js"
import * as Tracing from "../observability/Tracing.js"
import * as Tools from "../resources/Tools.js"
import { AppConfig, requireMode } from "../config/AppConfig.js"
import { CallerToken } from "../litellm/CallerToken.js"
import { LiteLlm } from "../litellm/LiteLlm.js"
import * as McpServer from "../mcp/McpServer.js"
import { redactKeys } from "../litellm/Redaction.js"
import { ToolPolicy } from "../mcp/ToolPolicy.js"

/** The stdio transport closed on an error of its own, not because the client closed stdin. */
export class StdioClosed extends Schema.TaggedError<StdioClosed>()("StdioClosed", { reason: Schema.String }) {
  override get message() {
    return `the stdio transport closed: ${this.reason}`
  }
}

/**
 * The same tools over stdin/stdout, for desktop clients that launch servers as child processes,
 * until the client closes stdin. No request carries a header here, so the operator's
 * LITELLM_API_KEY enters the same CallerToken the HTTP edge sets, for this one client's session.
 */
export const serve = Effect.gen(function*() {
  const config = yield* AppConfig
  yield* requireMode(config, "stdio")
  const token = config.litellmApiKey
  const { policy } = yield* ToolPolicy
  const log = Runtime.runFork(yield* Effect.runtime<never>())
  const server = McpServer.make(yield* Effect.locally(Effect.runtime<LiteLlm>(), CallerToken, token), policy, McpServer.limitsOf(config))
  const transport = new StdioServerTransport()
  // The transport reports a bad line (not JSON, or over the SDK's 10 MiB line limit) here, and for
  // the second it then closes: said on stderr, so a stop is never silent.
  let lastError: Error | undefined
  server.onerror = (error) => {
    lastError = error
    log(Effect.logWarning(`stdio: ${redactKeys(error.message)}`))
  }
  const closed = Effect.async<void, StdioClosed>((resume) => {
    let ended = false
    process.stdin.once("end", () => {
      ended = true
      resume(Effect.void)
    })
    transport.onclose = () =>
      resume(ended || lastError === undefined ? Effect.void : Effect.fail(new StdioClosed({ reason: redactKeys(lastError.message) })))
  })
  yield* Effect.acquireRelease(Effect.promise(() => server.connect(transport)), () => Effect.promise(() => server.close()))
  yield* Effect.logInfo("serving MCP on stdio")
  yield* closed
}).pipe(Effect.scoped)

/** Stdio mode as it runs: the LiteLLM client, the operator's policy, logs and traces on stderr. */
export const run = serve.pipe(
  Effect.provide(
    Layer.mergeAll(LiteLlm.Live, ToolPolicy.Default, Logging.layer({ stderr: true }), Tracing.layer).pipe(
      Layer.provideMerge(Layer.merge(AppConfig.Default, Tools.layer))
    )
  )
)
