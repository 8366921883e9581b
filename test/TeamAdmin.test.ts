import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { RELEASES } from "../src/sandbox/Sandbox.js"
import { call, connect, emptyProxy, expectFailure, expectSuccess, TestEnv, InProcessEnv } from "./support/Harness.js"

const setup = Effect.gen(function*() {
  const env = yield* TestEnv
  const s = env.standIn
  emptyProxy(s, "current")
  s.enterprise = false
  s.seedUser({ user_id: "bob", user_email: "bob@example.com" })
  s.seedTeam({ team_id: "research", models: ["gpt-4o", "claude"], members_with_roles: [{ user_id: "bob", user_email: "bob@example.com", role: "user" }] })
  s.seedTeam({ team_id: "open", models: [] })
  return { env, s, client: yield* connect(env.adminKey) }
})

type Changed = { team: { models: Array<string> }; note?: string }

layer(InProcessEnv())("team administration tools", (it) => {
  it.scoped("litellm_team_model_add keeps the models it has; a team with every model keeps every model", () =>
    Effect.gen(function*() {
      const { client, s } = yield* setup
      const added = expectSuccess(yield* call(client, "litellm_team_model_add", { team_id: "research", models: ["gpt-4o-mini"] })) as Changed
      expect(added.team.models.sort()).toEqual(["claude", "gpt-4o", "gpt-4o-mini"])
      expect(added.note).toBeUndefined()
      const open = expectSuccess(yield* call(client, "litellm_team_model_add", { team_id: "open", models: ["gpt-4o"] })) as Changed
      expect(s.teams.get("open")!["models"]).toEqual(["all-proxy-models", "gpt-4o"])
      expect(open.note).toContain("every model")
      expectFailure(yield* call(client, "litellm_team_model_add", { team_id: "ghost", models: ["x"] }), 404)
    }))

  it.scoped("litellm_team_model_remove never empties the list, which LiteLLM reads as every model", () =>
    Effect.gen(function*() {
      const { client, env, s } = yield* setup
      const refused = expectFailure(yield* call(client, "litellm_team_model_remove", { team_id: "research", models: ["gpt-4o", "claude"] }), 501)
      expect(refused.message).toContain("every model")
      expect(env.standIn.requestsTo("/team/model/delete")).toEqual([])
      const removed = expectSuccess(yield* call(client, "litellm_team_model_remove", { team_id: "research", models: ["claude", "llama"] })) as Changed
      expect(removed.team.models).toEqual(["gpt-4o"])
      expect(removed.note).toContain("llama")
      const open = expectSuccess(yield* call(client, "litellm_team_model_remove", { team_id: "open", models: ["gpt-4o"] })) as Changed
      expect(open.note).toContain("does not take them away")
      expect(s.teams.get("open")!["models"]).toEqual([])
    }))

  it.scoped("litellm_team_block and litellm_team_unblock set the team's flag; an unknown team is LiteLLM's 404", () =>
    Effect.gen(function*() {
      const { client, s } = yield* setup
      expectSuccess(yield* call(client, "litellm_team_block", { team_id: "research" }))
      expect(s.teams.get("research")!["blocked"]).toBe(true)
      expectSuccess(yield* call(client, "litellm_team_unblock", { team_id: "research" }))
      expect(s.teams.get("research")!["blocked"]).toBe(false)
      const missing = expectFailure(yield* call(client, "litellm_team_block", { team_id: "ghost" }), 404)
      expect(missing.message).toContain("Team not found")
    }))

  it.scoped("litellm_team_member_update: a role by email; role admin needs LiteLLM Enterprise (501)", () =>
    Effect.gen(function*() {
      const { client, env, s } = yield* setup
      expectFailure(yield* call(client, "litellm_team_member_update", { team_id: "research", user_email: "bob@example.com", role: "admin" }), 501)
      s.enterprise = true
      const updated = expectSuccess(yield* call(client, "litellm_team_member_update", { team_id: "research", user_email: "bob@example.com", role: "admin" }))
      expect(updated).toMatchObject({ team_id: "research", user_id: "bob" })
      expect((s.teams.get("research")!["members_with_roles"] as Array<Record<string, unknown>>)[0]!["role"]).toBe("admin")
      expectFailure(yield* call(client, "litellm_team_member_update", { team_id: "research", user_id: "bob" }), 400)
      expect(env.standIn.requestsTo("/team/member_update")).toHaveLength(2)
    }))

  it.scoped.each(RELEASES)("on %s: a team admin updates its members but may not block its team or change its models", (release) =>
    Effect.gen(function*() {
      const { s } = yield* setup
      s.release = release
      s.enterprise = true
      const admin = yield* connect(s.addCaller("internal_user", "tadmin", [{ team_id: "research", role: "admin" }]))
      expectSuccess(yield* call(admin, "litellm_team_member_update", { team_id: "research", user_id: "bob", max_budget_in_team: 5 }))
      expectFailure(yield* call(admin, "litellm_team_block", { team_id: "research" }), 401)
      expectFailure(yield* call(admin, "litellm_team_model_add", { team_id: "research", models: ["x"] }), 401)
      expect(s.teams.get("research")).toMatchObject({ blocked: false, models: ["gpt-4o", "claude"] })
    }))
})
