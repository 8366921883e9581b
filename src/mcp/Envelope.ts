import { Cause, Effect, Either, Match, Schema } from "effect"
import type { ToolError } from "./Errors.js"
import { redactDeep, redactKeys, redactKeysAndHashes } from "../litellm/Redaction.js"

export interface ErrorInfo {
  readonly status: number
  readonly message: string
  readonly detail: unknown
  /** "unknown" for a change LiteLLM may have made: read it back, do not take it as not done. */
  readonly outcome?: "unknown"
}

/** The one result shape of every tool. */
export type Envelope =
  | { readonly success: true; readonly data: unknown }
  | { readonly success: false; readonly error: ErrorInfo }

export const success = (data: unknown): Envelope => ({ success: true, data })

/**
 * The envelope around one tool's `data`, as its `outputSchema` says it: `data` on success, `error`
 * on failure. One object, not a union of the two, so the error's shape is not repeated in every
 * branch of every tool's schema; `detail` is any JSON and stays unnamed (an open object).
 */
export const schema = <A, I>(data: Schema.Schema<A, I>) =>
  Schema.Struct({
    success: Schema.Boolean,
    data: Schema.optional(data),
    error: Schema.optional(
      Schema.Struct(
        { status: Schema.Number, message: Schema.String },
        Schema.Record({ key: Schema.String, value: Schema.Unknown })
      )
    )
  })

// Neither keys nor their hashes leave in a failure: a bad argument's echo or LiteLLM's text could
// carry either. Only an ambiguity's candidates keep their hashes, which are how the agent picks one.
const failure = (
  status: number,
  message: string,
  detail: unknown = null,
  redactDetail = redactKeysAndHashes
): Extract<Envelope, { readonly success: false }> => ({
  success: false,
  error: {
    status,
    message: message === "" ? `HTTP ${status}` : redactKeysAndHashes(message),
    detail: redactDeep(detail, redactDetail)
  }
})

// LiteLLM refuses features of its Enterprise licence with a 400 or a 500 (which reads as a bug
// here) and one sentence: the agent gets 501, "not available on this LiteLLM", and LiteLLM's body.
const ENTERPRISE_ONLY = /Enterprise|premium user|enterprise license|LITELLM_LICENSE/i
/** Whether LiteLLM's message refuses a feature of its Enterprise licence. */
export const enterpriseOnly = (message: string) => ENTERPRISE_ONLY.test(message)

/** The single place where a typed failure becomes what the agent reads. */
export const fromError: (error: ToolError) => Envelope = Match.type<ToolError>().pipe(
  Match.tagsExhaustive({
    LiteLlmApiError: (e) =>
      failure(enterpriseOnly(e.message) ? 501 : e.status, e.message, e.detail),
    LiteLlmUnreachable: (e) => failure(502, e.message),
    LiteLlmTimeout: (e) => failure(504, e.message),
    CallTimeout: (e) => failure(504, e.message),
    // Not a failure: 202, as HTTP says of a request accepted whose outcome is not known yet.
    WriteOutcomeUnknown: (e): Envelope => {
      const { error } = failure(202, e.message, { route: e.url, sent: e.sent })
      return { success: false, error: { ...error, outcome: "unknown" } }
    },
    LiteLlmBadResponse: (e) => failure(502, e.message, e.reason),
    LiteLlmAnswerTooLarge: (e) => failure(502, e.message),
    LiteLlmAnswersBusy: (e) => failure(503, e.message, { retry_after_s: e.retryAfterS }),
    MissingCallerToken: (e) => failure(401, e.message),
    InvalidInput: (e) => failure(400, e.message, e.issues.map((i) => ({ path: i.path, message: i.message }))),
    NotFound: (e) => failure(404, e.message),
    Ambiguous: (e) => failure(409, e.message, e.candidates, redactKeys),
    Unsupported: (e) => failure(501, e.message),
    ResultTooLarge: (e) => failure(413, e.message),
    ToolHidden: (e) => failure(403, e.message, { tool: e.tool, hidden_by: e.hiddenBy })
  })
)

export const internalError: Envelope = failure(
  500,
  "litellm-admin-mcp hit an internal error; the cause is in its log."
)

/**
 * Runs a tool's effect to an envelope that never fails: typed errors through `fromError`,
 * defects to a generic 500 whose cause goes to the log only.
 */
export const run = <R>(effect: Effect.Effect<unknown, ToolError, R>): Effect.Effect<Envelope, never, R> =>
  Effect.matchCauseEffect(effect, {
    onSuccess: (data) => Effect.succeed(success(data)),
    onFailure: (cause) =>
      Either.match(Cause.failureOrCause(cause), {
        onLeft: (error) => Effect.succeed(fromError(error)),
        onRight: (cause) =>
          Cause.isInterruptedOnly(cause)
            ? Effect.interrupt
            : Effect.as(Effect.logError("tool call failed with a defect", cause), internalError)
      })
  })
