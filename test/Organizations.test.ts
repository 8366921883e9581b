import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { RELEASES } from "../src/sandbox/Sandbox.js"
import { call, connect, emptyProxy, expectFailure, expectOnlyToken, expectSuccess, TestEnv, InProcessEnv } from "./support/Harness.js"

type Org = Record<string, unknown> & { organization_id: string; budget_id: string }

const setup = Effect.gen(function*() {
  const env = yield* TestEnv
  const s = env.standIn
  emptyProxy(s, "current")
  s.budgets.set("b-acme", { budget_id: "b-acme", max_budget: 500, budget_duration: "30d" })
  s.organizations.set("acme", { organization_id: "acme", organization_alias: "Acme", budget_id: "b-acme", models: [], metadata: {}, spend: 0 })
  s.seedUser({ user_id: "alice", user_email: "alice@example.com" })
  s.orgMemberships.push({ user_id: "alice", organization_id: "acme", user_role: "org_admin", budget_id: null })
  s.seedTeam({ team_id: "acme-research", organization_id: "acme" })
  s.seedKey({ key_alias: "acme-key", team_id: "acme-research", organization_id: "acme" })
  s.seedKey({ key_alias: "elsewhere" })
  return { env, s, client: yield* connect(env.adminKey) }
})

layer(InProcessEnv())("organization tools", (it) => {
  it.scoped("litellm_org_list and litellm_org_info: members, teams and budget; an unknown id is a 404", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const list = expectSuccess(yield* call(client, "litellm_org_list", { organization_alias: "acm" })) as { organizations: Array<Org>; total: number }
      expect(list.total).toBe(1)
      const info = expectSuccess(yield* call(client, "litellm_org_info", { organization_id: "acme" })) as Org
      expect(info).toMatchObject({
        organization_alias: "Acme",
        litellm_budget_table: { max_budget: 500 },
        members: [{ user_id: "alice", user_role: "org_admin" }],
        teams: [{ team_id: "acme-research" }]
      })
      const missing = expectFailure(yield* call(client, "litellm_org_info", { organization_id: "ghost" }), 404)
      expect(missing.message).toContain("ghost")
      expectOnlyToken(env.standIn, env.adminKey)
    }))

  it.scoped("litellm_org_create makes its budget row from the budget fields", () =>
    Effect.gen(function*() {
      const { client, s } = yield* setup
      const org = expectSuccess(yield* call(client, "litellm_org_create", { organization_alias: "Beta", max_budget: 50, budget_duration: "7d" })) as Org
      expect(s.budgets.get(org.budget_id)).toMatchObject({ max_budget: 50, budget_duration: "7d" })
      expect(s.organizations.get(org.organization_id)).toMatchObject({ organization_alias: "Beta" })
    }))

  it.scoped("litellm_org_update: own fields by PATCH, budget fields on its budget row, read back; unknown first a 404", () =>
    Effect.gen(function*() {
      const { client, env, s } = yield* setup
      const org = expectSuccess(yield* call(client, "litellm_org_update", { organization_id: "acme", organization_alias: "ACME", max_budget: 900 })) as Org
      expect(org).toMatchObject({ organization_alias: "ACME", litellm_budget_table: { max_budget: 900, budget_duration: "30d" } })
      expect(env.standIn.requestsTo("/organization/update")[0]).toMatchObject({ method: "PATCH", body: { organization_id: "acme", organization_alias: "ACME" } })
      expect(env.standIn.requestsTo("/budget/update")[0]!.body).toEqual({ budget_id: "b-acme", max_budget: 900 })
      // Budget alone: no PATCH.
      env.standIn.reset()
      expectSuccess(yield* call(client, "litellm_org_update", { organization_id: "acme", budget_duration: "1mo" }))
      expect(env.standIn.requestsTo("/organization/update")).toEqual([])
      expect(s.budgets.get("b-acme")!["budget_duration"]).toBe("1mo")
      // LiteLLM's plain 500 for an unknown organization is never reached.
      expectFailure(yield* call(client, "litellm_org_update", { organization_id: "ghost", organization_alias: "x" }), 404)
      expect(env.standIn.requestsTo("/organization/update")).toEqual([])
      expectFailure(yield* call(client, "litellm_org_update", { organization_id: "acme" }), 400)
    }))

  it.scoped("litellm_org_delete: teams, memberships and keys go with it; an unknown id among them deletes nothing", () =>
    Effect.gen(function*() {
      const { client, env, s } = yield* setup
      s.organizations.set("beta", { organization_id: "beta", organization_alias: "Beta", budget_id: "b-acme" })
      const refused = expectFailure(yield* call(client, "litellm_org_delete", { organization_ids: ["beta", "ghost"] }), 404)
      expect(refused.message).toContain("ghost")
      expect(env.standIn.requestsTo("/organization/delete")).toEqual([])
      expect([...s.organizations.keys()]).toEqual(["acme", "beta"])
      const done = expectSuccess(yield* call(client, "litellm_org_delete", { organization_ids: ["acme"] })) as {
        deleted: Array<Org>
        teams_deleted: Array<string>
      }
      expect(done.deleted.map((o) => o.organization_id)).toEqual(["acme"])
      expect(done.teams_deleted).toEqual(["acme-research"])
      expect(s.teams.has("acme-research")).toBe(false)
      expect([...s.keys.values()].map((k) => k["key_alias"])).toContain("elsewhere")
      expect([...s.keys.values()].map((k) => k["key_alias"])).not.toContain("acme-key")
      expect(s.orgMemberships).toEqual([])
      expect(env.standIn.requestsTo("/organization/delete")[0]).toMatchObject({ method: "DELETE", body: { organization_ids: ["acme"] } })
    }))

  it.scoped("members: add creates unknown users and sets their budget through member_update; update; delete of a non-member is a 404", () =>
    Effect.gen(function*() {
      const { client, env, s } = yield* setup
      const added = expectSuccess(yield* call(client, "litellm_org_member_add", {
        organization_id: "acme",
        member: [{ role: "internal_user", user_email: "bob@example.com" }],
        max_budget_in_organization: 20
      })) as { updated_users: Array<{ user_id: string }> }
      const bob = added.updated_users[0]!.user_id
      expect(s.users.get(bob)).toMatchObject({ user_email: "bob@example.com" })
      const membership = s.orgMemberships.find((m) => m["user_id"] === bob)!
      expect(s.budgets.get(String(membership["budget_id"]))).toMatchObject({ max_budget: 20 })
      // member_add is sent without the budget it ignores.
      expect(env.standIn.requestsTo("/organization/member_add")[0]!.body).not.toHaveProperty("max_budget_in_organization")
      const updated = expectSuccess(yield* call(client, "litellm_org_member_update", { organization_id: "acme", user_id: bob, role: "org_admin" }))
      expect(updated).toMatchObject({ user_role: "org_admin" })
      expectSuccess(yield* call(client, "litellm_org_member_delete", { organization_id: "acme", user_email: "bob@example.com" }))
      expect(s.orgMemberships.map((m) => m["user_id"])).toEqual(["alice"])
      const notMember = expectFailure(yield* call(client, "litellm_org_member_delete", { organization_id: "acme", user_id: bob }), 404)
      expect(notMember.message).toContain("not a member")
      expectFailure(yield* call(client, "litellm_org_member_update", { organization_id: "acme", user_id: bob, user_email: "b@example.com" }), 400)
    }))

  it.scoped("roles: an internal user may not create or delete; a viewer reads; an org admin adds members to its own organization", () =>
    Effect.gen(function*() {
      const { s } = yield* setup
      const internal = yield* connect(s.addCaller("internal_user", "ivan"))
      expectFailure(yield* call(internal, "litellm_org_create", { organization_alias: "X" }), 401)
      const viewer = yield* connect(s.addCaller("proxy_admin_viewer", "vera"))
      expectSuccess(yield* call(viewer, "litellm_org_info", { organization_id: "acme" }))
      expectFailure(yield* call(viewer, "litellm_org_delete", { organization_ids: ["acme"] }), 403)
      const orgAdmin = yield* connect(s.seedKey({ user_id: "alice" }).raw)
      expectSuccess(yield* call(orgAdmin, "litellm_org_member_add", { organization_id: "acme", member: { role: "internal_user", user_id: "carol" } }))
      // The route check knows an org admin only by the body: its GET of the organization is refused.
      expectFailure(yield* call(orgAdmin, "litellm_org_info", { organization_id: "acme" }), 401)
      expect(s.organizations.has("acme")).toBe(true)
    }))

  it.scoped.each(RELEASES)("on %s: an org admin may remove a member where member_delete is among org_admin_only_routes", (release) =>
    Effect.gen(function*() {
      const { s } = yield* setup
      s.release = release
      s.orgMemberships.push({ user_id: "dave", organization_id: "acme", user_role: "internal_user", budget_id: null })
      const orgAdmin = yield* connect(s.seedKey({ user_id: "alice" }).raw)
      const envelope = yield* call(orgAdmin, "litellm_org_member_delete", { organization_id: "acme", user_id: "dave" })
      // org_admin_only_routes hold member_delete from the 2026 lists on; before, only proxy admins.
      if (release === "legacy") expectFailure(envelope, 401)
      else expectSuccess(envelope)
      expect(s.orgMemberships.some((m) => m["user_id"] === "dave")).toBe(release === "legacy")
    }))
})
