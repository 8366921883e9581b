import { Cache, Cause, Duration, Effect, Exit, Fiber, Option } from "effect"
import { AppConfig } from "../config/AppConfig.js"
import type { LiteLlmError } from "../litellm/Errors.js"
import * as Caller from "../resources/Caller.js"

/** Whether LiteLLM refused the key itself, not failed to answer. */
export const isKeyRefusal = (error: LiteLlmError): boolean => error._tag === "LiteLlmApiError" && Caller.isKeyRefusal(error)

/**
 * LiteLLM's answer about each caller's key (its `Admission`: a few fields, not LiteLLM's rows),
 * asked when a client connects or lists tools and kept a
 * short while (CALLER_CHECK_TTL_MS), by the key's hash, for at most CALLER_CHECK_CACHE_SIZE keys. A
 * refusal is kept as long as an identity, so a client retrying a wrong key costs LiteLLM one request
 * a TTL; LiteLLM down or slow is never kept: it is not an answer about the key.
 */
export class CallerCheck extends Effect.Service<CallerCheck>()("app/CallerCheck", {
  effect: Effect.gen(function*() {
    const config = yield* AppConfig
    const cache = yield* Cache.makeWith({
      capacity: config.callerCheckCacheSize,
      // Runs on the fiber that asks, so LiteLLM is asked with that request's CallerToken: the key
      // whose hash is asked about, since no two keys share a hash.
      lookup: (_hash: string) => Effect.map(Caller.identify, Caller.admission),
      timeToLive: (exit) =>
        Exit.isSuccess(exit) || Option.exists(Cause.failureOption(exit.cause), isKeyRefusal)
          ? config.callerCheckTtl
          : Duration.zero
    })
    return {
      /** Who the caller is whose key, in CallerToken, has this sha256 hash. */
      admit: (keyHash: string): Effect.Effect<Caller.Admission, LiteLlmError> =>
        // On a fiber of its own (with this request's CallerToken), so that when this request goes
        // away the question still gets its answer (LITELLM_TIMEOUT_MS bounds it): others asking
        // about the same key meanwhile wait for that answer, and would otherwise all fail with it.
        Effect.flatMap(Effect.forkDaemon(cache.get(keyHash)), Fiber.join)
    } as const
  }),
  dependencies: [AppConfig.Default]
}) {}
