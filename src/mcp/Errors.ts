import { Schema } from "effect"
import type { LiteLlmError } from "../litellm/Errors.js"

// What a tool call can fail with besides LiteLLM's own errors.

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

/** The tool exists, but the operator's settings or this request's headers hide it. */
export class ToolHidden extends Schema.TaggedError<ToolHidden>()("ToolHidden", {
  tool: Schema.String,
  hiddenBy: Schema.String
}) {
  override get message() {
    return `${this.tool} is not available to this caller: hidden by ${this.hiddenBy}.`
  }
}

/** A result with no pages to cut, larger than MAX_RESULT_BYTES. */
export class ResultTooLarge extends Schema.TaggedError<ResultTooLarge>()("ResultTooLarge", {
  bytes: Schema.Number,
  max: Schema.Number
}) {
  override get message() {
    return `The result is ${this.bytes} bytes, over MAX_RESULT_BYTES (${this.max}); ask for less (filters or a smaller page).`
  }
}

export type ToolError = LiteLlmError | InvalidInput | NotFound | Ambiguous | ToolHidden | Unsupported | ResultTooLarge

/** An update whose arguments only name what to update: LiteLLM would answer success and change nothing. */
export const nothingToChange = (hint: string) =>
  new InvalidInput({ issues: [new InputIssue({ path: "", message: `nothing to change; ${hint}` })] })
