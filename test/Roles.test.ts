import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { parseErrorBody } from "../src/litellm/ErrorBody.js"
import { type Release, RELEASES } from "../src/sandbox/Sandbox.js"
import { redactKeysAndHashes } from "../src/litellm/Redaction.js"
import * as Tools from "../src/resources/Tools.js"
import { call, connect, type Env, expectFailure, emptyProxy, expectSuccess, TestEnv, InProcessEnv } from "./support/Harness.js"

/**
 * One proxy with a team (t-team: tadmin administers it, mem is a member), a user outside it, and a
 * key for each role an operator may hand an agent. LiteLLM decides what each may do; these tests
 * check that every lookup finds what LiteLLM lets the caller manage, and that a refusal reaches
 * the agent as LiteLLM's own status and message.
 */
const world = (release: Release = "current") => Effect.gen(function*() {
  const env = yield* TestEnv
  const s = env.standIn
  emptyProxy(s, release)
  s.seedTeam({ team_id: "t-other" })
  const keys = {
    internal_user: s.addCaller("internal_user", "ivan"),
    internal_user_viewer: s.addCaller("internal_user_viewer", "uma"),
    proxy_admin_viewer: s.addCaller("proxy_admin_viewer", "vera"),
    team_admin: s.addCaller("internal_user", "tadmin", [{ team_id: "t-team", role: "admin" }])
  }
  s.addCaller("internal_user", "mem", [{ team_id: "t-team", role: "user" }])
  const memKey = s.seedKey({ key_alias: "mem-key", user_id: "mem", team_id: "t-team" })
  const otherKey = s.seedKey({ key_alias: "other-key", user_id: "other" })
  s.seedUser({ user_id: "other" })
  s.budgets.set("b-team", { budget_id: "b-team", max_budget: 10 })
  s.customers.set("c-1", { user_id: "c-1", blocked: false, budget_id: null })
  s.organizations.set("o-1", { organization_id: "o-1", organization_alias: "Org", budget_id: "b-team" })
  s.orgMemberships.push({ user_id: "mem", organization_id: "o-1", user_role: "internal_user", budget_id: null })
  s.models.push({
    model_name: "model_name_t-team_1",
    litellm_params: { model: "openai/gpt-4o" },
    model_info: { id: "m-team", team_id: "t-team", team_public_model_name: "team-gpt", db_model: true }
  })
  return { env, s, keys, memKey, otherKey }
})

const as = (key: string) => Effect.flatMap(TestEnv, () => connect(key))

/** The failure LiteLLM itself gave last, as the agent must read it. */
const lastRefusal = (env: Env) => {
  const refusal = [...env.standIn.answers].reverse().find((a) => a.status >= 400)
  return refusal === undefined
    ? undefined
    : { status: refusal.status, message: redactKeysAndHashes(parseErrorBody(refusal.status, JSON.stringify(refusal.body)).message) }
}

