import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { endpointOf } from "../src/demo/Demo.js"
import { type Release, RELEASES } from "../src/sandbox/Sandbox.js"
import { call, connect, emptyProxy, expectFailure, expectSuccess, InProcessEnv, TestEnv } from "./support/Harness.js"

describe("--demo's banner", () => {
  it("names a URL a client can open: loopback for a wildcard address (said to be this machine's only), brackets for IPv6", () => {
    expect(endpointOf("127.0.0.1", 3100)).toEqual({ url: "http://127.0.0.1:3100/mcp", wildcard: false })
    expect(endpointOf("0.0.0.0", 3100)).toEqual({ url: "http://127.0.0.1:3100/mcp", wildcard: true })
    expect(endpointOf("::", 3100)).toEqual({ url: "http://127.0.0.1:3100/mcp", wildcard: true })
    expect(endpointOf("::1", 3100)).toEqual({ url: "http://[::1]:3100/mcp", wildcard: false })
    expect(new URL(endpointOf("::1", 3100).url).port).toBe("3100")
  })
})

const HOUR = 3_600_000
const DAY = 24 * HOUR

const setup = (release: Release) =>
  Effect.gen(function*() {
    const env = yield* TestEnv
    emptyProxy(env.standIn, release)
    env.standIn.enterprise = false
    return { env, admin: yield* connect(env.adminKey) }
  })

const near = (iso: unknown, at: number) => {
  expect(typeof iso).toBe("string")
  expect(Math.abs(Date.parse(iso as string) - at)).toBeLessThan(60_000)
}

/**
 * The sandbox is the first LiteLLM people meet (--demo) and the one every test layer runs: it
 * answers as LiteLLM's handlers do (key_management_endpoints.py, team_endpoints.py,
 * internal_user_endpoints.py, common_daily_activity.py, duration_parser.py).
 */
