import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { RELEASES } from "../src/sandbox/Sandbox.js"
import { call, connect, emptyProxy, expectFailure, expectOnlyToken, expectSuccess, TestEnv, InProcessEnv } from "./support/Harness.js"

type Customer = Record<string, unknown> & { user_id: string }

const setup = Effect.gen(function*() {
  const env = yield* TestEnv
  const s = env.standIn
  emptyProxy(s, "current")
  s.budgets.set("free-tier", { budget_id: "free-tier", max_budget: 5 })
  s.customers.set("acme-user-1", { user_id: "acme-user-1", alias: "One", blocked: false, spend: 1.5, budget_id: "free-tier" })
  s.customers.set("acme-user-2", { user_id: "acme-user-2", alias: "Two", blocked: true, spend: 0, budget_id: null })
  return { env, s, client: yield* connect(env.adminKey) }
})

layer(InProcessEnv())("customer tools", (it) => {
  it.scoped("litellm_customer_list pages here what LiteLLM answers unpaged; info by id, an unknown one a 404", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const page = expectSuccess(yield* call(client, "litellm_customer_list", { page: 2, page_size: 1 })) as {
        customers: Array<Customer>
        total: number
        total_pages: number
      }
      expect(page).toMatchObject({ total: 2, total_pages: 2, customers: [{ user_id: "acme-user-2" }] })
      const info = expectSuccess(yield* call(client, "litellm_customer_info", { user_id: "acme-user-1" })) as Customer
      expect(info).toMatchObject({ alias: "One", litellm_budget_table: { max_budget: 5 } })
      expectFailure(yield* call(client, "litellm_customer_info", { user_id: "ghost" }), 404)
      expectOnlyToken(env.standIn, env.adminKey)
    }))

  it.scoped("litellm_customer_create: its own budget row from max_budget; a duplicate is LiteLLM's 400; an unknown default_model its 422", () =>
    Effect.gen(function*() {
      const { client, s } = yield* setup
      const created = expectSuccess(yield* call(client, "litellm_customer_create", { user_id: "new-1", max_budget: 3, budget_duration: "30d" })) as Customer
      expect(s.budgets.get(String(created["budget_id"]))).toMatchObject({ max_budget: 3, budget_duration: "30d" })
      const dup = expectFailure(yield* call(client, "litellm_customer_create", { user_id: "new-1" }), 400)
      expect(dup.message).toContain("Customer already exists")
      expectFailure(yield* call(client, "litellm_customer_create", { user_id: "new-2", default_model: "nope" }), 422)
    }))

  it.scoped("litellm_customer_update: max_budget 0, which LiteLLM drops, reaches the budget row", () =>
    Effect.gen(function*() {
      const { client, env, s } = yield* setup
      const updated = expectSuccess(yield* call(client, "litellm_customer_update", { user_id: "acme-user-1", max_budget: 0, alias: "Uno" })) as Customer
      expect(updated).toMatchObject({ alias: "Uno", litellm_budget_table: { max_budget: 0 } })
      expect(s.budgets.get("free-tier")!["max_budget"]).toBe(0)
      // The customer update carries only what LiteLLM keeps.
      expect(env.standIn.requestsTo("/customer/update")[0]!.body).toEqual({ user_id: "acme-user-1", alias: "Uno" })
      // A customer with no budget row gets one of its own.
      const second = expectSuccess(yield* call(client, "litellm_customer_update", { user_id: "acme-user-2", max_budget: 0 })) as Customer
      expect(second["budget_id"]).toEqual(expect.any(String))
      expect(s.budgets.get(String(second["budget_id"]))!["max_budget"]).toBe(0)
      expectFailure(yield* call(client, "litellm_customer_update", { user_id: "ghost", alias: "x" }), 404)
      expectFailure(yield* call(client, "litellm_customer_update", { user_id: "acme-user-1" }), 400)
    }))

  it.scoped("a blocked customer cannot be unblocked through LiteLLM's API: update and unblock say so and write nothing", () =>
    Effect.gen(function*() {
      const { client, env, s } = yield* setup
      const viaUpdate = expectFailure(yield* call(client, "litellm_customer_update", { user_id: "acme-user-2", blocked: false }), 501)
      expect(viaUpdate.message).toContain("drops blocked=false")
      const viaUnblock = expectFailure(yield* call(client, "litellm_customer_unblock", { user_ids: ["acme-user-1", "acme-user-2"] }), 501)
      expect(viaUnblock.message).toContain("acme-user-2")
      expect(viaUnblock.message).not.toContain("acme-user-1")
      const fine = expectSuccess(yield* call(client, "litellm_customer_unblock", { user_ids: ["acme-user-1"] })) as { not_blocked: Array<string> }
      expect(fine.not_blocked).toEqual(["acme-user-1"])
      expect(env.standIn.requests.filter((r) => r.method === "POST")).toEqual([])
      expect(s.customers.get("acme-user-2")!["blocked"]).toBe(true)
    }))

  it.scoped("litellm_customer_block: an unknown id is refused unless create_if_missing, as LiteLLM would create it", () =>
    Effect.gen(function*() {
      const { client, env, s } = yield* setup
      const refused = expectFailure(yield* call(client, "litellm_customer_block", { user_ids: ["acme-user-1", "typo"] }), 404)
      expect(refused.message).toContain("typo")
      expect(env.standIn.requestsTo("/customer/block")).toEqual([])
      expectSuccess(yield* call(client, "litellm_customer_block", { user_ids: ["acme-user-1"] }))
      expect(s.customers.get("acme-user-1")!["blocked"]).toBe(true)
      expectSuccess(yield* call(client, "litellm_customer_block", { user_ids: ["later"], create_if_missing: true }))
      expect(s.customers.get("later")).toMatchObject({ blocked: true })
    }))

  it.scoped.each(RELEASES)("on %s: delete checks every id first, so none goes when one is unknown", (release) =>
    Effect.gen(function*() {
      const { client, env, s } = yield* setup
      s.release = release
      const refused = expectFailure(yield* call(client, "litellm_customer_delete", { user_ids: ["acme-user-1", "ghost"] }), 404)
      expect(refused.message).toContain("ghost")
      expect(env.standIn.requestsTo("/customer/delete")).toEqual([])
      expect(s.customers.has("acme-user-1")).toBe(true)
      const done = expectSuccess(yield* call(client, "litellm_customer_delete", { user_ids: ["acme-user-1"] })) as { deleted_customers: number }
      expect(done.deleted_customers).toBe(1)
      // The older releases answer an unknown customer 400, the newer 404: both read as not found.
      expectFailure(yield* call(client, "litellm_customer_info", { user_id: "acme-user-1" }), 404)
      expect(env.standIn.answers.find((a) => a.path === "/customer/info" && a.status >= 400)?.status).toBe(release === "current" ? 404 : 400)
    }))

  it.scoped("roles: a viewer reads customers and changes none; an internal user reaches none", () =>
    Effect.gen(function*() {
      const { s } = yield* setup
      const viewer = yield* connect(s.addCaller("proxy_admin_viewer", "vera"))
      expectSuccess(yield* call(viewer, "litellm_customer_list", {}))
      expectFailure(yield* call(viewer, "litellm_customer_block", { user_ids: ["acme-user-1"] }), 403)
      const internal = yield* connect(s.addCaller("internal_user", "ivan"))
      expectFailure(yield* call(internal, "litellm_customer_info", { user_id: "acme-user-1" }), 401)
      expect(s.customers.get("acme-user-1")!["blocked"]).toBe(false)
    }))
})
