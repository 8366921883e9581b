// The low-level Server is what lets us register raw JSON Schemas derived from Effect Schemas;
// the zod-based McpServer the SDK recommends would need its schemas written again in zod.
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv-provider.js"
import type { jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js"
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool as McpTool
} from "@modelcontextprotocol/sdk/types.js"
import { Duration, Runtime } from "effect"
import type { AppConfig } from "../config/AppConfig.js"
import * as Envelope from "./Envelope.js"
import { ToolHidden } from "./Errors.js"
import type { LiteLlm } from "../litellm/LiteLlm.js"
import * as Package from "../Package.js"
import type { Fitted } from "./ResultSize.js"
import type { Limits } from "./Tool.js"
import type { Policy } from "./ToolPolicy.js"

const instructions =
  "Administer a LiteLLM Proxy (internal users, virtual keys, spend) with the caller's own LiteLLM key. " +
  "Every tool answers {success:true,data} or {success:false,error:{status,message,detail}}; status is LiteLLM's " +
  "HTTP status, or 400 for bad arguments, 404/409 for names that match none/several, 502/504 when LiteLLM is " +
  "unreachable or slow. Lists are paged: read total_pages and ask for the next page. Call litellm_whoami first: " +
  "it says who this key acts as and which tools LiteLLM will let it use."


// Each Server would otherwise build its own Ajv (a few hundred microseconds and much garbage per
// request) for elicitation, which this server never uses: one, made on first need, serves all.
let ajv: AjvJsonSchemaValidator | undefined
const sharedValidator: jsonSchemaValidator = {
  getValidator: (schema) => (ajv ??= new AjvJsonSchemaValidator()).getValidator(schema)
}

/** A tool call's limits, from the settings. */
export const limitsOf = (config: AppConfig): Limits => ({
  maxResultBytes: config.maxResultBytes,
  deadline: Duration.millis(config.toolTimeoutMs),
  routeClasses: config.routeClasses
})

const toResult = ({ envelope, text }: Fitted): CallToolResult => ({
  content: [{ type: "text", text }],
  structuredContent: envelope as unknown as Record<string, unknown>,
  isError: !envelope.success
})

/**
 * A fresh SDK Server for one HTTP request. A stateless transport serves one request and a Server
 * holds one transport at a time, so concurrent requests each need their own. Tool calls run on the
 * request's runtime, which carries that request's caller token. `listed` is what tools/list
 * answers: the policy's tools, narrowed to the caller's key.
 */
export const make = (
  runtime: Runtime.Runtime<LiteLlm>,
  policy: Policy,
  limits: Limits,
  listed: () => Promise<ReadonlyArray<McpTool>>,
  /** Aborted when the caller has gone: a read it asked for is then stopped, a change never is. */
  abandoned?: AbortSignal
): Server => {
  const run = Runtime.runPromise(runtime)
  const named: Limits = {
    ...limits,
    toolForRoute: (route) => {
      const tool = policy.registry.byRoute.get(route)?.name
      return tool !== undefined && policy.hiddenBy(tool) === undefined ? tool : undefined
    },
    hiddenToolForRoute: (route) => {
      const tool = policy.registry.byRoute.get(route)?.name
      return tool !== undefined && policy.hiddenBy(tool) !== undefined ? { tool, toolset: policy.toolsetOf(tool) } : undefined
    }
  }
  const server = new Server(
    { name: Package.name, version: Package.version },
    { capabilities: { tools: { listChanged: false } }, instructions, jsonSchemaValidator: sharedValidator }
  )
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [...await listed()] }))
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = policy.registry.byName.get(request.params.name)
    if (tool === undefined) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`)
    }
    const hiddenBy = policy.hiddenBy(request.params.name)
    if (hiddenBy !== undefined) {
      const envelope = Envelope.fromError(new ToolHidden({ tool: request.params.name, hiddenBy }))
      return toResult({ envelope, text: JSON.stringify(envelope) })
    }
    // A change under way is never cut short: LiteLLM may have made it, and it must finish.
    const signal = abandoned !== undefined && tool.annotations.readOnlyHint === true
      ? AbortSignal.any([extra.signal, abandoned])
      : extra.signal
    return toResult(await run(tool.call(request.params.arguments, named), { signal }))
  })
  return server
}
