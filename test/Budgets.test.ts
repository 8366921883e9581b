import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { RELEASES } from "../src/sandbox/Sandbox.js"
import { call, connect, emptyProxy, expectFailure, expectOnlyToken, expectSuccess, TestEnv, InProcessEnv } from "./support/Harness.js"

const setup = Effect.gen(function*() {
  const env = yield* TestEnv
  emptyProxy(env.standIn, "current")
  env.standIn.budgets.set("team-tier", { budget_id: "team-tier", max_budget: 100, soft_budget: 80, budget_duration: "30d", tpm_limit: null })
  return { env, client: yield* connect(env.adminKey) }
})

type Budget = Record<string, unknown> & { budget_id: string }

layer(InProcessEnv())("budget tools", (it) => {
  it.scoped("litellm_budget_list and litellm_budget_info; info names the ids no budget has", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const list = expectSuccess(yield* call(client, "litellm_budget_list")) as { budgets: Array<Budget>; total: number }
      expect(list).toMatchObject({ total: 1, budgets: [{ budget_id: "team-tier", max_budget: 100 }] })
      const info = expectSuccess(yield* call(client, "litellm_budget_info", { budget_ids: ["team-tier", "ghost"] })) as {
        budgets: Array<Budget>
        missing: Array<string>
      }
      expect(info.budgets.map((b) => b.budget_id)).toEqual(["team-tier"])
      expect(info.missing).toEqual(["ghost"])
      // /budget/info is a POST that only reads.
      expect(env.standIn.requestsTo("/budget/info")[0]).toMatchObject({ method: "POST", body: { budgets: ["team-tier", "ghost"] } })
      expectFailure(yield* call(client, "litellm_budget_info", { budget_ids: [] }), 400)
      expectOnlyToken(env.standIn, env.adminKey)
    }))

  it.scoped("litellm_budget_create: the row, with its reset time from the period; an existing id is a 400", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const created = expectSuccess(yield* call(client, "litellm_budget_create", { budget_id: "b-1", max_budget: 50, budget_duration: "1d" })) as Budget
      expect(created).toMatchObject({ budget_id: "b-1", max_budget: 50, budget_duration: "1d" })
      expect(typeof created["budget_reset_at"]).toBe("string")
      const dup = expectFailure(yield* call(client, "litellm_budget_create", { budget_id: "b-1" }), 400)
      expect(dup.message).toBe("Budget with id 'b-1' already exists.")
      expect(env.standIn.requestsTo("/budget/new")).toHaveLength(1)
      expectFailure(yield* call(client, "litellm_budget_create", { max_budget: -1 }), 400)
      expect(env.standIn.requestsTo("/budget/new")).toHaveLength(1)
    }))

  it.scoped("litellm_budget_update: only what is given changes, null clears; an unknown id is a 404, not LiteLLM's null", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const updated = expectSuccess(yield* call(client, "litellm_budget_update", { budget_id: "team-tier", max_budget: 150, soft_budget: null })) as Budget
      expect(updated).toMatchObject({ budget_id: "team-tier", max_budget: 150, soft_budget: null, budget_duration: "30d" })
      expect(env.standIn.budgets.get("team-tier")).toMatchObject({ max_budget: 150, soft_budget: null, budget_duration: "30d" })
      expectFailure(yield* call(client, "litellm_budget_update", { budget_id: "ghost", max_budget: 1 }), 404)
      expectFailure(yield* call(client, "litellm_budget_update", { budget_id: "team-tier" }), 400)
      expect(env.standIn.requestsTo("/budget/update")).toHaveLength(1)
    }))

  it.scoped("litellm_budget_delete: gone; one a key still uses is LiteLLM's 500, said for what it is", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.budgets.set("used", { budget_id: "used" })
      env.standIn.seedKey({ key_alias: "k", budget_id: "used" })
      const refused = expectFailure(yield* call(client, "litellm_budget_delete", { budget_id: "used" }), 500)
      expect(refused.message).toContain("still has it as budget_id")
      expect(env.standIn.budgets.has("used")).toBe(true)
      expectSuccess(yield* call(client, "litellm_budget_delete", { budget_id: "team-tier" }))
      expect(env.standIn.budgets.has("team-tier")).toBe(false)
      expectFailure(yield* call(client, "litellm_budget_delete", { budget_id: "team-tier" }), 404)
      expect(env.standIn.requestsTo("/budget/delete").map((r) => r.body)).toEqual([{ id: "used" }, { id: "team-tier" }])
    }))

  it.scoped("a proxy admin viewer reads budgets (info through the list it may read) and changes none", () =>
    Effect.gen(function*() {
      const { env } = yield* setup
      const viewer = yield* connect(env.standIn.addCaller("proxy_admin_viewer", "vera"))
      const info = expectSuccess(yield* call(viewer, "litellm_budget_info", { budget_ids: ["team-tier"] })) as { budgets: Array<Budget> }
      expect(info.budgets.map((b) => b.budget_id)).toEqual(["team-tier"])
      const refused = expectFailure(yield* call(viewer, "litellm_budget_create", { budget_id: "v" }), 403)
      expect(refused.message).toContain("proxy_admin_viewer")
      const internal = yield* connect(env.standIn.addCaller("internal_user", "ivan"))
      expectFailure(yield* call(internal, "litellm_budget_list"), 401)
      expect(env.standIn.budgets.size).toBe(1)
    }))

  it.scoped.each(RELEASES)("on %s: an existing id is the same 400 whatever the release answers it with", (release) =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.release = release
      const dup = expectFailure(yield* call(client, "litellm_budget_create", { budget_id: "team-tier", max_budget: 1 }), 400)
      expect(dup.message).toContain("already exists")
      expect(env.standIn.requestsTo("/budget/new")).toEqual([])
      expect(env.standIn.budgets.get("team-tier")!["max_budget"]).toBe(100)
    }))
})
