import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { RELEASES } from "../src/sandbox/Sandbox.js"
import { call, connect, emptyProxy, expectFailure, expectSuccess, TestEnv, InProcessEnv } from "./support/Harness.js"

type Page = { results: Array<{ date: string; metrics: { spend: number }; breakdown: { entities: Record<string, unknown> } }> }

const setup = Effect.gen(function*() {
  const env = yield* TestEnv
  const s = env.standIn
  emptyProxy(s, "current")
  s.seedTeam({ team_id: "research", organization_id: "acme" })
  s.seedTeam({ team_id: "platform" })
  const day = "2026-11-30T10:00:00.000Z"
  s.seedSpendLog({ startTime: day, spend: 1, team_id: "research", end_user: "cust-1", request_tags: ["prod"] })
  s.seedSpendLog({ startTime: day, spend: 2, team_id: "platform", end_user: "cust-2", request_tags: ["dev"] })
  return { env, s, client: yield* connect(env.adminKey) }
})

const WINDOW = { start_date: "2026-11-29", end_date: "2026-12-01" }

layer(InProcessEnv())("litellm_usage_activity", (it) => {
  it.scoped("one tool, each entity's route and its own name for the ids", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const cases = [
        ["team", "research", "/team/daily/activity", "team_ids"],
        ["organization", "acme", "/organization/daily/activity", "organization_ids"],
        ["customer", "cust-1", "/customer/daily/activity", "end_user_ids"],
        ["tag", "prod", "/tag/daily/activity", "tags"]
      ] as const
      for (const [entity, id, route, param] of cases) {
        const page = expectSuccess(yield* call(client, "litellm_usage_activity", { entity, ids: [id], ...WINDOW })) as Page
        expect({ entity, spend: page.results[0]?.metrics.spend, entities: Object.keys(page.results[0]?.breakdown.entities ?? {}) })
          .toEqual({ entity, spend: 1, entities: [id] })
        expect(Object.fromEntries(env.standIn.requestsTo(route)[0]!.query)).toEqual({ ...WINDOW, [param]: id })
      }
      const excluded = expectSuccess(yield* call(client, "litellm_usage_activity", { entity: "team", exclude_ids: ["research"], ...WINDOW })) as Page
      expect(Object.keys(excluded.results[0]!.breakdown.entities)).toEqual(["platform"])
      expectFailure(yield* call(client, "litellm_usage_activity", { entity: "tag", exclude_ids: ["dev"] }), 400)
      expectFailure(yield* call(client, "litellm_usage_activity", { entity: "team", ids: ["a,b"] }), 400)
    }))

  it.scoped.each(RELEASES)("on %s: a member sees its own teams; another team is LiteLLM's 404", (release) =>
    Effect.gen(function*() {
      const { s } = yield* setup
      s.release = release
      const member = yield* connect(s.addCaller("internal_user", "ivan", [{ team_id: "research", role: "user" }]))
      const own = expectSuccess(yield* call(member, "litellm_usage_activity", { entity: "team", ...WINDOW })) as Page
      expect(Object.keys(own.results[0]!.breakdown.entities)).toEqual(["research"])
      const other = expectFailure(yield* call(member, "litellm_usage_activity", { entity: "team", ids: ["platform"], ...WINDOW }), 404)
      expect(other.message).toContain("User does not belong to Team= platform")
    }))
})
