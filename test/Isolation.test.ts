import { expect, layer } from "@effect/vitest"
import { Effect, FastCheck } from "effect"
import type { RecordedRequest } from "./support/StandIn.js"
import { call, connect, expectNoSecretsLogged, TestEnv, TestEnvLive } from "./support/Harness.js"

// Each call names its caller in a filter, so the request LiteLLM receives says who sent it.
const calls = {
  litellm_key_list: (caller: string) => ({ user_id: caller }),
  litellm_user_list: (caller: string) => ({ team: caller }),
  litellm_user_info: (caller: string) => ({ user_id: caller }),
  litellm_key_info: (caller: string) => ({ key_alias: caller }),
  litellm_usage_spend_logs: (caller: string) => ({ user_id: caller })
} as const
type CallName = keyof typeof calls

const callerOf = (request: RecordedRequest) =>
  request.query.get("user_id") ?? request.query.get("team") ?? request.query.get("key_alias")

const Plan = FastCheck.array(
  FastCheck.record({
    calls: FastCheck.array(FastCheck.constantFrom(...(Object.keys(calls) as Array<CallName>)), { minLength: 1, maxLength: 6 }),
    // How long each caller lets others run before each of its calls: the interleaving.
    yields: FastCheck.array(FastCheck.nat(30), { minLength: 6, maxLength: 6 })
  }),
  { minLength: 2, maxLength: 12 }
)

layer(TestEnvLive(), { excludeTestServices: true })("token isolation", (it) => {
  it.effect.prop("concurrent callers, interleaved arbitrarily, each reach LiteLLM only with their own key", { plan: Plan }, ({ plan }) =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      const callers = plan.map((_, i) => ({ name: `caller-${i}`, token: env.standIn.addAdminKey() }))
      yield* Effect.forEach(plan, (step, i) =>
        Effect.scoped(Effect.gen(function*() {
          const client = yield* connect(callers[i]!.token)
          yield* Effect.forEach(step.calls, (name, n) =>
            Effect.zipRight(
              Effect.repeatN(Effect.yieldNow(), step.yields[n]!),
              call(client, name, calls[name](callers[i]!.name))
            ), { concurrency: "unbounded" })
        })), { concurrency: "unbounded" })
      const byName = new Map(callers.map((c) => [c.name, c.token]))
      expect(env.standIn.requests.length).toBeGreaterThanOrEqual(plan.reduce((n, p) => n + p.calls.length, 0))
      const tokens = callers.map((c) => `Bearer ${c.token}`)
      const checks = env.standIn.requests.filter((r) => r.path === "/key/info" && !r.query.has("key"))
      // Connecting asks LiteLLM about the caller's own key: with that key, and once per key while it is kept.
      for (const check of checks) expect(tokens).toContain(check.authorization)
      expect(new Set(checks.map((c) => c.authorization)).size).toBe(checks.length)
      for (const request of env.standIn.requests.filter((r) => !checks.includes(r))) {
        const caller = callerOf(request)
        expect(caller).not.toBeNull()
        expect(request.authorization).toBe(`Bearer ${byName.get(caller!)}`)
      }
    }), { fastCheck: { numRuns: 30 } })

  it.effect("nothing secret was logged", () => Effect.map(TestEnv, expectNoSecretsLogged))
})
