import { Schema } from "effect"

/** LiteLLM answered with a non-2xx status; `message` is LiteLLM's own, `detail` its body. */
export class LiteLlmApiError extends Schema.TaggedError<LiteLlmApiError>()("LiteLlmApiError", {
  status: Schema.Number,
  message: Schema.String,
  detail: Schema.Unknown
}) {}

/** The connection to LiteLLM could not be made, or broke before an answer arrived. */
export class LiteLlmUnreachable extends Schema.TaggedError<LiteLlmUnreachable>()("LiteLlmUnreachable", {
  url: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `Could not reach LiteLLM at ${this.url} (${this.reason}). Check LITELLM_BASE_URL and that the proxy is running.`
  }
}

export class LiteLlmTimeout extends Schema.TaggedError<LiteLlmTimeout>()("LiteLlmTimeout", {
  url: Schema.String,
  timeoutMs: Schema.Number
}) {
  override get message() {
    return `LiteLLM at ${this.url} did not answer within ${this.timeoutMs / 1000} s (LITELLM_TIMEOUT_MS). The proxy or its database may be overloaded.`
  }
}

/** One tool call's LiteLLM requests, all together, took longer than its deadline. */
export class CallTimeout extends Schema.TaggedError<CallTimeout>()("CallTimeout", {
  tool: Schema.String,
  ms: Schema.Number
}) {
  override get message() {
    return `${this.tool} ran out of its ${this.ms / 1000} s (TOOL_TIMEOUT_MS) before its next LiteLLM request, ` +
      "which was not sent; ask for less at once."
  }
}

/** LiteLLM's answer was larger than MAX_LITELLM_RESPONSE_BYTES; it was not read. */
export class LiteLlmAnswerTooLarge extends Schema.TaggedError<LiteLlmAnswerTooLarge>()("LiteLlmAnswerTooLarge", {
  url: Schema.String,
  status: Schema.Number,
  maxBytes: Schema.Number
}) {
  override get message() {
    return `LiteLLM at ${this.url} answered HTTP ${this.status} with more than ${this.maxBytes} bytes ` +
      "(MAX_LITELLM_RESPONSE_BYTES), which this server does not read; ask for less, such as a smaller page."
  }
}

/** LiteLLM answered 2xx, but not with the JSON this server expects from that endpoint. */
export class LiteLlmBadResponse extends Schema.TaggedError<LiteLlmBadResponse>()("LiteLlmBadResponse", {
  url: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `LiteLLM at ${this.url} answered with an unexpected body: ${this.reason}. Is LITELLM_BASE_URL a LiteLLM Proxy?`
  }
}

export class InputIssue extends Schema.Class<InputIssue>("InputIssue")({
  path: Schema.String,
  message: Schema.String
}) {}

/** The tool's arguments do not match its input schema. */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  issues: Schema.Array(InputIssue)
}) {
  override get message() {
    return `Invalid arguments: ${this.issues.map((i) => i.path === "" ? i.message : `${i.path}: ${i.message}`).join("; ")}`
  }
}

/** What the caller named does not exist (found out before changing anything). */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  message: Schema.String
}) {}

/** What the caller named matches more than one thing, so acting on it would be a guess. */
export class Ambiguous extends Schema.TaggedError<Ambiguous>()("Ambiguous", {
  message: Schema.String,
  candidates: Schema.Array(Schema.Unknown)
}) {}

/**
 * This LiteLLM release cannot do what was asked, or would silently do something else (an older
 * release drops a filter it does not know and answers with everything): refused before the agent
 * reads a wrong answer as a right one.
 */
export class Unsupported extends Schema.TaggedError<Unsupported>()("Unsupported", {
  message: Schema.String
}) {}

/** No caller token reached the LiteLLM client; the HTTP edge should make this impossible. */
export class MissingCallerToken extends Schema.TaggedError<MissingCallerToken>()("MissingCallerToken", {}) {
  override get message() {
    return "No Authorization: Bearer sk-… header came with this request."
  }
}

/** The tool exists, but the operator's settings or this request's headers hide it. */
export class ToolHidden extends Schema.TaggedError<ToolHidden>()("ToolHidden", {
  tool: Schema.String,
  hiddenBy: Schema.String
}) {
  override get message() {
    return `${this.tool} is not available to this caller: hidden by ${this.hiddenBy}.`
  }
}

export type LiteLlmError =
  | LiteLlmApiError
  | LiteLlmUnreachable
  | LiteLlmTimeout
  | LiteLlmBadResponse
  | LiteLlmAnswerTooLarge
  | MissingCallerToken
  | CallTimeout

export type ToolError = LiteLlmError | InvalidInput | NotFound | Ambiguous | ToolHidden | Unsupported
