import { HttpMiddleware, HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"
import { Effect, Layer, Option } from "effect"
import { CallerToken, parseAuthorization } from "./CallerToken.js"
import { LiteLlm } from "./LiteLlm.js"
import * as McpServer from "./McpServer.js"

const NO_STORE = { "cache-control": "no-store" }

const jsonRpcError = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson(
    { jsonrpc: "2.0", error: { code, message }, id: null },
    { status, headers: { ...NO_STORE, ...headers } }
  )

const unauthorized = jsonRpcError(
  401,
  -32001,
  "Send your LiteLLM key as Authorization: Bearer sk-…; this server forwards it to LiteLLM and holds none of its own.",
  { "www-authenticate": "Bearer" }
)

// Stateless: no SSE stream to open with GET, no session to end with DELETE.
const methodNotAllowed = jsonRpcError(405, -32000, "Method not allowed: POST JSON-RPC messages to /mcp.", {
  allow: "POST"
})

const notJson = jsonRpcError(400, -32700, "Parse error: the body is not JSON.")

/** One JSON-RPC POST through a fresh SDK Server and stateless transport, buffered both ways. */
const handle = Effect.fn("Http.mcp")(function*(request: HttpServerRequest.HttpServerRequest, body: unknown) {
  const server = McpServer.make(yield* Effect.runtime<LiteLlm>())
  const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true })
  yield* Effect.promise(() => server.connect(transport))
  const webRequest = new Request(new URL(request.url, "http://localhost"), {
    method: request.method,
    headers: request.headers as Record<string, string>
  })
  const response = yield* Effect.promise(() => transport.handleRequest(webRequest, { parsedBody: body })).pipe(
    Effect.ensuring(Effect.promise(() => server.close()))
  )
  const text = yield* Effect.promise(() => response.text())
  const headers = { ...Object.fromEntries(response.headers), ...NO_STORE }
  return text === ""
    ? HttpServerResponse.empty({ status: response.status, headers })
    : HttpServerResponse.text(text, { status: response.status, headers })
})

const mcp = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  if (request.method !== "POST") return methodNotAllowed
  // Checked before the body is read: an unauthenticated caller costs nothing and reaches nothing.
  const token = parseAuthorization(request.headers["authorization"])
  if (Option.isNone(token)) return unauthorized
  const body = yield* Effect.option(request.json)
  if (Option.isNone(body)) return notJson
  return yield* Effect.locally(handle(request, body.value), CallerToken, token)
})

export const router = HttpRouter.empty.pipe(
  HttpRouter.get("/health", HttpServerResponse.unsafeJson({ status: "ok" })),
  HttpRouter.all("/mcp", mcp),
  HttpRouter.all("*", HttpServerResponse.unsafeJson({ error: "not found" }, { status: 404 }))
)

/** The whole HTTP app; it needs only an `HttpServer` to listen with. */
export const HttpLive = HttpServer.serve(router, HttpMiddleware.logger).pipe(
  HttpServer.withLogAddress,
  Layer.provide(LiteLlm.Default)
)
