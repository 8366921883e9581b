import { Either, Option, Schema } from "effect"
import { unrepresentable } from "./Json.js"

// LiteLLM answers errors in three shapes (see litellm-api.md §1.3); the HTTP status is the truth,
// `type` and `code` are not to be trusted.
const ProxyException = Schema.Struct({ error: Schema.Struct({ message: Schema.String }) })

const ValidationErrors = Schema.Struct({
  detail: Schema.Array(Schema.Struct({
    loc: Schema.Array(Schema.Union(Schema.String, Schema.Number)),
    msg: Schema.String
  }))
})

const HttpExceptionDetail = Schema.Struct({
  detail: Schema.Union(
    Schema.String,
    Schema.Struct({ error: Schema.String }),
    Schema.Struct({ message: Schema.String })
  )
})

const decodeJson = Schema.decodeEither(Schema.parseJson())
const decodeProxyException = Schema.decodeUnknownOption(ProxyException)
const decodeValidationErrors = Schema.decodeUnknownOption(ValidationErrors)
const decodeHttpExceptionDetail = Schema.decodeUnknownOption(HttpExceptionDetail)

// `str(HTTPException(detail={'error': '…'}))` reaches the wire as a Python dict repr.
const PYTHON_DICT_REPR = /^\{\s*['"](?:error|message)['"]\s*:\s*(['"])([\s\S]*)\1\s*\}$/

export const unwrapPythonRepr = (message: string): string => {
  const match = PYTHON_DICT_REPR.exec(message.trim())
  return match === null ? message : match[2]!.replace(/\\(['"\\])/g, "$1")
}

const messageOf = (body: unknown): Option.Option<string> =>
  decodeProxyException(body).pipe(
    Option.map((b) => b.error.message),
    Option.orElse(() =>
      decodeValidationErrors(body).pipe(
        Option.map((b) =>
          b.detail.map((d) => `${d.loc.filter((part) => part !== "body").join(".") || "body"}: ${d.msg}`).join("; ")
        )
      )
    ),
    Option.orElse(() =>
      decodeHttpExceptionDetail(body).pipe(
        Option.map(({ detail }) => typeof detail === "string" ? detail : "error" in detail ? detail.error : detail.message)
      )
    ),
    Option.map(unwrapPythonRepr),
    Option.filter((message) => message.trim() !== "")
  )

const MAX_TEXT_DETAIL = 2_000

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const without = (record: Record<string, unknown>, key: string): Record<string, unknown> => {
  const { [key]: _, ...rest } = record
  return rest
}

// What LiteLLM said besides its message (`type`, `code`, `param`, the fields of a validation
// error), so `detail` adds to `message` instead of repeating it; null when nothing is left.
const restOf = (body: unknown): unknown => {
  if (!isRecord(body)) return body
  let rest = body
  if (isRecord(body.error) && typeof body.error.message === "string") {
    const error = without(body.error, "message")
    rest = Object.keys(error).length === 0 ? without(body, "error") : { ...body, error }
  } else if (typeof body.detail === "string") {
    rest = without(body, "detail")
  } else if (isRecord(body.detail) && (typeof body.detail.error === "string" || typeof body.detail.message === "string")) {
    const detail = without(without(body.detail, "error"), "message")
    rest = Object.keys(detail).length === 0 ? without(body, "detail") : { ...body, detail }
  }
  return Object.keys(rest).length === 0 ? null : rest
}

/** LiteLLM's message and body for a non-2xx answer, whatever shape it came in. */
export const parseErrorBody = (status: number, text: string): { readonly message: string; readonly detail: unknown } => {
  const body = decodeJson(text)
  // Nested beyond what the steps after this can carry: read as text, like any body that is not JSON.
  return Either.isLeft(body) || unrepresentable(body.right) !== undefined
    ? {
      message: `LiteLLM answered HTTP ${status} with a body that is not JSON`,
      detail: text.length > MAX_TEXT_DETAIL ? `${text.slice(0, MAX_TEXT_DETAIL)}…` : text
    }
    : {
      ...Option.match(messageOf(body.right), {
        onNone: () => ({ message: `LiteLLM answered HTTP ${status}`, detail: body.right }),
        onSome: (message) => ({ message, detail: restOf(body.right) })
      })
    }
}