// One call of every tool, with arguments that name things that exist in `world`.
const sampleArgs: Record<string, Record<string, unknown>> = {
  litellm_user_list: {},
  litellm_user_create: { user_id: "newbie", auto_create_key: false },
  litellm_user_update: { user_id: "mem", max_budget: 3 },
  litellm_user_delete: { user_ids: ["other"] },
  litellm_user_info: { user_id: "mem" },
  litellm_key_list: {},
  litellm_key_generate: { key_alias: "fresh" },
  litellm_key_update: { key_alias: "mem-key", rpm_limit: 3 },
  litellm_key_delete: { key_aliases: ["other-key"] },
  litellm_key_info: { key_alias: "mem-key" },
  litellm_key_block: { key_alias: "other-key" },
  litellm_key_unblock: { key_alias: "other-key" },
  litellm_key_regenerate: { key_alias: "mem-key" },
  litellm_usage_spend_logs: {},
  litellm_usage_daily_activity: {},
  litellm_team_list: {},
  litellm_team_info: { team_id: "t-team" },
  litellm_team_create: { team_alias: "new team" },
  litellm_team_update: { team_id: "t-team", max_budget: 9 },
  litellm_team_delete: { team_ids: ["t-other"] },
  litellm_team_member_add: { team_id: "t-team", member: { role: "user", user_id: "other" } },
  litellm_team_member_delete: { team_id: "t-team", user_id: "mem" },
  litellm_model_list: {},
  litellm_model_info: { model_id: "m-team" },
  // A team's own model: its admin may add, change and delete it (with LiteLLM Enterprise).
  litellm_model_create: { model_name: "team-mini", litellm_params: { model: "openai/gpt-4o-mini" }, model_info: { team_id: "t-team" } },
  litellm_model_update: { model_id: "m-team", litellm_params: { rpm: 3 } },
  litellm_model_delete: { model_id: "m-team" },
  litellm_budget_list: {},
  litellm_budget_info: { budget_ids: ["b-team"] },
  litellm_budget_create: { budget_id: "b-new", max_budget: 5 },
  litellm_budget_update: { budget_id: "b-team", max_budget: 20 },
  litellm_budget_delete: { budget_id: "b-team" },
  litellm_org_list: {},
  litellm_org_info: { organization_id: "o-1" },
  litellm_org_create: { organization_alias: "New org" },
  litellm_org_update: { organization_id: "o-1", organization_alias: "Renamed", max_budget: 9 },
  litellm_org_delete: { organization_ids: ["o-1"] },
  litellm_org_member_add: { organization_id: "o-1", member: { role: "internal_user", user_id: "other" } },
  litellm_org_member_update: { organization_id: "o-1", user_id: "mem", role: "internal_user_viewer" },
  litellm_org_member_delete: { organization_id: "o-1", user_id: "mem" },
  litellm_customer_list: {},
  litellm_customer_info: { user_id: "c-1" },
  litellm_customer_create: { user_id: "c-new" },
  litellm_customer_update: { user_id: "c-1", alias: "Renamed" },
  litellm_customer_delete: { user_ids: ["c-1"] },
  litellm_customer_block: { user_ids: ["c-1"] },
  litellm_customer_unblock: { user_ids: ["c-1"] },
  litellm_team_member_update: { team_id: "t-team", user_id: "mem", max_budget_in_team: 4 },
  litellm_team_block: { team_id: "t-other" },
  litellm_team_unblock: { team_id: "t-other" },
  litellm_team_model_add: { team_id: "t-team", models: ["gpt-4o"] },
  litellm_team_model_remove: { team_id: "t-team", models: ["gpt-4o"] },
  litellm_usage_activity: { entity: "team" },
  litellm_route_search: { query: "organization new" },
  litellm_route_describe: { method: "POST", path: "/organization/new" },
  litellm_route_read: { method: "GET", path: "/key/list" },
  litellm_route_change: { method: "POST", path: "/key/update", body: { key_alias: "mem-key", rpm_limit: 4 } },
  litellm_whoami: {}
}

const ROLES = ["internal_user", "internal_user_viewer", "proxy_admin_viewer", "team_admin"] as const

