import {
  HttpMiddleware,
  HttpRouter,
  HttpServer,
  HttpServerRequest,
  HttpServerResponse,
  HttpTraceContext
} from "@effect/platform"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"
import { NodeHttpServer, NodeHttpServerRequest } from "@effect/platform-node"
import { createServer } from "node:http"
import { Cause, ConfigError, Effect, Either, Exit, FiberRef, Layer, Option, Schema } from "effect"
import { AppConfig } from "../config/AppConfig.js"
import * as Logging from "../observability/Logging.js"
import * as Tracing from "../observability/Tracing.js"
import * as Tools from "../resources/Tools.js"
import { CallerToken, parseAuthorization } from "../litellm/CallerToken.js"
import { InFlight } from "./InFlight.js"
import { LiteLlm, LiteLlmCalls } from "../litellm/LiteLlm.js"
import * as McpServer from "../mcp/McpServer.js"
import * as RebindingGuard from "./RebindingGuard.js"
import * as Refusals from "./Refusals.js"
import { CurrentRequestLog, RequestLog } from "./RequestLog.js"
import * as Tool from "../mcp/Tool.js"
import { type Policy, ToolPolicy } from "../mcp/ToolPolicy.js"

const NO_STORE = { "cache-control": "no-store" }

const decodeJson = Schema.decodeUnknownEither(Schema.parseJson())

/**
 * More JSON values than any tool takes (the same bound as Tool.ts's walk over the arguments),
 * told from the text by its commas without parsing it: parsing an object with tens of thousands of
 * keys is what such a request would cost.
 */
const MAX_JSON_VALUES = Tool.MAX_VALUES
const tooManyValues = (text: string) => {
  let commas = 0
  for (let at = text.indexOf(","); at !== -1; at = text.indexOf(",", at + 1)) {
    if (++commas > MAX_JSON_VALUES) return true
  }
  return false
}


/** A body at least this long is served only while fewer than LARGE_BODIES_AT_ONCE others are. */
const LARGE_BODY = 64 * 1024
const LARGE_BODIES_AT_ONCE = 2


/** Time for the last answers to leave before a stopping server drops its open connections. */
const FLUSH_MS = 250

/** How long, and how many bytes, an oversize body is still read and discarded after the 413. */
const LINGER_MS = 2_000
const LINGER_BYTES = 4 * 1024 * 1024

/**
 * After a 413 sent with `Connection: close`: the connection closes without the rest of the body
 * being read. Node would close it with destroySoon() once the answer is written, and a socket
 * closed with unread bytes makes the kernel reset the connection, so the client may never read
 * the 413 (1 run in 4). Instead, as servers do with a lingering close: half-close, discard what
 * still arrives for a short, bounded time and amount, then close.
 */
const lingerThenClose = (request: HttpServerRequest.HttpServerRequest) => {
  const incoming = NodeHttpServerRequest.toIncomingMessage(request)
  const socket = incoming.socket
  socket.destroySoon = function(this: typeof socket) {
    let discarded = 0
    const close = () => this.destroy()
    this.end()
    setTimeout(close, LINGER_MS).unref()
    this.on("data", (chunk: Buffer) => {
      discarded += chunk.length
      if (discarded > LINGER_BYTES) close()
    })
    this.once("end", close)
  }
  incoming.resume()
}

/**
 * The body, or `undefined` as soon as it passes `max` bytes, whether or not Content-Length said
 * so. On overflow it stops collecting; the 413 then closes the connection (`lingerThenClose`).
 */
