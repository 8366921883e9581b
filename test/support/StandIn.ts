import { LiteLlmSandbox } from "../../src/LiteLlmSandbox.js"
import { validateRequest } from "./OpenApi.js"

export type { Fault, RecordedRequest } from "../../src/LiteLlmSandbox.js"

/** The sandbox, checking every request it receives against LiteLLM 1.96.0's OpenAPI document. */
export class LiteLlmStandIn extends LiteLlmSandbox {
  constructor() {
    super({ validate: validateRequest })
  }
}
