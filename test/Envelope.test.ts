import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, FastCheck, Schema } from "effect"
import * as Envelope from "../src/mcp/Envelope.js"
import { parseErrorBody, unwrapPythonRepr } from "../src/litellm/ErrorBody.js"
import { isMissingRoute } from "../src/litellm/LiteLlm.js"
import {
  CallTimeout,
  LiteLlmAnswersBusy,
  LiteLlmAnswerTooLarge,
  LiteLlmApiError,
  LiteLlmBadResponse,
  LiteLlmTimeout,
  LiteLlmUnreachable,
  MissingCallerToken,
  WriteOutcomeUnknown
} from "../src/litellm/Errors.js"
import {
  Ambiguous,
  InvalidInput,
  NotFound,
  ResultTooLarge,
  ToolHidden,
  type ToolError,
  Unsupported
} from "../src/mcp/Errors.js"

const AnyToolError = Schema.Union(
  LiteLlmApiError,
  LiteLlmUnreachable,
  LiteLlmTimeout,
  LiteLlmBadResponse,
  LiteLlmAnswerTooLarge,
  LiteLlmAnswersBusy,
  MissingCallerToken,
  InvalidInput,
  NotFound,
  Ambiguous,
  ToolHidden,
  Unsupported,
  CallTimeout,
  ResultTooLarge,
  WriteOutcomeUnknown
)

const expectedStatus = (error: ToolError): number => {
  switch (error._tag) {
    case "LiteLlmApiError":
      return /Enterprise|premium user|enterprise license|LITELLM_LICENSE/i.test(error.message) ? 501 : error.status
    case "LiteLlmUnreachable":
    case "LiteLlmBadResponse":
    case "LiteLlmAnswerTooLarge":
      return 502
    case "LiteLlmTimeout":
    case "CallTimeout":
      return 504
    case "WriteOutcomeUnknown":
      return 202
    case "LiteLlmAnswersBusy":
      return 503
    case "MissingCallerToken":
      return 401
    case "InvalidInput":
      return 400
    case "NotFound":
      return 404
    case "Ambiguous":
      return 409
    case "ToolHidden":
      return 403
    case "Unsupported":
      return 501
    case "ResultTooLarge":
      return 413
  }
}

// Text that may carry a key: what an agent or a log must never see.
const KeyBearing = FastCheck.tuple(FastCheck.string(), FastCheck.stringMatching(/^sk-[A-Za-z0-9_-]{4,30}$/), FastCheck.string())
  .map(([a, key, b]) => `${a} ${key} ${b}`)

const RAW_KEY = /sk-[A-Za-z0-9_\-.]/

describe("Envelope.fromError", () => {
  it.prop("any typed error becomes a failure with its documented status and a message", [AnyToolError], ([error]) => {
    const envelope = Envelope.fromError(error)
    if (envelope.success) throw new Error("a typed error became a success")
    expect(envelope.error.status).toBe(expectedStatus(error))
    expect(envelope.error.message.length).toBeGreaterThan(0)
    expect(envelope.error).toHaveProperty("detail")
  }, { fastCheck: { numRuns: 500 } })

  it.prop("LiteLLM's status, message and body pass through, with key material redacted", {
    status: FastCheck.integer({ min: 400, max: 599 }),
    message: KeyBearing,
    detail: KeyBearing,
    hash: FastCheck.stringMatching(/^[0-9a-f]{64}$/)
  }, ({ status, message, detail, hash }) => {
    const envelope = Envelope.fromError(
      new LiteLlmApiError({ status, message: `${message} ${hash}`, detail: { error: { message: detail }, hash } })
    )
    if (envelope.success) throw new Error("unexpected success")
    expect(envelope.error.status).toBe(status)
    const text = JSON.stringify(envelope)
    expect(text).not.toMatch(RAW_KEY)
    expect(text).not.toContain(hash)
  })

  it.prop("no failure of any kind carries a raw key", { message: KeyBearing }, ({ message }) => {
    for (const error of [new NotFound({ message }), new Ambiguous({ message, candidates: [message] })]) {
      expect(JSON.stringify(Envelope.fromError(error))).not.toMatch(RAW_KEY)
    }
  })
})

