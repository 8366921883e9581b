import { LiteLlmSandbox } from "../../src/sandbox/Sandbox.js"
import { validateRequest } from "./OpenApi.js"

export type { Fault, RecordedRequest } from "../../src/sandbox/Sandbox.js"

/** The sandbox, checking every request it receives against LiteLLM 1.96.0's OpenAPI document. */
export class LiteLlmStandIn extends LiteLlmSandbox {
  constructor() {
    super({ validate: validateRequest })
  }
}
