import { UrlParams } from "@effect/platform"
import {
  Clock,
  Duration,
  Effect,
  Either,
  FiberRef,
  Layer,
  Option,
  ParseResult,
  Redacted,
  Schema,
  SchemaAST as AST
} from "effect"
import { AppConfig } from "../config/AppConfig.js"
import { CallerToken } from "./CallerToken.js"
import { CallDeadline } from "./CallDeadline.js"
import {
  CallTimeout,
  LiteLlmAnswerTooLarge,
  LiteLlmAnswersBusy,
  LiteLlmApiError,
  LiteLlmBadResponse,
  type LiteLlmError,
  LiteLlmTimeout,
  LiteLlmUnreachable,
  MissingCallerToken,
  WriteOutcomeUnknown
} from "./Errors.js"
import * as Dispatcher from "./Dispatcher.js"
import { parseErrorBody } from "./ErrorBody.js"
import { redactAndCut, redactKeysAndHashes, redactSecret } from "./Redaction.js"
import { namedFieldsOnly } from "./Answers.js"
import { unrepresentable } from "./Json.js"
import { type Answer, type Outgoing, Transport } from "./Transport.js"

const parseJson = Schema.decodeUnknownEither(Schema.parseJson())

/**
 * A route this LiteLLM release does not have: FastAPI's own 404 body, `{"detail": "Not Found"}`.
 * Handlers answer 404 too (an unknown user, a team the caller is not in), with a body of their own,
 * and those are answers to pass on, not a reason to fall back to an older route.
 */
export const isMissingRoute = (error: LiteLlmApiError): boolean =>
  // That body parses to the message "Not Found" with nothing else said (a ProxyException always
  // carries `type` and `code` besides its message, so it keeps a detail).
  error.status === 404 && error.message === "Not Found" && error.detail === null

/** Falls back when the route is missing from this release; every other failure goes on. */
export const onMissingRoute = <A2, E2, R2>(handle: (error: LiteLlmApiError) => Effect.Effect<A2, E2, R2>) =>
<A, E, R>(self: Effect.Effect<A, E | LiteLlmApiError, R>): Effect.Effect<A | A2, E | E2 | LiteLlmApiError, R | R2> =>
  Effect.catchIf(self, (e): e is LiteLlmApiError => e instanceof LiteLlmApiError && isMissingRoute(e), handle)

/**
 * What a write answers when LiteLLM said 2xx with a body this server did not expect: the write has
 * happened, so the agent gets LiteLLM's answer as it came (an object's fields, or `answer`) and a
 * warning saying what was unexpected, never a failure. The warning's text says all that, so its
 * schema has no description: every write tool's listing carries this branch.
 */
export const UnexpectedAnswer = Schema.Struct({ warning: Schema.String }, Schema.Record({ key: Schema.String, value: Schema.Unknown }))
export type UnexpectedAnswer = typeof UnexpectedAnswer.Type

/** A write tool's result: what LiteLLM is expected to answer, or its unexpected answer with a warning. */
export const Written = <A, I>(expected: Schema.Schema<A, I>) => Schema.Union(expected, UnexpectedAnswer)

export const isUnexpected = (value: unknown): value is UnexpectedAnswer =>
  typeof value === "object" && value !== null && typeof (value as Record<string, unknown>)["warning"] === "string"

const MAX_UNEXPECTED_TEXT = 2_000
// LiteLLM's errors are a sentence or two: past this, an error body is cut (and then seldom JSON).
const MAX_ERROR_TEXT = 64 * 1024
// A shape check's report quotes the values it met: a few lines are enough to say what was wrong.
const MAX_REASON = 1_000
// Another call's answer is read and checked well within this, so a read waits this long for room.
const ROOM_WAIT_MS = 2_000
const ROOM_POLL_MS = 20

/** Whether a LiteLLM version string (1.80.7, 1.80.7-nightly, v1.96.0) is at least `minimum`. */
export const isAtLeast = (version: string, minimum: ReadonlyArray<number>): boolean => {
  const parts = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version)
  if (parts === null) return false
  const have = [Number(parts[1]), Number(parts[2]), Number(parts[3])]
  for (let i = 0; i < minimum.length; i++) {
    if (have[i]! !== minimum[i]!) return have[i]! > minimum[i]!
  }
  return true
}