const readBody = (request: HttpServerRequest.HttpServerRequest, max: number) =>
  Effect.async<string | undefined, Error>((resume) => {
    const incoming = NodeHttpServerRequest.toIncomingMessage(request)
    const chunks: Array<Buffer> = []
    let size = 0
    const detach = () => {
      incoming.off("data", onData)
      incoming.off("end", onEnd)
      incoming.off("error", onError)
    }
    function onData(chunk: Buffer) {
      size += chunk.length
      if (size <= max) return void chunks.push(chunk)
      detach()
      resume(Effect.succeed(undefined))
    }
    function onEnd() {
      detach()
      resume(Effect.succeed(Buffer.concat(chunks).toString("utf8")))
    }
    function onError(error: Error) {
      detach()
      resume(Effect.fail(error))
    }
    incoming.on("data", onData)
    incoming.on("end", onEnd)
    incoming.on("error", onError)
    return Effect.sync(detach)
  })

// The transport reads only the method and headers of the request it is handed, not its URL.
const TRANSPORT_URL = "http://localhost/mcp"

/** One JSON-RPC POST through a fresh SDK Server and stateless transport, buffered both ways. */
const serve = Effect.fn("Http.mcp")(function*(
  request: HttpServerRequest.HttpServerRequest,
  body: unknown,
  operator: Policy,
  limits: Tool.Limits
) {
  const policy = operator.narrow(narrowingHeaders(request))
  const server = McpServer.make(yield* Effect.runtime<LiteLlm>(), policy, limits)
  // The SDK side is promises from end to end; the fiber waits once, for all of it.
  const { response, text } = yield* Effect.promise(async () => {
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true })
    await server.connect(transport)
    // Not closed afterwards: in stateless JSON mode the answer is complete when handleRequest
    // resolves and nothing outlives the request, while close() builds an McpError and aborts a
    // DOMException into a finished handler, about a tenth of a call's CPU.
    const response = await transport.handleRequest(
      new Request(TRANSPORT_URL, { method: request.method, headers: request.headers as Record<string, string> }),
      { parsedBody: body }
    )
    return { response, text: await response.text() }
  })
  const headers = { ...Object.fromEntries(response.headers), ...NO_STORE }
  return text === ""
    ? HttpServerResponse.empty({ status: response.status, headers })
    : HttpServerResponse.text(text, { status: response.status, headers })
})

/**
 * Every copy of the narrowing headers, as sent: Node joins repeated headers with ", ", which would
 * merge two X-MCP-Tools lists instead of intersecting them.
 */
const narrowingHeaders = (request: HttpServerRequest.HttpServerRequest) => {
  const raw = NodeHttpServerRequest.toIncomingMessage(request).rawHeaders
  const tools: Array<string> = []
  const readonly: Array<string> = []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase()
    if (name === "x-mcp-tools") tools.push(raw[i + 1]!)
    else if (name === "x-mcp-readonly") readonly.push(raw[i + 1]!)
  }
  return { tools, readonly }
}

const RpcCall = Schema.Struct({
  method: Schema.String,
  params: Schema.optional(Schema.Struct({ name: Schema.optional(Schema.String) }))
})
const decodeRpcCall = Schema.decodeUnknownOption(RpcCall)

// A client chooses these texts: in a log line they must not forge lines or run on.
const printable = (text: string) => {
  // eslint-disable-next-line no-control-regex
  const safe = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, "?")
  return safe.length > 100 ? `${safe.slice(0, 100)}…` : safe
}

const noteRpc = (message: unknown) =>
  Effect.map(FiberRef.get(CurrentRequestLog), Option.map((log) =>
    Option.map(decodeRpcCall(message), (call) => {
      log.rpcMethod = printable(call.method)
      if (call.method === "tools/call" && call.params?.name !== undefined) log.tool = printable(call.params.name)
    })
  ))