describe("Envelope.run", () => {
  it.effect.prop("never fails: data stays, typed errors map, defects become a generic 500", {
    kind: FastCheck.constantFrom("success", "failure", "defect"),
    data: FastCheck.jsonValue(),
    error: AnyToolError,
    bug: FastCheck.string()
  }, ({ bug, data, error, kind }) =>
    Effect.gen(function*() {
      const effect = kind === "success"
        ? Effect.succeed(data)
        : kind === "failure"
        ? Effect.fail(error)
        : Effect.die(new Error(`bug: ${bug}`))
      const exit = yield* Effect.exit(Envelope.run(effect))
      if (Exit.isFailure(exit)) throw new Error(`run failed: ${Cause.pretty(exit.cause)}`)
      const envelope = exit.value
      if (kind === "success") expect(envelope).toEqual({ success: true, data })
      else if (kind === "failure") expect(envelope).toEqual(Envelope.fromError(error))
      else {
        expect(envelope).toEqual(Envelope.internalError)
        expect(JSON.stringify(envelope)).not.toContain("bug:")
      }
    }))
})

describe("LiteLLM error bodies", () => {
  it.prop("a Python dict repr is unwrapped to its message", {
    text: FastCheck.string().filter((s) => !s.includes("'") && !s.includes("\"")),
    key: FastCheck.constantFrom("error", "message")
  }, ({ text, key }) => {
    // As Python's repr() writes it: backslashes doubled.
    const repr = text.replaceAll("\\", "\\\\")
    expect(unwrapPythonRepr(`{'${key}': '${repr}'}`)).toBe(text)
  }, { fastCheck: { numRuns: 1_000 } })

  it.prop("any body, JSON or not, gives a non-empty message and never throws", {
    status: FastCheck.integer({ min: 300, max: 599 }),
    body: FastCheck.oneof(FastCheck.string(), FastCheck.jsonValue().map((v) => JSON.stringify(v)))
  }, ({ status, body }) => {
    const parsed = parseErrorBody(status, body)
    expect(parsed.message.length).toBeGreaterThan(0)
  })

  it.prop("detail never repeats the message LiteLLM sent", {
    // The prefix keeps the message from turning up by chance in the short extra fields.
    message: FastCheck.string().filter((s) => !/['"\\]/.test(s)).map((s) => `problem: ${s}`),
    shape: FastCheck.constantFrom("error", "detail-string", "detail-error", "detail-message"),
    extra: FastCheck.dictionary(FastCheck.constantFrom("type", "code", "param"), FastCheck.string({ maxLength: 3 }))
  }, ({ extra, message, shape }) => {
    const body = shape === "error"
      ? { error: { message, ...extra } }
      : shape === "detail-string"
      ? { detail: message, ...extra }
      : { detail: shape === "detail-error" ? { error: message } : { message }, ...extra }
    const parsed = parseErrorBody(400, JSON.stringify(body))
    expect(parsed.message).toBe(message)
    expect(JSON.stringify(parsed.detail ?? null)).not.toContain(JSON.stringify(message))
    if (Object.keys(extra).length === 0) expect(parsed.detail).toBeNull()
  })

  it("only FastAPI's own 404 reads as a route this release lacks", () => {
    const missing = (status: number, body: unknown) =>
      isMissingRoute(new LiteLlmApiError({ status, ...parseErrorBody(status, JSON.stringify(body)) }))
    expect(missing(404, { detail: "Not Found" })).toBe(true)
    expect(missing(405, { detail: "Not Found" })).toBe(false)
    expect(missing(404, { detail: { error: "Team not found, passed team_id=t9" } })).toBe(false)
    expect(missing(404, { error: { message: "Not Found", type: "not_found", param: "team_id", code: "404" } })).toBe(false)
    expect(missing(404, { detail: "Not Found", request_id: "r1" })).toBe(false)
  })

  it("an empty message from LiteLLM falls back to the status", () => {
    for (const body of [{ detail: "" }, { error: { message: " " } }, { detail: [] }, { detail: { error: "" } }]) {
      expect(parseErrorBody(418, JSON.stringify(body)).message).toBe("LiteLLM answered HTTP 418")
    }
  })

  it("reads all three shapes", () => {
    expect(parseErrorBody(404, JSON.stringify({ error: { message: "{'error': 'No keys found'}", code: "404" } })).message)
      .toBe("No keys found")
    expect(parseErrorBody(404, JSON.stringify({ detail: { error: "User not found, passed user_id=x" } })).message)
      .toBe("User not found, passed user_id=x")
    expect(
      parseErrorBody(
        422,
        JSON.stringify({ detail: [{ loc: ["query", "size"], msg: "Input should be less than or equal to 100" }, { loc: ["body"], msg: "Value error, x" }] })
      ).message
    ).toBe("query.size: Input should be less than or equal to 100; body: Value error, x")
  })
})