/** Handles one LiteLLM status and passes every other failure on. */
export const onStatus = <A2, E2, R2>(status: number, handle: (error: LiteLlmApiError) => Effect.Effect<A2, E2, R2>) =>
<A, E, R>(self: Effect.Effect<A, E | LiteLlmApiError, R>): Effect.Effect<A | A2, E | E2 | LiteLlmApiError, R | R2> =>
  Effect.catchIf(
    self,
    (e): e is LiteLlmApiError => e instanceof LiteLlmApiError && e.status === status,
    handle
  )

// The transport failures after which a request cannot have reached LiteLLM: it never connected.
const NEVER_SENT = new Set([
  "ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED", "DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "ERR_TLS_CERT_ALTNAME_INVALID"
])

const mayHaveArrived = (e: LiteLlmError): e is LiteLlmTimeout | LiteLlmUnreachable =>
  (e._tag === "LiteLlmTimeout" && e.phase !== "connect") || (e._tag === "LiteLlmUnreachable" && !NEVER_SENT.has(e.reason))

// What a change named, to find it by: ids and aliases, never a key or a hash.
const IDENTIFYING = ["key_alias", "user_id", "user_email", "team_id", "team_alias", "team_ids", "user_ids", "key_aliases", "member"]

/** A request to LiteLLM as a tool asks for it: a path under LITELLM_BASE_URL, its query, and a JSON body if any. */
interface LiteLlmRequest {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"
  readonly path: string
  readonly urlParams?: UrlParams.Input
  /** Sent as JSON; undefined for none. */
  readonly body?: unknown
}

const sentOf = (request: LiteLlmRequest): Record<string, unknown> => {
  const json = request.body
  if (typeof json !== "object" || json === null) return {}
  return Object.fromEntries(IDENTIFYING.filter((f) => Object.hasOwn(json, f)).map((f) => [f, (json as Record<string, unknown>)[f]]))
}

const unknownOutcome = (request: LiteLlmRequest, e: LiteLlmTimeout | LiteLlmUnreachable) =>
  new WriteOutcomeUnknown({
    url: `${request.method} ${request.path.split("?", 1)[0]}`,
    why: e._tag === "LiteLlmTimeout"
      ? `no answer came within ${e.timeoutMs / 1000} s (LITELLM_WRITE_TIMEOUT_MS)`
      : `the connection broke before the answer (${e.reason})`,
    sent: sentOf(request)
  })

// Why a socket failed, in the words an operator searches for (ECONNREFUSED, ECONNRESET, …).
const transportReason = (cause: unknown): string => {
  for (let c = cause, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    const code = (c as NodeJS.ErrnoException).code
    if (typeof code === "string") return code
  }
  return cause instanceof Error ? cause.message : "transport error"
}

/**
 * Where the HTTP edge collects what each LiteLLM request of the MCP request it serves came to (a
 * status, or why there was none), for its one log line. The tool runs on another fiber, so a
 * shared array is handed down, not a value merged back. Unset, nothing is noted.
 */
export const LiteLlmCalls: FiberRef.FiberRef<Option.Option<Array<number | string>>> = FiberRef.unsafeMake(
  Option.none()
)

/**
 * Says in the request log what LiteLLM's last answer meant, where its status alone would mislead
 * (the master key's "no such key" 404 is how LiteLLM admits it).
 */
export const meaningOfLast = (meaning: string) =>
  Effect.map(FiberRef.get(LiteLlmCalls), Option.map((calls) => {
    if (calls.length > 0) calls[calls.length - 1] = `${calls[calls.length - 1]} (${meaning})`
  }))

/**
 * The LiteLLM Proxy admin API as seen by one caller: every request carries the `Authorization`
 * header of the MCP request being served (from `CallerToken`), never follows a redirect, and
 * fails with a typed `LiteLlmError`.
 */
