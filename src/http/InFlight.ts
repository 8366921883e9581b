import { Clock, type Duration, Effect, Option, Ref, Schedule } from "effect"
import { AppConfig } from "../config/AppConfig.js"
import * as Shutdown from "./Shutdown.js"

/**
 * The MCP requests being served, so a shutdown can refuse new ones and let these finish before
 * the LiteLLM client they use is closed.
 */
export class InFlight extends Effect.Service<InFlight>()("app/InFlight", {
  effect: Effect.gen(function*() {
    const count = yield* Ref.make(0)
    const draining = yield* Ref.make(false)
    const idle = Effect.repeat(Ref.get(count), { until: (n) => n === 0, schedule: Schedule.spaced("20 millis") })
    const config = yield* AppConfig
    const take = Ref.modify(count, (n) => n < config.maxCallsInFlight ? [true, n + 1] : [false, n])
    return {
      /** Runs `effect` counted as in flight, or answers none at once when MAX_CALLS_IN_FLIGHT are. */
      track: <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Option.Option<A>, E, R> =>
        Effect.acquireUseRelease(
          take,
          (taken) => taken ? Effect.map(effect, Option.some) : Effect.succeed(Option.none()),
          (taken) => taken ? Ref.update(count, (n) => n - 1) : Effect.void
        ),
      draining: Ref.get(draining),
      /** Stops taking requests; waits for those under way, at most `grace`. */
      drain: (grace: Duration.Duration) =>
        Effect.gen(function*() {
          yield* Ref.set(draining, true)
          const started = yield* Clock.currentTimeMillis
          const pending = yield* Ref.get(count)
          const why = Shutdown.reason()
          if (pending === 0) return yield* Effect.logInfo(`shutting down (${why}): no request in flight`)
          yield* Effect.logInfo(`shutting down (${why}): waiting for ${pending} request(s) in flight`)
          // Interruptible, though it runs in a finalizer: otherwise the timeout could only fire once
          // the calls were done, and the grace would bound nothing.
          yield* Effect.timeout(Effect.interruptible(idle), grace).pipe(
            Effect.zipRight(Effect.flatMap(Clock.currentTimeMillis, (now) =>
              Effect.logInfo(`shut down: the ${pending} request(s) in flight finished in ${now - started} ms`))),
            Effect.catchTag("TimeoutException", () =>
              Effect.flatMap(Ref.get(count), (left) =>
                Effect.logWarning(`shutdown grace period over; stopping anyway, ${left} request(s) abandoned`)))
          )
        })
    } as const
  }),
  dependencies: [AppConfig.Default]
}) {}
