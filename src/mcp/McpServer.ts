// The low-level Server is what lets us register raw JSON Schemas derived from Effect Schemas;
// the zod-based McpServer the SDK recommends would need its schemas written again in zod.
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv-provider.js"
import type { jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js"
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js"
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type JSONRPCResponse,
  ListToolsRequestSchema,
  McpError,
  type RequestId,
  type Tool as McpTool
} from "@modelcontextprotocol/sdk/types.js"
import { Duration, Effect, Fiber, Runtime } from "effect"
import type { AppConfig } from "../config/AppConfig.js"
import * as Envelope from "./Envelope.js"
import { ToolHidden } from "./Errors.js"
import type { LiteLlm } from "../litellm/LiteLlm.js"
import * as Package from "../Package.js"
import type { Fitted } from "./ResultSize.js"
import type { Limits, Tool } from "./Tool.js"
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

/** What a message's handlers need of the request it came in: its caller, policy and limits. */
export interface Exchange {
  /** Carries the request's caller token (a FiberRef), read where a LiteLLM request leaves. */
  readonly runtime: Runtime.Runtime<LiteLlm>
  readonly policy: Policy
  readonly limits: Limits
  /** What tools/list answers: the policy's tools, narrowed to the caller's key. */
  readonly listed: () => Promise<ReadonlyArray<McpTool>>
  /** Aborted when the caller has gone: a read it asked for is then stopped, a change never is. */
  readonly abandoned?: AbortSignal
}

// The request was abandoned before its handler ran: nothing is answered, nothing is called.
const gone = () => new McpError(ErrorCode.ConnectionClosed, "The request was abandoned")

/** The limits of one call, with the names of the tools this caller has for LiteLLM's routes. */
const named = (policy: Policy, limits: Limits): Limits => ({
  ...limits,
  toolForRoute: (route) => {
    const tool = policy.registry.byRoute.get(route)?.name
    return tool !== undefined && policy.hiddenBy(tool) === undefined ? tool : undefined
  },
  hiddenToolForRoute: (route) => {
    const tool = policy.registry.byRoute.get(route)?.name
    return tool !== undefined && policy.hiddenBy(tool) !== undefined ? { tool, toolset: policy.toolsetOf(tool) } : undefined
  }
})

/**
 * A known tool's result, never failing. A change runs in a fiber of its own, which an
 * interruption of the caller's (the client hung up) does not reach: LiteLLM may have made the
 * change, and it must finish. A read is interrupted with its caller.
 */
const resultOf = (tool: Tool, args: unknown, policy: Policy, limits: Limits): Effect.Effect<Fitted, never, LiteLlm> => {
  const hiddenBy = policy.hiddenBy(tool.name)
  if (hiddenBy !== undefined) {
    const envelope = Envelope.fromError(new ToolHidden({ tool: tool.name, hiddenBy }))
    return Effect.succeed({ envelope, text: JSON.stringify(envelope) })
  }
  const call = tool.call(args, named(policy, limits))
  return tool.annotations.readOnlyHint === true ? call : Effect.flatMap(Effect.forkDaemon(call), Fiber.join)
}

/** A tools/call the SDK's Server would accept, of a tool this server has; undefined for any other request. */
const knownCall = (request: JSONRPCRequest, policy: Policy): { readonly tool: Tool; readonly args: unknown } | undefined => {
  if (request.method !== "tools/call") return undefined
  const call = CallToolRequestSchema.safeParse(request)
  if (!call.success || call.data.params.task !== undefined) return undefined
  const tool = policy.registry.byName.get(call.data.params.name)
  return tool === undefined ? undefined : { tool, args: call.data.params.arguments }
}

/**
 * An SDK Server whose handlers take each request's exchange from `exchangeOf`, by the id the
 * request arrived with: one Server can then serve every HTTP request of the process (see
 * `Endpoint`), or one stdio client.
 */