export class LiteLlm extends Effect.Service<LiteLlm>()("app/LiteLlm", {
  effect: Effect.gen(function*() {
    const config = yield* AppConfig
    const timeoutMs = Duration.toMillis(config.litellmTimeout)
    const writeTimeoutMs = Duration.toMillis(config.litellmWriteTimeout)
    const transport = yield* Transport
    const tracing = Option.isSome(config.otelEndpoint)
    const server = new URL(config.litellmBaseUrl)

    /** The request as it leaves: under LITELLM_BASE_URL, its query built as the platform's HttpClient builds one. */
    const outgoing = (
      request: LiteLlmRequest,
      headers: Record<string, string>
    ): Either.Either<Outgoing, Error> =>
      Either.map(
        UrlParams.makeUrl(`${config.litellmBaseUrl}${request.path}`, UrlParams.fromInput(request.urlParams ?? []), Option.none()),
        (url) =>
          request.body === undefined
            ? { method: request.method, url, headers, body: undefined }
            : { method: request.method, url, headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(request.body) }
      )

    /**
     * A client span for one LiteLLM request, with its path but never its query (a key's hash
     * travels there), and `traceparent` so LiteLLM can join the trace. Without OpenTelemetry
     * neither: the caller's key goes alone.
     */
    const traced = <A, E, R>(
      request: LiteLlmRequest,
      headers: Record<string, string>,
      send: (headers: Record<string, string>) => Effect.Effect<A, E, R>
    ): Effect.Effect<A, E, R> =>
      tracing
        ? Effect.flatMap(Effect.option(Effect.currentSpan), (span) =>
          send(Option.match(span, {
            onNone: () => headers,
            onSome: (s) => ({ ...headers, traceparent: `00-${s.traceId}-${s.spanId}-${s.sampled ? "01" : "00"}` })
          }))
        ).pipe(
          Effect.withSpan(`http.client ${request.method}`, {
            kind: "client",
            captureStackTrace: false,
            attributes: {
              "http.request.method": request.method,
              "url.path": request.path,
              "server.address": server.hostname,
              ...(server.port === "" ? {} : { "server.port": Number(server.port) })
            }
          })
        )
        : send(headers)

    // The dispatcher fails a request with the typed error itself (its deadline, its answer limit);
    // undici's own connect timeout is the one deadline it does not raise.
    const transportFailure = (url: string, cause: unknown): LiteLlmUnreachable | LiteLlmTimeout | LiteLlmAnswerTooLarge =>
      cause instanceof LiteLlmTimeout || cause instanceof LiteLlmAnswerTooLarge
        ? cause
        : (cause as NodeJS.ErrnoException | undefined)?.code === "UND_ERR_CONNECT_TIMEOUT"
        ? new LiteLlmTimeout({ url, timeoutMs, phase: "connect" })
        : new LiteLlmUnreachable({ url, reason: transportReason(cause) })

    // Built once per response schema, not once per call.
    const validators = new WeakMap<object, (u: unknown) => Either.Either<unknown, ParseResult.ParseError>>()
    const validatorOf = <A, I>(schema: Schema.Schema<A, I>) => {
      let validate = validators.get(schema)
      if (validate === undefined) {
        validate = Schema.validateEither(Schema.make(namedFieldsOnly(AST.typeAST(schema.ast))))
        validators.set(schema, validate)
      }
      return validate as (u: unknown) => Either.Either<A, ParseResult.ParseError>
    }

    // The schemas check only the fields this server reads; the parsed JSON goes on as it came,
    // extra fields included (LiteLLM adds some every release), without being rebuilt.
    const decodeBody = <A, I>(schema: Schema.Schema<A, I>, url: string, text: string): Effect.Effect<A, LiteLlmBadResponse> => {
      const json = parseJson(text)
      if (Either.isLeft(json)) return new LiteLlmBadResponse({ url, reason: "the body is not JSON" })
      const odd = unrepresentable(json.right)
      if (odd !== undefined) return new LiteLlmBadResponse({ url, reason: odd })
      const checked = validatorOf(schema)(json.right)
      return Either.isLeft(checked)
        ? new LiteLlmBadResponse({ url, reason: redactAndCut(ParseResult.TreeFormatter.formatErrorSync(checked.left), MAX_REASON) })
        : Effect.succeed(json.right as A)
    }

    // LiteLLM's answers are read up to MAX_LITELLM_RESPONSE_BYTES (the dispatcher's limit): a page
    // of spend logs with stored prompts, or an unpaged /model/info, can exhaust the heap.
    const readCapped = (response: Answer, url: string): Effect.Effect<string, LiteLlmError> =>
      Effect.mapError(response.text, (cause) => transportFailure(url, cause))

    // After a 2xx a write has happened: an answer of another shape is passed on, with a warning.
    const decodeWritten = <A, I>(schema: Schema.Schema<A, I>, url: string, text: string): Effect.Effect<A | UnexpectedAnswer> =>
      Effect.catchTag(decodeBody(schema, url, text), "LiteLlmBadResponse", (bad) => {
        const json = parseJson(text)
        const warning = `LiteLLM answered ${url.slice(config.litellmBaseUrl.length)} with success, so the change was made, ` +
          `but its answer was not what this server expects (${bad.reason}); here it is as LiteLLM sent it.`
        if (Either.isLeft(json) || unrepresentable(json.right) !== undefined) {
          return Effect.succeed({
            warning,
            answer: text.length > MAX_UNEXPECTED_TEXT ? `${text.slice(0, MAX_UNEXPECTED_TEXT)}…` : text
          })
        }
        const body = json.right
        return Effect.succeed(
          typeof body === "object" && body !== null && !Array.isArray(body)
            ? { ...(body as Record<string, unknown>), warning }
            : { warning, answer: body }
        )
      })

    // Generators on every call's way are made once (as in Http.ts): one made per call keeps the
    // call's graph past the scavenges that should have taken it.
    const toResult = Effect.fnUntraced(function*<A, I>(
      schema: Schema.Schema<A, I>,
      url: string,
      response: Answer,
      redact: (text: string) => string,
      lenient: boolean
    ) {
      const text = yield* readCapped(response, url)
      if (response.status >= 200 && response.status < 300) {
        return yield* (lenient ? decodeWritten(schema, url, text) : decodeBody(schema, url, text))
      }
      if (response.status >= 300 && response.status < 400) {
        return yield* new LiteLlmBadResponse({
          url,
          // A login bounce quotes the path and query this server sent, a key's hash among them.
          reason: `HTTP ${response.status} redirect to ${redact(String(response.headers["location"] ?? "nowhere"))}, which this server never follows`
        })
      }
      // Redacted as it enters, and cut first so that redaction costs a bounded time: from here on
      // the error reaches spans, logs and the envelope.
      return yield* new LiteLlmApiError({ status: response.status, ...parseErrorBody(response.status, redactAndCut(text, MAX_ERROR_TEXT, redact)) })
    })

    // The bytes of LiteLLM answers being read and checked, against MAX_LITELLM_RESPONSE_BYTES_HELD.
    // An answer counts at its stated length (uvicorn states it for JSON), or at the largest read
    // when not stated; one answer alone is always read, however large.
    // A plain counter, changed only in synchronous steps: every answer passes here.
    let held = 0
    const maxHeld = config.maxLitellmResponseBytesHeld
    /**
     * Reads the answer with room for it taken, and gives the room back after. Room is waited for
     * a little (another call's answer is read and checked well within that); a change LiteLLM
     * answered has happened, so its answer is read whatever else is held.
     */
    const holding = <A, E, R>(response: Answer, url: string, write: boolean, read: Effect.Effect<A, E, R>) => {
      const stated = Number(response.headers["content-length"] ?? Number.NaN)
      const bytes = Number.isFinite(stated) && stated >= 0 ? Math.min(stated, config.maxLitellmResponseBytes) : config.maxLitellmResponseBytes
      const release = Effect.sync(() => {
        held -= bytes
      })
      const attempt = (left: number): Effect.Effect<A, E | LiteLlmAnswersBusy, R> =>
        // Room taken and given back with no interruption between: an answer cut short still leaves.
        Effect.uninterruptibleMask((restore) =>
          Effect.suspend(() => {
            if (write || held === 0 || held + bytes <= maxHeld) {
              held += bytes
              return Effect.ensuring(restore(read), release)
            }
            if (left === 0) {
              response.discard()
              return new LiteLlmAnswersBusy({ url, bytes, maxHeld, retryAfterS: 2 })
            }
            return restore(Effect.zipRight(Effect.sleep(Duration.millis(ROOM_POLL_MS)), attempt(left - 1))).pipe(
              // Given up while waiting (the caller went away): the answer is never read.
              Effect.onInterrupt(() => Effect.sync(response.discard))
            )
          })
        )
      return attempt(ROOM_WAIT_MS / ROOM_POLL_MS)
    }

    // No status to log when LiteLLM gave no answer: the request log gets why instead.
    const note = (outcome: number | string) => Effect.map(FiberRef.get(LiteLlmCalls), Option.map((calls) => calls.push(outcome)))
    const noteFailure = (e: LiteLlmError) =>
      e._tag === "LiteLlmAnswerTooLarge"
        ? note(`${e.status}, answer too large`)
        : e._tag === "LiteLlmAnswersBusy"
        ? note("answer not read: busy")
        : e._tag === "LiteLlmUnreachable"
        ? note(e.reason)
        : e._tag === "LiteLlmTimeout"
        ? note("timeout")
        : Effect.void

    // One request to LiteLLM and its answer read, held and checked.
    const exchange = Effect.fnUntraced(function*<A, I>(request: LiteLlmRequest, schema: Schema.Schema<A, I>, lenient: boolean) {
      const url = `${config.litellmBaseUrl}${request.path}`
      const token = yield* FiberRef.get(CallerToken)
      if (Option.isNone(token)) return yield* new MissingCallerToken()
      const deadline = yield* FiberRef.get(CallDeadline)
      if (Option.isSome(deadline)) {
        // Started only if its own timeout fits in what is left of the call's: the call then ends
        // by TOOL_TIMEOUT_MS, and a change is never cut short by the call's deadline.
        const now = yield* Clock.currentTimeMillis
        if (now + (lenient ? writeTimeoutMs : timeoutMs) > deadline.value.at) {
          return yield* new CallTimeout({ tool: deadline.value.tool, ms: config.toolTimeoutMs })
        }
      }
      const headers = { accept: "application/json", authorization: `Bearer ${Redacted.value(token.value)}` }
      const response = yield* traced(request, headers, (headers) => {
        const sending = outgoing(request, headers)
        if (Either.isLeft(sending)) return new LiteLlmUnreachable({ url, reason: transportReason(sending.left) })
        const answered = Effect.mapError(transport.send(sending.right), (cause) => transportFailure(url, cause))
        return tracing
          ? Effect.tap(answered, (response) => Effect.annotateCurrentSpan("http.response.status_code", response.status))
          : answered
      })
      yield* note(response.status)
      // The caller's own key by its exact value as well: any character it holds is covered.
      const secret = Redacted.value(token.value)
      return yield* holding(
        response,
        url,
        lenient,
        toResult(schema, url, response, (text) => redactKeysAndHashes(redactSecret(text, secret)), lenient)
      )
    })

    const send = <A, I>(request: LiteLlmRequest, schema: Schema.Schema<A, I>, lenient = false) => {
      const sent = exchange(request, schema, lenient).pipe(Effect.tapError(noteFailure))
      if (!lenient) return sent
      return sent.pipe(
        // A write LiteLLM answered with success has happened, however large its answer.
        Effect.catchIf(
          (e): e is LiteLlmAnswerTooLarge => e._tag === "LiteLlmAnswerTooLarge" && e.status >= 200 && e.status < 300,
          (e) =>
            Effect.succeed<UnexpectedAnswer>({
              warning: `LiteLLM answered ${request.path} with success, so the change was made, but its answer (over ` +
                `${e.maxBytes} bytes, MAX_LITELLM_RESPONSE_BYTES) was not read.`
            })
        ),
        // A change sent without an answer back may have been made: never reported as not made.
        Effect.catchIf(mayHaveArrived, (e) => Effect.fail(unknownOutcome(request, e)))
      )
    }

    // LiteLLM's public liveness route: no caller, so no Authorization header at all. Why it does
    // not answer, in the words an operator searches for: refused, a name that does not resolve, a
    // timeout, or a status from something that is not LiteLLM's liveness route.
    const liveWithin = Duration.min(config.litellmTimeout, Duration.seconds(2))
    // The body is read, though nothing in it counts, so the connection stays open for the next request.
    const publicGet = (path: string): Effect.Effect<{ readonly status: number; readonly text: string }, unknown> =>
      Either.match(outgoing({ method: "GET", path }, { accept: "application/json" }), {
        onLeft: Effect.fail,
        onRight: (request) =>
          Effect.flatMap(transport.send(request), (answer) => Effect.map(answer.text, (text) => ({ status: answer.status, text })))
      })
    const live: Effect.Effect<Option.Option<string>> = publicGet("/health/liveliness").pipe(
      Effect.map((response) =>
        response.status === 200 ? Option.none() : Option.some(`it answered HTTP ${response.status}; is LITELLM_BASE_URL a LiteLLM Proxy?`)
      ),
      Effect.timeoutFail({ duration: liveWithin, onTimeout: () => `no answer within ${Duration.format(liveWithin)}` }),
      Effect.catchAll((e) => Effect.succeed(Option.some(typeof e === "string" ? e : `the connection failed (${transportReason(e)})`)))
    )
    // Load balancers ask often; LiteLLM is asked at most every few seconds.
    const ready = yield* Effect.cachedWithTTL(live, Duration.seconds(3))

    // The release LiteLLM says it is, from a public route (no caller key goes there):
    // public_model_hub_info states it to anyone on every release read; /health/readiness did too
    // until its details went behind allow_public_health_readiness_details (by 1.84.4).
    const statedAt = (path: string) =>
      publicGet(path).pipe(
        Effect.flatMap((response) =>
          response.status === 200 ? Effect.try((): unknown => response.text === "" ? null : JSON.parse(response.text)) : Effect.succeed(undefined)
        ),
        Effect.timeout(Duration.min(config.litellmTimeout, Duration.seconds(2))),
        Effect.map((body) => {
          const version = typeof body === "object" && body !== null ? (body as Record<string, unknown>)["litellm_version"] : undefined
          return typeof version === "string" ? Option.some(version) : Option.none<string>()
        }),
        Effect.orElseSucceed(() => Option.none<string>())
      )
    const readVersion = Effect.flatMap(
      statedAt("/public/model_hub/info"),
      (stated) => Option.isSome(stated) ? Effect.succeed(stated) : statedAt("/health/readiness")
    )
    const version = yield* Effect.cachedWithTTL(readVersion, Duration.minutes(5))

    return {
      /** LITELLM_BASE_URL, for messages that name where LiteLLM was looked for. */
      url: config.litellmBaseUrl,
      /** Why LiteLLM's liveness route does not answer now; none while it does. */
      ready,
      /** LiteLLM's release as its public routes state it; none when they do not say. */
      version,
      get: <A, I>(path: string, urlParams: UrlParams.Input, schema: Schema.Schema<A, I>) =>
        send({ method: "GET", path, urlParams }, schema) as Effect.Effect<A, LiteLlmError>,
      /** A POST that reads or checks: an answer of the wrong shape is a failure (502). */
      post: <A, I>(path: string, body: unknown, schema: Schema.Schema<A, I>) =>
        send({ method: "POST", path, body }, schema) as Effect.Effect<A, LiteLlmError>,
      /** A POST that changes LiteLLM: once it answered 2xx, the answer is never turned into a failure. */
      write: <A, I>(path: string, body: unknown, schema: Schema.Schema<A, I>) => send({ method: "POST", path, body }, schema, true),
      /** A change by another method (PATCH, DELETE with a body): what `write` guarantees. */
      change: <A, I>(method: "PUT" | "PATCH" | "DELETE", path: string, body: unknown, schema: Schema.Schema<A, I>) =>
        send({ method, path, body }, schema, true),
      /**
       * Any method, for the route tier: a change (`write`) keeps a write's guarantees (its own
       * deadline, never a failure once answered 2xx, outcome unknown without an answer).
       */
      request: (
        method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
        path: string,
        urlParams: UrlParams.Input,
        body: unknown,
        write: boolean
      ) => send({ method, path, urlParams, body }, Schema.Unknown, write) as Effect.Effect<unknown, LiteLlmError>
    } as const
  }),
  // The Transport comes from the wiring: undici with LiteLLM's limits (`Live`), or the sandbox in
  // process (`layerTest` in sandbox/InProcess.ts).
  dependencies: [AppConfig.Default]
}) {
  /** Over undici, with LiteLLM's deadline and answer limit: what the HTTP and stdio modes run. */
  static readonly Live = LiteLlm.Default.pipe(Layer.provide(Dispatcher.TransportLive))
}
