import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { isJsonContentType } from "@modelcontextprotocol/sdk/shared/mediaType.js"
import {
  isInitializeRequest,
  type JSONRPCRequest,
  JSONRPCMessageSchema,
  SUPPORTED_PROTOCOL_VERSIONS
} from "@modelcontextprotocol/sdk/types.js"
import { Effect, Either, FiberRef, Layer, Option, Redacted, Schema } from "effect"
import { AppConfig, requireMode } from "../config/AppConfig.js"
import { CallerToken, parseAuthorization } from "../litellm/CallerToken.js"
import type { KeyAccess } from "../litellm/Access.js"
import type { LiteLlmError } from "../litellm/Errors.js"
import { sha256Hex } from "../litellm/KeyHash.js"
import { LiteLlm } from "../litellm/LiteLlm.js"
import { redactKeysAndHashes } from "../litellm/Redaction.js"
import { protoKeyPath } from "../mcp/ProtoKeys.js"
import { accessOf, CallerCheck, isKeyRefusal } from "../resources/Caller.js"
import * as McpServer from "../mcp/McpServer.js"
import type * as Tool from "../mcp/Tool.js"
import { type Policy, ToolPolicy } from "../mcp/ToolPolicy.js"
import * as Logging from "../observability/Logging.js"
import * as Tracing from "../observability/Tracing.js"
import * as Tools from "../resources/Tools.js"
import { accessLog, printable } from "./AccessLog.js"
import { LARGE_BODIES_AT_ONCE, LARGE_BODY, lingerThenClose, MAX_JSON_VALUES, readBody, tooManyValues } from "./Body.js"
import { InFlight } from "./InFlight.js"
import { nodeServer } from "./NodeServer.js"
import * as RebindingGuard from "./RebindingGuard.js"
import * as Refusals from "./Refusals.js"
import { CurrentRequestLog } from "./RequestLog.js"

const NO_STORE = { "cache-control": "no-store" }

const decodeJson = Schema.decodeUnknownEither(Schema.parseJson())

/**
 * One JSON-RPC request through the process's endpoint, with this request's caller and policy. No
 * span of its own: the request's (AccessLog.ts) and the tool's say all one would.
 */
const serve = (
  endpoint: McpServer.Endpoint,
  request: HttpServerRequest.HttpServerRequest,
  message: JSONRPCRequest,
  operator: Policy,
  limits: Tool.Limits,
  access: KeyAccess | undefined
) => {
  const policy = operator.narrow(narrowingHeaders(request))
  return Effect.map(
    endpoint.answer(message, {
      policy,
      limits: access === undefined ? limits : { ...limits, access },
      listed: () => Promise.resolve(policy.listedFor(access))
    }),
    // As text, not bytes: Node writes the string into the socket itself, without a copy encoded first.
    (answer) => HttpServerResponse.raw(answer, { contentType: "application/json", contentLength: Buffer.byteLength(answer), headers: NO_STORE })
  )
}

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

// Only the method decides what the edge does with a message (whether the caller is checked);
// params are the SDK's to judge, so no shape of them can change that.
const RpcCall = Schema.Struct({ method: Schema.String, id: Schema.optional(Schema.Unknown), params: Schema.optional(Schema.Unknown) })
const decodeRpcCall = Schema.decodeUnknownOption(RpcCall)

/** A JSON-RPC response, the one message without a method (this server sends no requests, but it is valid). */
const isResponse = (body: unknown): boolean =>
  typeof body === "object" && body !== null && !Object.hasOwn(body, "method") &&
  (Object.hasOwn(body, "result") || Object.hasOwn(body, "error"))

const toolNameOf = (call: typeof RpcCall.Type): string | undefined => {
  const params = call.params
  if (call.method !== "tools/call" || typeof params !== "object" || params === null) return undefined
  const name = (params as { readonly name?: unknown }).name
  return typeof name === "string" ? name : undefined
}

const noteRpc = (call: Option.Option<typeof RpcCall.Type>) =>
  Effect.map(FiberRef.get(CurrentRequestLog), Option.map((log) =>
    Option.map(call, (call) => {
      // Names the client chose: a key pasted there must not reach the log.
      log.rpcMethod = printable(redactKeysAndHashes(call.method))
      const tool = toolNameOf(call)
      if (tool !== undefined) log.tool = printable(redactKeysAndHashes(tool))
    })
  ))

