import { FiberRef, Option } from "effect"
import { randomUUID } from "node:crypto"

/**
 * What one request's log line reports. Created where the request enters, filled in as it goes
 * (the JSON-RPC method and tool at the MCP edge; each LiteLLM call's outcome, which the LiteLLM
 * client notes in `LiteLlmCalls`), and written once when the response leaves. Never a key: there
 * is no field for one.
 */
export class RequestLog {
  readonly id = randomUUID()
  rpcMethod: string | undefined
  tool: string | undefined
  readonly litellm: Array<number | string> = []

  annotations(): Record<string, string> {
    return {
      request_id: this.id,
      ...(this.rpcMethod === undefined ? {} : { rpc_method: this.rpcMethod }),
      ...(this.tool === undefined ? {} : { tool: this.tool }),
      ...(this.litellm.length === 0 ? {} : { litellm_status: this.litellm.join(",") })
    }
  }
}

export const CurrentRequestLog: FiberRef.FiberRef<Option.Option<RequestLog>> = FiberRef.unsafeMake(Option.none())