export const make = (exchangeOf: (id: RequestId) => Exchange | undefined): Server => {
  const server = new Server(
    { name: Package.name, version: Package.version },
    { capabilities: { tools: { listChanged: false } }, instructions, jsonSchemaValidator: sharedValidator }
  )
  server.setRequestHandler(ListToolsRequestSchema, async (_, extra) => {
    const exchange = exchangeOf(extra.requestId)
    if (exchange === undefined) throw gone()
    return { tools: [...await exchange.listed()] }
  })
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const exchange = exchangeOf(extra.requestId)
    if (exchange === undefined) throw gone()
    const tool = exchange.policy.registry.byName.get(request.params.name)
    if (tool === undefined) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`)
    }
    const signal = exchange.abandoned === undefined ? extra.signal : AbortSignal.any([extra.signal, exchange.abandoned])
    return toResult(await Runtime.runPromise(exchange.runtime)(resultOf(tool, request.params.arguments, exchange.policy, exchange.limits), { signal }))
  })
  return server
}

/** A Server for one client whose every message has the same exchange (stdio, a test in process). */
export const single = (exchange: Exchange): Server => make(() => exchange)

/**
 * The SDK Server every HTTP request of the process goes through, as one in-process transport:
 * a stateless request needs no Server or transport of its own, only its exchange, found by the
 * id its message is given here. Ids are the endpoint's own, so two clients' `id: 1` never meet,
 * and each answer leaves with the id its client sent.
 */
export class Endpoint implements Transport {
  onmessage?: Transport["onmessage"]
  onclose?: Transport["onclose"]
  onerror?: Transport["onerror"]
  #next = 0
  readonly #open = new Map<number, { readonly id: RequestId; readonly exchange: Exchange; readonly answer: (message: JSONRPCResponse) => void }>()
  readonly #server = make((id) => this.#open.get(id as number)?.exchange)

  static readonly make = async (): Promise<Endpoint> => {
    const endpoint = new Endpoint()
    await endpoint.#server.connect(endpoint)
    return endpoint
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.onclose?.()
  }

  // Only answers have somewhere to go: in stateless JSON mode a notification from the server (a
  // progress report) has no stream to travel on, as with the SDK's own transport. What is sent
  // here comes from the Server itself, so its shape needs no schema to tell.
  async send(message: JSONRPCMessage): Promise<void> {
    if ("method" in message || !("id" in message)) return
    const open = this.#open.get(message.id as number)
    if (open === undefined) return
    this.#open.delete(message.id as number)
    open.answer({ ...message, id: open.id } as JSONRPCResponse)
  }

  /** Answers one request; `abandoned` (the caller has gone) forgets it, as its answer has no reader. */
  readonly #handle = (request: JSONRPCRequest, exchange: Exchange, abandoned: AbortSignal): Promise<JSONRPCResponse> =>
    new Promise((answer) => {
      const id = this.#next++
      this.#open.set(id, { id: request.id, exchange, answer })
      abandoned.addEventListener("abort", () => this.#open.delete(id), { once: true })
      this.onmessage?.({ ...request, id })
    })

  /**
   * The JSON-RPC answer to one request, as text. A call of a known tool, the bulk of the traffic,
   * is answered here in the caller's fiber, its answer written around the envelope's text made
   * once; everything else, and every request the SDK would refuse (a malformed call, an unknown
   * tool, a task), goes through the SDK's Server, which answers as it always does.
   */
  readonly answer = (request: JSONRPCRequest, exchange: Omit<Exchange, "abandoned" | "runtime">): Effect.Effect<string, never, LiteLlm> => {
    const call = knownCall(request, exchange.policy)
    if (call === undefined) {
      // The SDK side is promises from end to end: its handlers run on this fiber's runtime, which
      // carries the caller's token, and the fiber waits once. The signal is aborted when the fiber
      // is interrupted, as when the client hangs up.
      return Effect.flatMap(Effect.runtime<LiteLlm>(), (runtime) =>
        Effect.map(
          Effect.promise((abandoned) => this.#handle(request, { ...exchange, runtime, abandoned }, abandoned)),
          (answer) => JSON.stringify(answer)
        ))
    }
    return Effect.map(
      resultOf(call.tool, call.args, exchange.policy, exchange.limits),
      ({ envelope, text }) =>
        `{"result":{"content":[{"type":"text","text":${JSON.stringify(text)}}],"structuredContent":${text},` +
        `"isError":${!envelope.success}},"jsonrpc":"2.0","id":${JSON.stringify(request.id)}}`
    )
  }

  readonly shutdown = () => this.#server.close()
}