// Where a client connects and learns its tools, LiteLLM is asked about the key first (the answer is
// kept briefly): a key it refuses fails here, as an authentication problem, not at the first call.
const CHECKED_METHODS = new Set(["initialize", "tools/list"])

const uncheckedBecause = (error: LiteLlmError, id: unknown): Refusals.Refusal =>
  isKeyRefusal(error)
    ? new Refusals.KeyRefused({ status: error.status, message: error.message, id })
    : error._tag === "MissingCallerToken"
    ? new Refusals.Unauthorized()
    : new Refusals.CallerUnchecked({
      status: error._tag === "LiteLlmTimeout" || error._tag === "CallTimeout" ? 504 : 502,
      message: error.message,
      id
    })

// Clients that meet a 401 go looking for OAuth (mcp-remote, some editors) and report what they find
// there: a 404 that says there is none, and what the 401 meant.
const NO_OAUTH = HttpServerResponse.unsafeJson({
  error: "invalid_request",
  error_description: "litellm-admin-mcp has no OAuth: send Authorization: Bearer sk-… with a LiteLLM key. A 401 from " +
    "/mcp means that header was missing or malformed, or that LiteLLM refused the key (the 401's body says which)."
}, { status: 404, headers: NO_STORE })

const HEALTHY = HttpServerResponse.unsafeJson({ status: "ok" })

const NOT_FOUND = HttpServerResponse.unsafeJson({ error: "not found" }, { status: 404 })

const ACCEPTED = HttpServerResponse.empty({ status: 202, headers: NO_STORE })