layer(InProcessEnv(), { excludeTestServices: true })("the sandbox tells the truth", (it) => {
  it.scoped("a key's duration is honoured to the second, and a budget period sets when the budget resets", () =>
    Effect.gen(function*() {
      const { admin } = yield* setup("current")
      const started = Date.now()
      const hour = expectSuccess(yield* call(admin, "litellm_key_generate", { key_alias: "h", duration: "1h" })) as Record<string, unknown>
      near(hour["expires"], started + HOUR)
      const week = expectSuccess(yield* call(admin, "litellm_key_generate", { key_alias: "w", duration: "2w", budget_duration: "1d", max_budget: 5 })) as Record<string, unknown>
      near(week["expires"], started + 14 * DAY)
      // get_budget_reset_time: a daily budget resets at the next midnight (UTC), not a day from now.
      const midnight = new Date(started)
      midnight.setUTCHours(24, 0, 0, 0)
      expect(week["budget_reset_at"]).toBe(midnight.toISOString())
      const updated = expectSuccess(yield* call(admin, "litellm_key_update", { key_alias: "h", duration: "30m" })) as Record<string, unknown>
      const info = expectSuccess(yield* call(admin, "litellm_key_info", { key: updated["token"] as string })) as { info: Record<string, unknown> }
      near(info.info["expires"], started + 30 * 60_000)
      const user = expectSuccess(yield* call(admin, "litellm_user_create", { user_id: "u1", max_budget: 10, budget_duration: "30d" })) as Record<string, unknown>
      expect(typeof user["budget_reset_at"]).toBe("string")
      expect(Date.parse(user["budget_reset_at"] as string)).toBeGreaterThan(started)
    }))

  for (const release of RELEASES) {
    it.scoped(`${release}: duration null makes a key never expire where LiteLLM can, and says it cannot where it cannot`, () =>
      Effect.gen(function*() {
        const { admin, env } = yield* setup(release)
        const key = env.standIn.seedKey({ key_alias: "temp", expires: new Date(Date.now() + DAY).toISOString() })
        const answer = yield* call(admin, "litellm_key_update", { key_alias: "temp", duration: null, max_budget: 3 })
        if (env.standIn.traits.neverExpiresDuration) {
          expectSuccess(answer)
          expect(key.row["expires"]).toBeNull()
        } else {
          const error = expectFailure(answer, 501)
          expect(error.message).toContain("cannot remove a key's expiry")
          expect(error.message).toContain("nothing was changed")
          // Nothing was: LiteLLM refused the whole update.
          expect(key.row["expires"]).not.toBeNull()
          expect(key.row["max_budget"]).toBeNull()
        }
      }))
  }

  it.scoped("removing a team member takes the team out of the user's teams", () =>
    Effect.gen(function*() {
      const { admin, env } = yield* setup("current")
      env.standIn.seedTeam({ team_id: "t1" })
      expectSuccess(yield* call(admin, "litellm_team_member_add", { team_id: "t1", member: { role: "user", user_id: "ann" } }))
      expect(env.standIn.users.get("ann")!["teams"]).toEqual(["t1"])
      expectSuccess(yield* call(admin, "litellm_team_member_delete", { team_id: "t1", user_id: "ann" }))
      const ann = expectSuccess(yield* call(admin, "litellm_user_info", { user_id: "ann" })) as { user_info: { teams: Array<string> } }
      expect(ann.user_info.teams).toEqual([])
    }))

  it.scoped("the team admin role needs LiteLLM Enterprise, as in LiteLLM; a plain member does not", () =>
    Effect.gen(function*() {
      const { admin, env } = yield* setup("current")
      env.standIn.seedTeam({ team_id: "t1" })
      const refused = expectFailure(yield* call(admin, "litellm_team_member_add", { team_id: "t1", member: { role: "admin", user_id: "ann" } }), 501)
      expect(refused.message).toContain("Assigning team admins is a premium feature")
      expect(env.standIn.team("t1")["members_with_roles"]).toEqual([])
      env.standIn.enterprise = true
      expectSuccess(yield* call(admin, "litellm_team_member_add", { team_id: "t1", member: { role: "admin", user_id: "ann" } }))
    }))

  it.scoped("a key an internal user makes without user_id is theirs on current LiteLLM, and had no owner before", () =>
    Effect.gen(function*() {
      for (const release of RELEASES) {
        const { env } = yield* setup(release)
        const bob = yield* connect(env.standIn.addCaller("internal_user", "bob"))
        const made = expectSuccess(yield* call(bob, "litellm_key_generate", { key_alias: `bob-${release}` })) as Record<string, unknown>
        expect(made["user_id"]).toBe(env.standIn.traits.keyOwnedByCreator ? "bob" : null)
      }
    }))

  it.scoped("daily activity breaks each day down by model, provider, key (with its alias) and user", () =>
    Effect.gen(function*() {
      const { admin, env } = yield* setup("current")
      const key = env.standIn.seedKey({ key_alias: "ci", user_id: "ann" })
      const today = new Date().toISOString().slice(0, 10)
      env.standIn.seedSpendLog({ api_key: key.row["token"], user: "ann", model: "gpt-4o", custom_llm_provider: "openai", spend: 0.5, total_tokens: 10 })
      const data = expectSuccess(yield* call(admin, "litellm_usage_daily_activity", { start_date: today, end_date: today })) as {
        results: Array<{ breakdown: Record<string, Record<string, { metrics: { spend: number }; metadata: Record<string, unknown> }>> }>
      }
      const breakdown = data.results[0]!.breakdown
      expect(breakdown["models"]!["gpt-4o"]!.metrics.spend).toBe(0.5)
      expect(breakdown["providers"]!["openai"]!.metrics.spend).toBe(0.5)
      expect(breakdown["api_keys"]![key.row["token"] as string]!.metadata).toMatchObject({ key_alias: "ci" })
      expect(breakdown["entities"]!["ann"]!.metrics.spend).toBe(0.5)
    }))

  it.scoped("an internal user reads its own spend logs where LiteLLM's route lists let it (2026 releases)", () =>
    Effect.gen(function*() {
      for (const release of ["current", "mid"] as const) {
        const { env } = yield* setup(release)
        const bob = yield* connect(env.standIn.addCaller("internal_user", "bob"))
        env.standIn.seedSpendLog({ user: "bob", spend: 0.25, startTime: new Date(Date.now() - 60_000).toISOString() })
        const logs = expectSuccess(yield* call(bob, "litellm_usage_spend_logs", {})) as { data: Array<{ user: string }> }
        expect(logs.data.map((l) => l.user)).toEqual(["bob"])
      }
    }))
})
