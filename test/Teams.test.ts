import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { call, connect, expectFailure, expectOnlyToken, expectSuccess, TestEnv, InProcessEnv } from "./support/Harness.js"

const setup = Effect.gen(function*() {
  const env = yield* TestEnv
  env.standIn.reset()
  env.standIn.teams.clear()
  env.standIn.users.clear()
  env.standIn.keys.clear()
  env.standIn.seedUser({ user_id: "alice", user_email: "alice@example.com" })
  env.standIn.seedTeam({ team_id: "research", team_alias: "Research", members_with_roles: [{ user_id: "alice", role: "admin" }] })
  env.standIn.seedTeam({ team_id: "platform", team_alias: "Platform" })
  env.standIn.seedKey({ key_alias: "research-bot", team_id: "research" })
  return { env, client: yield* connect(env.adminKey) }
})

layer(InProcessEnv())("team tools", (it) => {
  it.scoped("litellm_team_list pages through /v2/team/list; falls back to /team/list on 404", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const data = expectSuccess(yield* call(client, "litellm_team_list", { team_alias: "res", page_size: 5 })) as {
        teams: Array<{ team_id: string }>
        total: number
      }
      expect(data.teams.map((t) => t.team_id)).toEqual(["research"])
      expect(Object.fromEntries(env.standIn.requestsTo("/v2/team/list")[0]!.query)).toEqual({ team_alias: "res", page_size: "5" })
      env.standIn.injectFault("/v2/team/list", { kind: "status", status: 404, body: JSON.stringify({ detail: "Not Found" }) })
      const old = expectSuccess(yield* call(client, "litellm_team_list", { team_alias: "plat" })) as { teams: Array<{ team_id: string }> }
      expect(old.teams.map((t) => t.team_id)).toEqual(["platform"])
      expectOnlyToken(env.standIn, env.adminKey)
    }))

  it.scoped("litellm_team_info: the team, its keys; an unknown team is LiteLLM's 404, unwrapped", () =>
    Effect.gen(function*() {
      const { client } = yield* setup
      const data = expectSuccess(yield* call(client, "litellm_team_info", { team_id: "research" })) as {
        team_info: { team_alias: string }
        keys: Array<{ key_alias: string }>
      }
      expect(data.team_info.team_alias).toBe("Research")
      expect(data.keys.map((k) => k.key_alias)).toEqual(["research-bot"])
      const error = expectFailure(yield* call(client, "litellm_team_info", { team_id: "ghost" }), 404)
      expect(error.message).toBe("Team not found, passed team id: ghost.")
      expectFailure(yield* call(client, "litellm_team_info", {}), 400)
    }))

  it.scoped("litellm_team_create and litellm_team_update", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const created = expectSuccess(yield* call(client, "litellm_team_create", {
        team_id: "ml",
        team_alias: "ML",
        models: ["gpt-4o"],
        max_budget: 100,
        members_with_roles: [{ role: "user", user_email: "bob@example.com" }]
      })) as { team_id: string }
      expect(created.team_id).toBe("ml")
      const dup = expectFailure(yield* call(client, "litellm_team_create", { team_id: "ml" }), 400)
      expect(dup.message).toContain("already exists")
      const updated = expectSuccess(yield* call(client, "litellm_team_update", { team_id: "ml", max_budget: 150, blocked: true }))
      // The team itself, not LiteLLM's {team_id, data: …}.
      expect(updated).toMatchObject({ team_id: "ml", max_budget: 150, blocked: true })
      expect(updated).not.toHaveProperty("data")
      expectFailure(yield* call(client, "litellm_team_update", { team_id: "ghost", max_budget: 1 }), 404)
      expectFailure(yield* call(client, "litellm_team_create", { members_with_roles: [{ role: "user" }] }), 400)
      expect(env.standIn.requestsTo("/team/new")).toHaveLength(2)
    }))

  it.scoped("litellm_team_member_add (one or several) and litellm_team_member_delete", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      expectSuccess(yield* call(client, "litellm_team_member_add", {
        team_id: "platform",
        member: [{ role: "user", user_id: "alice" }, { role: "user", user_email: "new@example.com" }]
      }))
      const roster = env.standIn.teams.get("platform")!["members_with_roles"] as Array<{ user_id: string }>
      expect(roster).toHaveLength(2)
      const again = expectFailure(yield* call(client, "litellm_team_member_add", { team_id: "platform", member: { role: "user", user_id: "alice" } }), 400)
      expect(again.message).toContain("already in team")
      expectSuccess(yield* call(client, "litellm_team_member_delete", { team_id: "platform", user_id: "alice" }))
      expect(roster).toHaveLength(1)
      const missing = expectFailure(yield* call(client, "litellm_team_member_delete", { team_id: "platform", user_id: "alice" }), 400)
      expect(missing.message).toBe("User not found in team")
      expectFailure(yield* call(client, "litellm_team_member_delete", { team_id: "platform", user_id: "a", user_email: "b@c.d" }), 400)
    }))

  it.scoped("litellm_team_delete deletes the teams and their keys; an unknown id deletes nothing", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const error = expectFailure(yield* call(client, "litellm_team_delete", { team_ids: ["research", "ghost"] }), 404)
      expect(error.message).toBe("Team not found, passed team_id=ghost")
      expect(env.standIn.teams.size).toBe(2)
      const data = expectSuccess(yield* call(client, "litellm_team_delete", { team_ids: ["research"] }))
      expect(data).toEqual({ deleted_teams: ["research"] })
      expect(env.standIn.keys.size).toBe(0)
      expectFailure(yield* call(client, "litellm_team_delete", { team_ids: [] }), 400)
    }))
})