const makeRouter = Effect.gen(function*() {
  const config = yield* AppConfig
  const inFlight = yield* InFlight
  const { policy } = yield* ToolPolicy
  const callers = yield* CallerCheck
  const rebinding = RebindingGuard.make(config)
  const limits = McpServer.limitsOf(config)
  // Closed after the drain (a finalizer added later runs first): no request is cut off by it.
  const endpoint = yield* Effect.acquireRelease(Effect.promise(McpServer.Endpoint.make), (endpoint) => Effect.promise(endpoint.shutdown))
  // Parsing and checking a large body blocks the event loop for milliseconds (a 1 MiB object with
  // thousands of keys: ~10–30 ms). A few are served at once, each after a turn of the event loop;
  // more are turned away at once (503), so twenty cannot hold /health, or anyone, for long.
  const largeBodies = yield* Effect.makeSemaphore(LARGE_BODIES_AT_ONCE)
  const whenLarge = <A, E, R>(text: string, effect: Effect.Effect<A, E, R>) =>
    text.length < LARGE_BODY
      ? effect
      : Effect.flatten(Effect.map(
        largeBodies.withPermitsIfAvailable(1)(Effect.zipRight(Effect.sleep(0), effect)),
        Option.match({ onNone: () => Effect.fail(new Refusals.Busy({ reason: "with other large requests" })), onSome: Effect.succeed })
      ))
  const tooLarge = (request: HttpServerRequest.HttpServerRequest) =>
    Effect.zipRight(Effect.sync(() => lingerThenClose(request)), new Refusals.PayloadTooLarge({ limit: config.maxBodyBytes }))

  // LiteLLM's kept answer about the key in CallerToken.
  const admitted = (key: Redacted.Redacted<string>) => callers.admit(sha256Hex(Redacted.value(key)))

  // What the key may be offered, from LiteLLM, where a client connects or lists its tools; undefined
  // (nothing ruled out) elsewhere, when tailoring is off, or when LiteLLM did not describe the key.
  const offeredTo = (call: Option.Option<typeof RpcCall.Type>, key: Redacted.Redacted<string>) =>
    Option.isSome(call) && CHECKED_METHODS.has(call.value.method)
      ? admitted(key).pipe(
        Effect.map((admission) => config.tailor ? accessOf(admission) : undefined),
        Effect.mapError((e) => uncheckedBecause(e, call.value.id ?? null))
      )
      : Effect.succeed(undefined)

  // For a tool that asks who calls (the route tier's "may this key call it"): kept, never failing.
  // It runs in the tool's fiber, which carries the request's CallerToken; suspended, as most calls
  // never ask and hashing the key would be work on every one of them.
  const callerOf = (key: Redacted.Redacted<string>): Effect.Effect<KeyAccess | undefined> =>
    Effect.suspend(() => admitted(key)).pipe(Effect.map(accessOf), Effect.orElseSucceed(() => undefined))

  // The message as the SDK's transport judges it, after the caller (a key LiteLLM refuses is
  // refused whatever the message holds): the answers the client accepts, its JSON-RPC shape, and
  // after initialize the protocol version it says it speaks.
  // Made once, like every generator on a request's way: a generator function made per request
  // gets a prototype of its own, which V8 records where scavenges cannot let it go, and the
  // request's whole graph then lives on to the next full collection (docs/PERFORMANCE.md).
  const dispatch = Effect.fnUntraced(function*(
    request: HttpServerRequest.HttpServerRequest,
    body: unknown,
    limits: Tool.Limits,
    access: KeyAccess | undefined
  ) {
    // What the SDK's transport asks of every POST: an answer may come as JSON or as a stream.
    const accept = request.headers["accept"]
    if (!accept?.includes("application/json") || !accept.includes("text/event-stream")) return yield* new Refusals.NotAcceptable()
    const parsed = JSONRPCMessageSchema.safeParse(body)
    if (!parsed.success) return yield* new Refusals.NotJsonRpc()
    const message = parsed.data
    const version = request.headers["mcp-protocol-version"]
    if (
      version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version) &&
      !("method" in message && message.method === "initialize" && isInitializeRequest(message))
    ) {
      return yield* new Refusals.UnsupportedProtocolVersion({ version })
    }
    // A notification or a response asks nothing back (the SDK's Server would only note it).
    if (!("method" in message) || !("id" in message)) return ACCEPTED
    return yield* serve(endpoint, request, message as JSONRPCRequest, policy, limits, access)
  })

  // A body read whole, from its text to its answer.
  const answerBody = Effect.fnUntraced(function*(
    request: HttpServerRequest.HttpServerRequest,
    text: string,
    token: Option.Some<Redacted.Redacted<string>>
  ) {
    const body = decodeJson(text)
    if (Either.isLeft(body)) return yield* new Refusals.NotJson()
    if (Array.isArray(body.right)) return yield* new Refusals.Batch()
    const call = decodeRpcCall(body.right)
    if (Option.isNone(call) && !isResponse(body.right)) return yield* new Refusals.InvalidRequest()
    if (Option.isSome(call) && call.value.method === "tools/call") {
      const path = protoKeyPath((call.value.params as { arguments?: unknown } | undefined)?.arguments)
      if (path !== undefined) return yield* new Refusals.ProtoKey({ path, id: call.value.id ?? null })
    }
    yield* noteRpc(call)
    // In flight from here: a client still sending its body holds no shutdown (REQUEST_TIMEOUT_MS
    // bounds it), and one that arrives while draining is refused.
    if (yield* inFlight.draining) return yield* new Refusals.ShuttingDown()
    // Set in the request's own fiber, which the platform makes for this request alone: the
    // token goes with everything the request does (a change's daemon fiber inherits it) and
    // ends with it, without an Effect.locally's region to restore.
    yield* FiberRef.set(CallerToken, token)
    // A burst past MAX_CALLS_IN_FLIGHT is refused at once: never the heap of every call under way.
    const served = yield* inFlight.track(Effect.flatMap(offeredTo(call, token.value), (access) =>
      dispatch(request, body.right, { ...limits, caller: callerOf(token.value) }, access)))
    if (Option.isNone(served)) return yield* new Refusals.Busy({ reason: `with ${config.maxCallsInFlight} calls (MAX_CALLS_IN_FLIGHT)` })
    return served.value
  })

  const mcp = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    // The router forgives case, slashes and encodings; a front proxy's rule for /mcp must not be
    // side-stepped by /MCP, //mcp, /mcp/ or /%6dcp, so only the path itself is served.
    if (request.url.split("?", 1)[0] !== "/mcp") return NOT_FOUND
    if (request.method !== "POST") return yield* new Refusals.MethodNotAllowed()
    const refused = rebinding({ origin: request.headers["origin"], host: request.headers["host"] })
    if (refused !== undefined) return yield* new Refusals.Forbidden({ reason: refused })
    if (yield* inFlight.draining) return yield* new Refusals.ShuttingDown()
    // Checked before the body is read: an unauthenticated caller costs nothing and reaches nothing.
    const token = parseAuthorization(request.headers["authorization"])
    if (Option.isNone(token)) return yield* new Refusals.Unauthorized()
    if (!isJsonContentType(request.headers["content-type"])) return yield* new Refusals.UnsupportedMediaType()
    if (Number(request.headers["content-length"] ?? 0) > config.maxBodyBytes) return yield* tooLarge(request)
    const text = yield* readBody(request, config.maxBodyBytes)
    if (text === undefined) return yield* tooLarge(request)
    if (tooManyValues(text)) return yield* new Refusals.TooComplex({ limit: MAX_JSON_VALUES })
    return yield* whenLarge(text, answerBody(request, text, token))
  }).pipe(Effect.catchIf(Refusals.isRefusal, (refusal) => Effect.succeed(Refusals.toResponse(refusal))))

  const litellm = yield* LiteLlm
  const ready = Effect.map(litellm.ready, Option.match({
    onNone: () => HttpServerResponse.unsafeJson({ status: "ready" }),
    onSome: (why) =>
      HttpServerResponse.unsafeJson({
        status: "unavailable",
        reason: `LiteLLM's /health/liveliness at ${config.litellmBaseUrl} does not answer: ${why}`
      }, { status: 503 })
  }))

  return HttpRouter.empty.pipe(
    // Whether this process serves: 503 from the moment a shutdown drains, so a readiness probe on
    // it takes the pod out of the Service at once (liveness tolerates the few seconds of a drain).
    HttpRouter.get("/health", Effect.map(inFlight.draining, (draining) =>
      draining
        ? HttpServerResponse.unsafeJson({ status: "draining" }, { status: 503, headers: { "retry-after": "1" } })
        : HEALTHY)),
    HttpRouter.get("/ready", ready),
    HttpRouter.all("/mcp", mcp),
    HttpRouter.all("/.well-known/*", NO_OAUTH),
    HttpRouter.all("/register", NO_OAUTH),
    HttpRouter.all("/authorize", NO_OAUTH),
    HttpRouter.all("/token", NO_OAUTH),
    HttpRouter.all("*", NOT_FOUND)
  )
})

