import { HttpMiddleware, HttpServerRequest, type HttpServerResponse, HttpTraceContext } from "@effect/platform"
import { Cause, Effect, Exit, FiberRef, HashMap, Option } from "effect"
import { LiteLlmCalls } from "../litellm/LiteLlm.js"
import { CurrentRequestLog, RequestLog } from "./RequestLog.js"

// A client chooses these texts: in a log line they must not forge lines or run on.
export const printable = (text: string) => {
  // eslint-disable-next-line no-control-regex
  const safe = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, "?")
  return safe.length > 100 ? `${safe.slice(0, 100)}…` : safe
}

// What happened to a request that produced no response: interrupted because its client went away
// (the platform adds the 499 it could not send) or because the server stopped.
const outcome = (exit: Exit.Exit<HttpServerResponse.HttpServerResponse, unknown>) =>
  Exit.isSuccess(exit)
    ? String(exit.value.status)
    : Cause.isInterrupted(exit.cause)
    ? "aborted (the client went away or the server stopped)"
    : "failed (see the error logged above)"

/**
 * One line per request, without the log span and annotations HttpMiddleware.logger sets up (see
 * docs/PERFORMANCE.md), carrying what the request log gathered on the way; and, with
 * OpenTelemetry, the server span. Both name the path only: a query string may carry a key.
 */
export const accessLog = (tracing: boolean) =>
  HttpMiddleware.make((app) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const log = new RequestLog()
      const started = Date.now()
      const path = printable(request.url.split("?", 1)[0]!)
      // The request's own fiber (the platform makes one per request) carries its log: set, not
      // set locally, as nothing runs in this fiber after the request, and the line is its last step.
      yield* FiberRef.set(CurrentRequestLog, Option.some(log))
      yield* FiberRef.set(LiteLlmCalls, Option.some(log.litellm))
      const served = Effect.onExit(app, (exit) =>
        Effect.zipRight(
          FiberRef.update(FiberRef.currentLogAnnotations, (annotations) =>
            Object.entries(log.annotations()).reduce((acc, [key, value]) => HashMap.set(acc, key, value), annotations)),
          Effect.logInfo(`${request.method} ${path} ${outcome(exit)} ${Date.now() - started}ms`)
        ))
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
