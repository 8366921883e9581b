import { HttpServerResponse } from "@effect/platform"
import { Schema } from "effect"
import { SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/sdk/types.js"
import { redactAndCut } from "../litellm/Redaction.js"
import { protoKeyError } from "../mcp/ProtoKeys.js"

// Every way the /mcp edge refuses a request before a tool runs, as typed errors, and the one
// place (`toResponse`) where each becomes its HTTP status and JSON-RPC error, as tool failures
// become the envelope in mcp/Envelope.ts.

export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {}) {}

/** LiteLLM refused the caller's key when the client connected or listed tools. */
export class KeyRefused extends Schema.TaggedError<KeyRefused>()("KeyRefused", {
  status: Schema.Number,
  message: Schema.String,
  id: Schema.Unknown
}) {}

/** LiteLLM could not say whether it accepts the caller's key: down (502) or slow (504). */
export class CallerUnchecked extends Schema.TaggedError<CallerUnchecked>()("CallerUnchecked", {
  status: Schema.Literal(502, 504),
  message: Schema.String,
  id: Schema.Unknown
}) {}

export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", { reason: Schema.String }) {}

export class MethodNotAllowed extends Schema.TaggedError<MethodNotAllowed>()("MethodNotAllowed", {}) {}

export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", { limit: Schema.Number }) {}

export class TooComplex extends Schema.TaggedError<TooComplex>()("TooComplex", { limit: Schema.Number }) {}

export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()("UnsupportedMediaType", {}) {}

export class NotAcceptable extends Schema.TaggedError<NotAcceptable>()("NotAcceptable", {}) {}

export class NotJsonRpc extends Schema.TaggedError<NotJsonRpc>()("NotJsonRpc", {}) {}

export class UnsupportedProtocolVersion extends Schema.TaggedError<UnsupportedProtocolVersion>()("UnsupportedProtocolVersion", {
  version: Schema.String
}) {}

export class NotJson extends Schema.TaggedError<NotJson>()("NotJson", {}) {}

export class Batch extends Schema.TaggedError<Batch>()("Batch", {}) {}

/** A tool call whose arguments name "__proto__", which would vanish inside the SDK. */
export class ProtoKey extends Schema.TaggedError<ProtoKey>()("ProtoKey", { path: Schema.String, id: Schema.Unknown }) {}

/** A message that is neither a request nor a notification with a method, nor a response. */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", {}) {}

export class ShuttingDown extends Schema.TaggedError<ShuttingDown>()("ShuttingDown", {}) {}

export class Busy extends Schema.TaggedError<Busy>()("Busy", { reason: Schema.String }) {}

export type Refusal =
  | Unauthorized
  | KeyRefused
  | CallerUnchecked
  | Forbidden
  | MethodNotAllowed
  | PayloadTooLarge
  | TooComplex
  | UnsupportedMediaType
  | NotAcceptable
  | NotJson
  | NotJsonRpc
  | UnsupportedProtocolVersion
  | Batch
  | InvalidRequest
  | ProtoKey
  | ShuttingDown
  | Busy

const NO_STORE = { "cache-control": "no-store" }

const jsonRpcError = (status: number, code: number, message: string, headers: Record<string, string> = {}, id: unknown = null) =>
  HttpServerResponse.unsafeJson(
    { jsonrpc: "2.0", error: { code, message }, id },
    { status, headers: { ...NO_STORE, ...headers } }
  )

/** The single place where a refusal at the edge becomes what the client reads. */
export const toResponse = (refusal: Refusal): HttpServerResponse.HttpServerResponse => {
  switch (refusal._tag) {
    case "Unauthorized":
      return jsonRpcError(
        401,
        -32001,
        "Send your LiteLLM key as Authorization: Bearer sk-…; this server forwards it to LiteLLM and holds none of its own.",
        { "www-authenticate": "Bearer" }
      )
    case "KeyRefused":
      // An authentication problem, so clients show it as one when the user connects.
      return jsonRpcError(
        401,
        -32001,
        `LiteLLM refused this key (HTTP ${refusal.status}): ${refusal.message}`,
        { "www-authenticate": "Bearer error=\"invalid_token\"" },
        refusal.id
      )
    case "CallerUnchecked":
      return jsonRpcError(refusal.status, -32000, `Could not check this key with LiteLLM: ${refusal.message}`, {}, refusal.id)
    case "Forbidden":
      return jsonRpcError(403, -32000, `Forbidden: ${refusal.reason}.`)
    case "MethodNotAllowed":
      // Stateless: no SSE stream to open with GET, no session to end with DELETE.
      return jsonRpcError(405, -32000, "Method not allowed: POST JSON-RPC messages to /mcp.", { allow: "POST" })
    case "PayloadTooLarge":
      // The connection then closes (lingerThenClose in Http.ts).
      return jsonRpcError(413, -32000, `Payload Too Large: the limit is ${refusal.limit} bytes (MAX_BODY_BYTES).`, {
        connection: "close"
      })
    case "TooComplex":
      return jsonRpcError(
        413,
        -32600,
        `Request too complex: it holds more than ${refusal.limit} JSON values, and no tool takes that many.`
      )
    case "UnsupportedMediaType":
      return jsonRpcError(415, -32000, "Unsupported Media Type: send Content-Type: application/json.")
    // The SDK transport's own words for these three, which clients may already recognise.
    case "NotAcceptable":
      return jsonRpcError(406, -32000, "Not Acceptable: Client must accept both application/json and text/event-stream")
    case "NotJsonRpc":
      return jsonRpcError(400, -32700, "Parse error: Invalid JSON-RPC message")
    case "UnsupportedProtocolVersion":
      return jsonRpcError(
        400,
        -32000,
        `Bad Request: Unsupported protocol version: ${redactAndCut(refusal.version, 100)} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")})`
      )
    case "NotJson":
      return jsonRpcError(400, -32700, "Parse error: the body is not valid JSON.")
    case "Batch":
      return jsonRpcError(
        400,
        -32600,
        "Invalid Request: JSON-RPC batches are not supported (removed in MCP 2025-06-18); send one message per request."
      )
    case "ProtoKey": {
      const { code, message } = protoKeyError(refusal.path)
      return jsonRpcError(400, code, message, {}, refusal.id)
    }
    case "InvalidRequest":
      return jsonRpcError(400, -32600, "Invalid Request: a JSON-RPC message is an object whose method is a string.")
    case "ShuttingDown":
      return jsonRpcError(503, -32000, "The server is shutting down; retry on another instance.", {
        connection: "close",
        "retry-after": "1"
      })
    case "Busy":
      return jsonRpcError(503, -32000, `Busy ${refusal.reason}; retry in a moment.`, { "retry-after": "1" })
  }
}

// A record, so a refusal added to the union without its tag here does not type-check.
const tags: Readonly<Record<Refusal["_tag"], true>> = {
  Unauthorized: true,
  KeyRefused: true,
  CallerUnchecked: true,
  Forbidden: true,
  MethodNotAllowed: true,
  PayloadTooLarge: true,
  TooComplex: true,
  UnsupportedMediaType: true,
  NotAcceptable: true,
  NotJson: true,
  NotJsonRpc: true,
  UnsupportedProtocolVersion: true,
  Batch: true,
  InvalidRequest: true,
  ProtoKey: true,
  ShuttingDown: true,
  Busy: true
}

export const isRefusal = (u: unknown): u is Refusal =>
  typeof u === "object" && u !== null && Object.hasOwn(tags, (u as { _tag?: string })._tag ?? "")
