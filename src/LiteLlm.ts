import { HttpClient, HttpClientRequest, type HttpClientResponse, type UrlParams } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Duration, Effect, Either, FiberRef, Layer, Option, ParseResult, Redacted, Schema, SchemaAST as AST } from "effect"
import { AppConfig } from "./AppConfig.js"
import { CallerToken } from "./CallerToken.js"
import {
  LiteLlmApiError,
  LiteLlmBadResponse,
  type LiteLlmError,
  LiteLlmTimeout,
  LiteLlmUnreachable,
  MissingCallerToken
} from "./Errors.js"
import * as LiteLlmDispatcher from "./LiteLlmDispatcher.js"
import { parseErrorBody } from "./LiteLlmErrorBody.js"
import { CurrentRequestLog } from "./RequestLog.js"
import { namedFieldsOnly } from "./Schemas.js"

const parseJson = Schema.decodeUnknownEither(Schema.parseJson())

/** Handles one LiteLLM status (a 404 from an older release, say) and passes every other failure on. */
export const onStatus = <A2, E2, R2>(status: number, handle: (error: LiteLlmApiError) => Effect.Effect<A2, E2, R2>) =>
<A, E, R>(self: Effect.Effect<A, E | LiteLlmApiError, R>): Effect.Effect<A | A2, E | E2 | LiteLlmApiError, R | R2> =>
  Effect.catchIf(
    self,
    (e): e is LiteLlmApiError => e instanceof LiteLlmApiError && e.status === status,
    handle
  )

// Why a socket failed, in the words an operator searches for (ECONNREFUSED, ECONNRESET, …).
const transportReason = (cause: unknown): string => {
  for (let c = cause, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    const code = (c as NodeJS.ErrnoException).code
    if (typeof code === "string") return code
  }
  return cause instanceof Error ? cause.message : "transport error"
}

/**
 * The LiteLLM Proxy admin API as seen by one caller: every request carries the `Authorization`
 * header of the MCP request being served (from `CallerToken`), never follows a redirect, and
 * fails with a typed `LiteLlmError`.
 */
export class LiteLlm extends Effect.Service<LiteLlm>()("app/LiteLlm", {
  effect: Effect.gen(function*() {
    const config = yield* AppConfig
    const timeoutMs = Duration.toMillis(config.litellmTimeout)
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest(HttpClientRequest.prependUrl(config.litellmBaseUrl)),
      HttpClient.mapRequest(HttpClientRequest.acceptJson),
      // Trace headers only when there is a trace to join; otherwise the caller's key goes alone.
      HttpClient.withTracerPropagation(Option.isSome(config.otelEndpoint))
    )

    // The deadline itself is the dispatcher's (LiteLlmDispatcher): here it only gets its name.
    const transportFailure = (url: string, cause: unknown): LiteLlmUnreachable | LiteLlmTimeout =>
      LiteLlmDispatcher.isDeadline(cause)
        ? new LiteLlmTimeout({ url, timeoutMs })
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
      const checked = validatorOf(schema)(json.right)
      return Either.isLeft(checked)
        ? new LiteLlmBadResponse({ url, reason: ParseResult.TreeFormatter.formatErrorSync(checked.left) })
        : Effect.succeed(json.right as A)
    }

    const toResult = <A, I>(
      schema: Schema.Schema<A, I>,
      url: string,
      response: HttpClientResponse.HttpClientResponse
    ): Effect.Effect<A, LiteLlmError> =>
      Effect.flatMap(
        Effect.mapError(response.text, (e) => transportFailure(url, e.cause)),
        (text): Effect.Effect<A, LiteLlmError> => {
          if (response.status >= 200 && response.status < 300) return decodeBody(schema, url, text)
          if (response.status >= 300 && response.status < 400) {
            return new LiteLlmBadResponse({
              url,
              reason: `HTTP ${response.status} redirect to ${
                response.headers["location"] ?? "nowhere"
              }, which this server never follows`
            })
          }
          return new LiteLlmApiError({ status: response.status, ...parseErrorBody(response.status, text) })
        }
      )

    // No status to log when LiteLLM gave no answer: the request log gets why instead.
    const noteInLog = (why: string) =>
      Effect.map(FiberRef.get(CurrentRequestLog), Option.map((log) => log.litellm.push(why)))

    const send = <A, I>(request: HttpClientRequest.HttpClientRequest, schema: Schema.Schema<A, I>) => {
      const url = `${config.litellmBaseUrl}${request.url}`
      return Effect.gen(function*() {
        const token = yield* FiberRef.get(CallerToken)
        if (Option.isNone(token)) return yield* new MissingCallerToken()
        const authorized = HttpClientRequest.setHeader(request, "authorization", Redacted.value(token.value))
        const log = yield* FiberRef.get(CurrentRequestLog)
        const response = yield* Effect.mapError(client.execute(authorized), (e) => transportFailure(url, e.cause))
        Option.map(log, (l) => l.litellm.push(response.status))
        return yield* toResult(schema, url, response)
      }).pipe(
        Effect.scoped,
        Effect.tapErrorTag("LiteLlmUnreachable", (e) => noteInLog(e.reason)),
        Effect.tapErrorTag("LiteLlmTimeout", () => noteInLog("timeout"))
      )
    }

    // LiteLLM's public liveness route: no caller, so no Authorization header at all.
    const live = client.get("/health/liveliness").pipe(
      Effect.map((response) => response.status === 200),
      Effect.scoped,
      Effect.timeout(Duration.min(config.litellmTimeout, Duration.seconds(2))),
      Effect.orElseSucceed(() => false)
    )
    // Load balancers ask often; LiteLLM is asked at most every few seconds.
    const ready = yield* Effect.cachedWithTTL(live, Duration.seconds(3))

    return {
      ready,
      get: <A, I>(path: string, urlParams: UrlParams.Input, schema: Schema.Schema<A, I>) =>
        send(HttpClientRequest.get(path, { urlParams }), schema),
      post: <A, I>(path: string, body: unknown, schema: Schema.Schema<A, I>) =>
        send(HttpClientRequest.bodyUnsafeJson(HttpClientRequest.post(path), body), schema)
    } as const
  }),
  dependencies: [
    AppConfig.Default,
    NodeHttpClient.layerUndiciWithoutDispatcher.pipe(Layer.provide(LiteLlmDispatcher.layer), Layer.provide(AppConfig.Default))
  ]
}) {}
