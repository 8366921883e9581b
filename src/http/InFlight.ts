import { Clock, type Duration, Effect, Option, Schedule } from "effect"
import { AppConfig } from "../config/AppConfig.js"
import * as Shutdown from "./Shutdown.js"

/**
 * The MCP requests being served, so a shutdown can refuse new ones and let these finish before
 * the LiteLLM client they use is closed.
 */
export class InFlight extends Effect.Service<InFlight>()("app/InFlight", {
  effect: Effect.gen(function*() {
    // Plain counters, changed only in synchronous steps: every request passes here, and a Ref and
    // an acquireUseRelease around each were a dozen steps of every call.
    let count = 0
    let draining = false
    const current = Effect.sync(() => count)
    const idle = Effect.repeat(current, { until: (n) => n === 0, schedule: Schedule.spaced("20 millis") })
    const config = yield* AppConfig
    const release = Effect.sync(() => {
      count--
    })
    return {
      /** Runs `effect` counted as in flight, or answers none at once when MAX_CALLS_IN_FLIGHT are. */
      track: <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Option.Option<A>, E, R> =>
        // Counted and uncounted with no interruption between: a call cut short still leaves.
        Effect.uninterruptibleMask((restore) =>
          Effect.suspend(() => {
            if (count >= config.maxCallsInFlight) return Effect.succeed(Option.none())
            count++
            return Effect.ensuring(restore(Effect.map(effect, Option.some)), release)
          })
        ),
      draining: Effect.sync(() => draining),
      /** Stops taking requests; waits for those under way, at most `grace`. */
      drain: (grace: Duration.Duration) =>
        Effect.gen(function*() {
          draining = true
          const started = yield* Clock.currentTimeMillis
          const pending = count
          const why = Shutdown.reason()
          if (pending === 0) return yield* Effect.logInfo(`shutting down (${why}): no request in flight`)
          yield* Effect.logInfo(`shutting down (${why}): waiting for ${pending} request(s) in flight`)
          // Interruptible, though it runs in a finalizer: otherwise the timeout could only fire once
          // the calls were done, and the grace would bound nothing.
          yield* Effect.timeout(Effect.interruptible(idle), grace).pipe(
            Effect.zipRight(Effect.flatMap(Clock.currentTimeMillis, (now) =>
              Effect.logInfo(`shut down: the ${pending} request(s) in flight finished in ${now - started} ms`))),
            Effect.catchTag("TimeoutException", () =>
              Effect.flatMap(current, (left) =>
                Effect.logWarning(`shutdown grace period over; stopping anyway, ${left} request(s) abandoned`)))
          )
        })
    } as const
  }),
  dependencies: [AppConfig.Default]
}) {}