const makeRouter = Effect.gen(function*() {
  const config = yield* AppConfig
  const inFlight = yield* InFlight
  const { policy } = yield* ToolPolicy
  const rebinding = RebindingGuard.make(config)
  // Parsing and checking a large body blocks the event loop for milliseconds (a 1 MiB object with
  // thousands of keys: ~10–30 ms). A few are served at once, each after a turn of the event loop;
  // more are turned away at once (503), so twenty cannot hold /health, or anyone, for long.
  const largeBodies = yield* Effect.makeSemaphore(LARGE_BODIES_AT_ONCE)
  const whenLarge = <A, E, R>(text: string, effect: Effect.Effect<A, E, R>) =>
    text.length < LARGE_BODY
      ? effect
      : Effect.flatten(Effect.map(
        largeBodies.withPermitsIfAvailable(1)(Effect.zipRight(Effect.sleep(0), effect)),
        Option.match({ onNone: () => Effect.fail(new Refusals.Busy()), onSome: Effect.succeed })
      ))
  const tooLarge = (request: HttpServerRequest.HttpServerRequest) =>
    Effect.zipRight(Effect.sync(() => lingerThenClose(request)), new Refusals.PayloadTooLarge({ limit: config.maxBodyBytes }))

  const mcp = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (request.method !== "POST") return yield* new Refusals.MethodNotAllowed()
    const refused = rebinding({ origin: request.headers["origin"], host: request.headers["host"] })
    if (refused !== undefined) return yield* new Refusals.Forbidden({ reason: refused })
    if (yield* inFlight.draining) return yield* new Refusals.ShuttingDown()
    // Checked before the body is read: an unauthenticated caller costs nothing and reaches nothing.
    const token = parseAuthorization(request.headers["authorization"])
    if (Option.isNone(token)) return yield* new Refusals.Unauthorized()
    if (!request.headers["content-type"]?.toLowerCase().startsWith("application/json")) {
      return yield* new Refusals.UnsupportedMediaType()
    }
    if (Number(request.headers["content-length"] ?? 0) > config.maxBodyBytes) return yield* tooLarge(request)
    const text = yield* readBody(request, config.maxBodyBytes)
    if (text === undefined) return yield* tooLarge(request)
    if (tooManyValues(text)) return yield* new Refusals.TooComplex({ limit: MAX_JSON_VALUES })
    return yield* whenLarge(
      text,
      Effect.gen(function*() {
        const body = decodeJson(text)
        if (Either.isLeft(body)) return yield* new Refusals.NotJson()
        if (Array.isArray(body.right)) return yield* new Refusals.Batch()
        yield* noteRpc(body.right)
        // In flight from here: a client still sending its body holds no shutdown (REQUEST_TIMEOUT_MS
        // bounds it), and one that arrives while draining is refused.
        if (yield* inFlight.draining) return yield* new Refusals.ShuttingDown()
        return yield* inFlight.track(
          Effect.locally(serve(request, body.right, policy, McpServer.limitsOf(config)), CallerToken, token)
        )
      })
    )
  }).pipe(Effect.catchIf(Refusals.isRefusal, (refusal) => Effect.succeed(Refusals.toResponse(refusal))))

  const litellm = yield* LiteLlm
  const ready = Effect.map(litellm.ready, (up) =>
    up
      ? HttpServerResponse.unsafeJson({ status: "ready" })
      : HttpServerResponse.unsafeJson({ status: "unavailable", reason: "LiteLLM's /health/liveliness does not answer" }, {
        status: 503
      }))

  return HttpRouter.empty.pipe(
    HttpRouter.get("/health", HttpServerResponse.unsafeJson({ status: "ok" })),
    HttpRouter.get("/ready", ready),
    HttpRouter.all("/mcp", mcp),
    HttpRouter.all("*", HttpServerResponse.unsafeJson({ error: "not found" }, { status: 404 }))
  )
})

// What happened to a request that produced no response: interrupted because its client went away
// (the platform adds the 499 it could not send) or because the server stopped.
const outcome = (exit: Exit.Exit<HttpServerResponse.HttpServerResponse, unknown>) =>
  Exit.isSuccess(exit)
    ? String(exit.value.status)
    : Cause.isInterrupted(exit.cause)
    ? "aborted (the client went away or the server stopped)"
    : "failed (see the error logged above)"

