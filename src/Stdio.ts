import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { ConfigError, Effect, Option, Redacted } from "effect"
import { AppConfig } from "./AppConfig.js"
import { CallerToken } from "./CallerToken.js"
import { LiteLlm } from "./LiteLlm.js"
import * as McpServer from "./McpServer.js"
import { ToolPolicy } from "./ToolPolicy.js"

/**
 * The same tools over stdin/stdout, for desktop clients that launch servers as child processes,
 * until the client closes stdin. No request carries a header here, so the operator's
 * LITELLM_API_KEY enters the same CallerToken the HTTP edge sets, for this one client's session.
 */
export const serve = Effect.gen(function*() {
  const config = yield* AppConfig
  if (Option.isNone(config.litellmApiKey)) {
    return yield* Effect.fail(
      ConfigError.MissingData(["LITELLM_API_KEY"], "is required with --stdio: the LiteLLM key this client acts with")
    )
  }
  const token = Option.some(Redacted.make(`Bearer ${Redacted.value(config.litellmApiKey.value)}`))
  const { policy } = yield* ToolPolicy
  const server = McpServer.make(yield* Effect.locally(Effect.runtime<LiteLlm>(), CallerToken, token), policy, McpServer.limitsOf(config))
  const transport = new StdioServerTransport()
  const closed = Effect.async<void>((resume) => {
    transport.onclose = () => resume(Effect.void)
    process.stdin.once("end", () => resume(Effect.void))
  })
  yield* Effect.acquireRelease(Effect.promise(() => server.connect(transport)), () => Effect.promise(() => server.close()))
  yield* Effect.logInfo("serving MCP on stdio")
  yield* closed
}).pipe(Effect.scoped)
