import { Clock, Effect } from "effect"
import { LiteLlm } from "./LiteLlm.js"

/**
 * Something about the LiteLLM behind a client (its licence, its route table), kept per client for
 * as long as `compute` says with it (0: not kept, asked again next time).
 */
export const perLiteLlm = <A>(
  compute: Effect.Effect<{ readonly value: A; readonly keepMs: number }, never, LiteLlm>
): Effect.Effect<A, never, LiteLlm> => {
  const kept = new WeakMap<object, { readonly until: number; readonly value: A }>()
  return Effect.gen(function*() {
    const litellm = yield* LiteLlm
    const now = yield* Clock.currentTimeMillis
    const held = kept.get(litellm)
    if (held !== undefined && now < held.until) return held.value
    const { keepMs, value } = yield* compute
    if (keepMs > 0) kept.set(litellm, { until: now + keepMs, value })
    return value
  })
}