layer(InProcessEnv(), { excludeTestServices: true })("callers that are not proxy admins", (it) => {
  it.scoped("every tool list above names every tool", () =>
    Effect.sync(() => expect(Object.keys(sampleArgs).sort()).toEqual(Tools.all.map((t) => t.definition.name).sort())))

  const cases = RELEASES.flatMap((release) => ROLES.map((role) => [release, role] as const))
  for (const [release, role] of cases) {
    it.scoped(`${release}, ${role}: every tool either succeeds or carries LiteLLM's own refusal, status and message`, () =>
      Effect.gen(function*() {
        for (const [tool, args] of Object.entries(sampleArgs)) {
          const { env, keys } = yield* world(release)
          env.standIn.enterprise = true
          const client = yield* as(keys[role])
          const envelope = yield* call(client, tool, args)
          if (envelope.success) continue
          const refusal = lastRefusal(env)
          // A 404 of this server's own (a lookup found nothing the caller may manage) is the only
          // failure LiteLLM did not answer itself.
          if (envelope.error.status === 404 && refusal?.status !== 404) continue
          // LiteLLM's message as it came; this server may only add, after it, the tool to use instead.
          expect({ tool, status: envelope.error.status, message: envelope.error.message }).toEqual({
            tool,
            status: refusal?.status,
            message: expect.toSatisfy((m: string) => refusal?.message !== undefined && m.startsWith(refusal.message) &&
              (m === refusal.message || / \((with this server|your own usage)[^)]*\)$/.test(m.slice(refusal.message.length))))
          })
        }
      }))
  }

  it.scoped("internal_user: lists and finds its own keys only; another user's key is not found or refused", () =>
    Effect.gen(function*() {
      const { env, keys, otherKey } = yield* world()
      const client = yield* as(keys.internal_user)
      const list = expectSuccess(yield* call(client, "litellm_key_list", {})) as { keys: Array<{ key_alias: string }> }
      expect(list.keys.map((k) => k.key_alias)).toEqual(["ivan-own-key"])
      expect(expectFailure(yield* call(client, "litellm_key_info", { key_alias: "other-key" }), 404).message)
        .toBe("No key that you can manage has the alias other-key.")
      expect(expectFailure(yield* call(client, "litellm_key_info", { key: otherKey.raw }), 403).message)
        .toBe("You are not allowed to access this key's info. Your role=internal_user")
      expectSuccess(yield* call(client, "litellm_key_update", { key_alias: "ivan-own-key", rpm_limit: 5 }))
      const admin = expectFailure(yield* call(client, "litellm_user_create", { user_id: "x" }), 401)
      expect(admin.message).toMatch(/^Authentication Error, Only proxy admin can be used .* Route=\/user\/new\. Your role=internal_user/)
      expect(env.standIn.users.has("x")).toBe(false)
    }))

  it.scoped("team admin: finds, changes and deletes its team's keys by alias, and manages its team only", () =>
    Effect.gen(function*() {
      const { env, keys, memKey } = yield* world()
      const client = yield* as(keys.team_admin)
      expectSuccess(yield* call(client, "litellm_key_update", { key_alias: "mem-key", rpm_limit: 3 }))
      expect(memKey.row["rpm_limit"]).toBe(3)
      expect(env.standIn.requestsTo("/key/list")[0]!.query.get("include_team_keys")).toBe("true")
      expectSuccess(yield* call(client, "litellm_team_member_add", { team_id: "t-team", member: { role: "user", user_id: "other" } }))
      const refused = expectFailure(
        yield* call(client, "litellm_team_member_add", { team_id: "t-other", member: { role: "user", user_id: "other" } }),
        403
      )
      expect(refused.message).toContain("User not proxy admin OR team admin")
      expectFailure(yield* call(client, "litellm_key_delete", { key_aliases: ["other-key"] }), 404)
      expectSuccess(yield* call(client, "litellm_key_delete", { key_aliases: ["mem-key"] }))
      expect(env.standIn.keys.has(String(memKey.row["token"]))).toBe(false)
    }))

  it.scoped("proxy_admin_viewer: lists everything, another user's info is LiteLLM's 403, and LiteLLM's 403 for a write reaches the agent", () =>
    Effect.gen(function*() {
      const { env, keys } = yield* world()
      const client = yield* as(keys.proxy_admin_viewer)
      const list = expectSuccess(yield* call(client, "litellm_key_list", { size: 100 })) as { keys: Array<unknown> }
      expect(list.keys).toHaveLength(env.standIn.keys.size)
      expectSuccess(yield* call(client, "litellm_user_list", {}))
      // route_checks.py checks /user/info's user_id before it looks at the viewer role.
      expect(expectFailure(yield* call(client, "litellm_user_info", { user_id: "mem" }), 403).message)
        .toBe("key not allowed to access this user's info. user_id=mem, key's user_id=vera")
      const refused = expectFailure(yield* call(client, "litellm_key_generate", {}), 403)
      expect(refused.message).toBe("user not allowed to access this route, role= proxy_admin_viewer. Trying to access: /key/generate")
    }))

  it.scoped("internal_user_viewer: sees its own keys and its own activity; writes are LiteLLM's 401", () =>
    Effect.gen(function*() {
      const { keys } = yield* world()
      const client = yield* as(keys.internal_user_viewer)
      const list = expectSuccess(yield* call(client, "litellm_key_list", {})) as { keys: Array<{ key_alias: string }> }
      expect(list.keys.map((k) => k.key_alias)).toEqual(["uma-own-key"])
      expectSuccess(yield* call(client, "litellm_usage_daily_activity", {}))
      expectFailure(yield* call(client, "litellm_key_generate", {}), 401)
    }))
})