/**
 * One line per request, without the log span and annotations HttpMiddleware.logger sets up (a
 * tenth of a call's CPU, measured), carrying what the request log gathered on the way; and, with
 * OpenTelemetry, the server span. Both name the path only: a query string may carry a key.
 */
const accessLog = (tracing: boolean) =>
  HttpMiddleware.make((app) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const log = new RequestLog()
      const started = Date.now()
      const path = printable(request.url.split("?", 1)[0]!)
      const served = app.pipe(
        Effect.locally(CurrentRequestLog, Option.some(log)),
        Effect.locally(LiteLlmCalls, Option.some(log.litellm)),
        Effect.onExit((exit) =>
          Effect.logInfo(`${request.method} ${path} ${outcome(exit)} ${Date.now() - started}ms`).pipe(
            Effect.annotateLogs(log.annotations())
          )
        )
      )
      if (!tracing) return yield* served
      return yield* served.pipe(
        Effect.tap((response) => Effect.annotateCurrentSpan("http.response.status_code", response.status)),
        Effect.withSpan(`http.server ${request.method}`, {
          kind: "server",
          captureStackTrace: false,
          parent: Option.getOrUndefined(HttpTraceContext.fromHeaders(request.headers)),
          attributes: { "http.request.method": request.method, "url.path": path }
        })
      )
    })
  )

/**
 * Node's HTTP server with its timeouts set, not left at Node's defaults (a body may trickle in
 * for 300 s): headers within HEADERS_TIMEOUT_MS, the whole request within REQUEST_TIMEOUT_MS,
 * checked every second. Its close() also drops, shortly after, the connections still open: it
 * runs after the drain (HttpLive's finalizer), so once the last answers are flushed what is left
 * is a client still sending a request, which would otherwise hold the shutdown for up to
 * REQUEST_TIMEOUT_MS.
 */
export const nodeServer = (listen: { readonly port: number; readonly host: string }) =>
  Layer.unwrapEffect(Effect.map(AppConfig, (config) =>
    NodeHttpServer.layer(() => {
      const server = createServer({
        headersTimeout: config.headersTimeoutMs,
        requestTimeout: config.requestTimeoutMs,
        connectionsCheckingInterval: 1_000
      })
      const close = server.close.bind(server)
      server.close = (callback) => {
        close(callback)
        setTimeout(() => server.closeAllConnections(), FLUSH_MS).unref()
        return server
      }
      return server
    }, listen)))

/** The whole HTTP app; it needs only an `HttpServer` to listen with (tests give it their own). */
export const HttpApp = Layer.scopedDiscard(Effect.gen(function*() {
  const config = yield* AppConfig
  if (Option.isSome(config.litellmApiKey)) {
    // A key in the server's own environment would be a key for whoever can reach it.
    return yield* Effect.fail(
      ConfigError.InvalidData(["LITELLM_API_KEY"], "is only for --stdio; over HTTP each caller sends its own key")
    )
  }
  const inFlight = yield* InFlight
  yield* HttpServer.serveEffect(yield* makeRouter, accessLog(Option.isSome(config.otelEndpoint)))
  // Runs before the server stops listening and before the LiteLLM client closes.
  yield* Effect.addFinalizer(() => inFlight.drain(config.shutdownGrace))
})).pipe(
  HttpServer.withLogAddress,
  Layer.provide([LiteLlm.Live, InFlight.Default, ToolPolicy.Default, AppConfig.Default])
)

/** The server as it runs: the app with every tool on Node's HTTP server, at PORT and HOST, logging and tracing. */
export const HttpLive = HttpApp.pipe(
  Layer.provide(Tools.layer),
  Layer.provide(Layer.unwrapEffect(Effect.map(AppConfig, (config) => nodeServer({ port: config.port, host: config.host })))),
  Layer.provide(Layer.merge(Logging.layer({ stderr: false }), Tracing.layer)),
  Layer.provide(AppConfig.Default)
)
