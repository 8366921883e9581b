import { LiteLlmSandbox } from "../../src/sandbox/Sandbox.js"
import { validateRequest } from "./OpenApi.js"

import type { Fault } from "../../src/sandbox/Sandbox.js"

export type { Fault, RecordedRequest } from "../../src/sandbox/Sandbox.js"

/** The sandbox, checking every request it receives against LiteLLM 1.96.0's OpenAPI document. */
export class LiteLlmStandIn extends LiteLlmSandbox {
  constructor() {
    super({ validate: validateRequest })
  }
}

/** LiteLLM's ProxyException envelope as a fault: an error of LiteLLM's own, answered at `status`. */
export const proxyError = (
  status: number,
  message: string,
  type = "internal_server_error",
  options: { readonly repeat?: true } = {}
): Fault => ({
  kind: "status",
  status,
  body: JSON.stringify({ error: { message, type, param: "None", code: String(status) } }),
  ...options
})