const makeHttpApp = (options: { readonly announce: boolean }) => Layer.scopedDiscard(Effect.gen(function*() {
  const config = yield* AppConfig
  yield* requireMode(config, "http")
  const inFlight = yield* InFlight
  yield* HttpServer.serveEffect(yield* makeRouter, accessLog(Option.isSome(config.otelEndpoint)))
  // Runs before the server stops listening and before the LiteLLM client closes.
  yield* Effect.addFinalizer(() => inFlight.drain(config.shutdownGrace))
  // Where every call will go, and whether it answers now: a wrong URL shows at start-up, not at
  // an agent's first call. A LiteLLM that is down does not stop the server.
  if (!options.announce) return
  // Every caller's key crosses this listener: beyond loopback it should sit behind TLS.
  if (!RebindingGuard.isLoopbackName(config.host)) {
    yield* Effect.logWarning(
      `listening on ${config.host}, beyond loopback: every caller's LiteLLM key crosses this port, so put TLS in ` +
        `front of it (an ingress or a reverse proxy); clients use that address's URL with /mcp, not 127.0.0.1`
    )
  }
  const litellm = yield* LiteLlm
  yield* Effect.forkScoped(Effect.flatMap(litellm.ready, Option.match({
    onNone: () => Effect.logInfo(`LiteLLM at ${config.litellmBaseUrl} answers`),
    onSome: (why) =>
      Effect.logWarning(
        `LiteLLM at ${config.litellmBaseUrl} does not answer /health/liveliness (yet): ${why}; calls will be 502 until it does`
      )
  })))
})).pipe(
  HttpServer.withLogAddress,
  Layer.provide(CallerCheck.Default),
  Layer.provide([LiteLlm.Live, InFlight.Default, ToolPolicy.Default, AppConfig.Default])
)

/** The whole HTTP app; it needs only an `HttpServer` to listen with (tests give it their own). */
export const HttpApp = makeHttpApp({ announce: false })

/**
 * The server as it runs: the app with every tool on Node's HTTP server, at PORT and HOST, logging
 * and tracing. Settings are checked before the port is opened.
 */
export const HttpLive = Layer.unwrapEffect(Effect.gen(function*() {
  const config = yield* AppConfig
  yield* requireMode(config, "http")
  return makeHttpApp({ announce: true }).pipe(
    Layer.provide(Tools.layer),
    Layer.provide(nodeServer({ port: config.port, host: config.host })),
    Layer.provide(Layer.merge(Logging.layer({ stderr: false }), Tracing.layer))
  )
})).pipe(Layer.provide(AppConfig.Default))
