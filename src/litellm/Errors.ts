import { Schema } from "effect"

// What a request to LiteLLM can fail with; mcp/Envelope.ts turns each into what the agent reads.

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
  timeoutMs: Schema.Number,
  /** "connect" when no connection was made in time: nothing was sent. */
  phase: Schema.optional(Schema.Literal("connect"))
}) {
  override get message() {
    return `LiteLLM at ${this.url} did not answer within ${this.timeoutMs / 1000} s (LITELLM_TIMEOUT_MS). The proxy or its database may be overloaded.`
  }
}

/**
 * A change was sent to LiteLLM and no answer came back (its deadline passed, the connection
 * broke): LiteLLM may have carried it out. Never a failure that did not happen.
 */
export class WriteOutcomeUnknown extends Schema.TaggedError<WriteOutcomeUnknown>()("WriteOutcomeUnknown", {
  url: Schema.String,
  why: Schema.String,
  /** What the request named, to find the change by: aliases, ids (never a key or hash). */
  sent: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {
  override get message() {
    return `LiteLLM may or may not have made this change: the request to ${this.url} was sent, but ${this.why}. ` +
      "Read it back before retrying (a retry may make it twice): look for what `sent` names, e.g. list keys by " +
      "key_alias or read the user, team or key."
  }
}

/** One tool call's LiteLLM requests, all together, took longer than its deadline. */
export class CallTimeout extends Schema.TaggedError<CallTimeout>()("CallTimeout", {
  tool: Schema.String,
  ms: Schema.Number
}) {
  override get message() {
    return `${this.tool} ran out of its ${this.ms / 1000} s (TOOL_TIMEOUT_MS) before its next LiteLLM request, ` +
      "which was not sent (a request starts only when its own timeout fits in what is left); ask for less at once."
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

/**
 * LiteLLM answered a read, and the answers other calls are reading already fill
 * MAX_LITELLM_RESPONSE_BYTES_HELD: this one was left unread rather than risk the heap.
 */
export class LiteLlmAnswersBusy extends Schema.TaggedError<LiteLlmAnswersBusy>()("LiteLlmAnswersBusy", {
  url: Schema.String,
  bytes: Schema.Number,
  maxHeld: Schema.Number,
  retryAfterS: Schema.Number
}) {
  override get message() {
    return `LiteLLM answered ${this.url} with ${this.bytes} bytes while this server was already reading its most ` +
      `(${this.maxHeld} bytes, MAX_LITELLM_RESPONSE_BYTES_HELD) for other calls, so it was not read; nothing was ` +
      `changed. Retry in ${this.retryAfterS} s, or ask for a smaller page.`
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

/** No caller token reached the LiteLLM client; the HTTP edge should make this impossible. */
export class MissingCallerToken extends Schema.TaggedError<MissingCallerToken>()("MissingCallerToken", {}) {
  override get message() {
    return "No Authorization: Bearer sk-… header came with this request."
  }
}

export type LiteLlmError =
  | LiteLlmApiError
  | LiteLlmUnreachable
  | LiteLlmTimeout
  | LiteLlmBadResponse
  | LiteLlmAnswerTooLarge
  | LiteLlmAnswersBusy
  | MissingCallerToken
  | CallTimeout
  | WriteOutcomeUnknown
