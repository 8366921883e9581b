import { randomUUID } from "node:crypto"
import { detail, envelope, pyRepr } from "../Answers.js"
import { budgetResetOf } from "../Durations.js"
import { type Caller, now, type Handler, type Row, type Store } from "../Store.js"

// customer_endpoints.py, as read @029f645f (current) and @698c0986 (the older releases).

const BUDGET = ["max_budget", "soft_budget", "tpm_limit", "rpm_limit", "max_parallel_requests", "model_max_budget", "budget_duration", "budget_reset_at"]
const CUSTOMER = ["alias", "blocked", "budget_id", "allowed_model_region", "default_model", "spend"]

const withBudget = (s: Store, c: Row) => ({ ...c, litellm_budget_table: s.budgets.get(String(c["budget_id"])) ?? null })

const unknown = (s: Store, id: string, param: string) =>
  s.traits.customerChecks
    ? envelope(404, `End User Id=${id} does not exist in db`, "not_found", param)
    : envelope(400, pyRepr(`End User Id=${id} does not exist in db`), "internal_error")

const customerNew = (s: Store, body: Row, caller: Caller) => {
  const id = String(body["user_id"])
  const model = body["default_model"]
  if (typeof model === "string" && !s.models.some((m) => m.model_name === model)) {
    const names = [...new Set(s.models.map((m) => `'${m.model_name}'`))].join(", ")
    throw detail(422, `Default Model not on proxy. Configure via \`/model/new\` or config.yaml. Default_model=${model}, proxy_model_names={${names}}`)
  }
  if (s.customers.has(id)) {
    throw envelope(400, `Customer already exists, passed user_id=${id}. Please pass a new user_id.`, "bad_request", "user_id")
  }
  const budget = Object.fromEntries(Object.entries(body).filter(([k, v]) => BUDGET.includes(k) && v !== null))
  let budgetId = typeof body["budget_id"] === "string" ? body["budget_id"] : null
  if (Object.keys(budget).length > 0) {
    budgetId = randomUUID()
    s.budgets.set(budgetId, { budget_id: budgetId, ...budget, ...budgetResetOf(body["budget_duration"], "from now"), created_at: now(), created_by: caller.userId })
  }
  const row: Row = {
    user_id: id,
    alias: null,
    spend: 0,
    blocked: false,
    allowed_model_region: null,
    default_model: null,
    ...Object.fromEntries(Object.entries(body).filter(([k, v]) => CUSTOMER.includes(k) && v !== null)),
    budget_id: budgetId
  }
  s.customers.set(id, row)
  return withBudget(s, row)
}

const customerInfo = (s: Store, q: URLSearchParams) => {
  const id = q.get("end_user_id") ?? ""
  const row = s.customers.get(id)
  if (row === undefined) throw unknown(s, id, "end_user_id")
  return withBudget(s, row)
}

// update_end_user: `v not in ([], {}, 0)` drops 0, false, [] and {} before anything is written.
const customerUpdate = (s: Store, body: Row, caller: Caller) => {
  const id = String(body["user_id"])
  const row = s.customers.get(id)
  if (row === undefined) throw unknown(s, id, "user_id")
  const given = Object.entries(body).filter(([k, v]) =>
    k !== "user_id" && v !== null && v !== 0 && v !== false && !(Array.isArray(v) && v.length === 0) &&
    !(typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)
  )
  const budget = Object.fromEntries(given.filter(([k]) => k !== "budget_id" && BUDGET.includes(k)))
  if (Object.keys(budget).length > 0) {
    const current = s.budgets.get(String(row["budget_id"]))
    if (current === undefined) {
      const budgetId = randomUUID()
      s.budgets.set(budgetId, { budget_id: budgetId, ...budget, created_at: now(), created_by: caller.userId })
      row["budget_id"] = budgetId
    } else Object.assign(current, budget)
  }
  Object.assign(row, Object.fromEntries(given.filter(([k]) => CUSTOMER.includes(k))))
  return withBudget(s, row)
}

const customerDelete = (s: Store, body: Row) => {
  const ids = body["user_ids"] as Array<string>
  const missing = ids.filter((id) => !s.customers.has(id))
  if (s.traits.customerChecks && missing.length > 0) {
    throw envelope(404, `End User Id(s)=${missing.join(", ")} do not exist in db`, "not_found", "user_ids")
  }
  const deleted = ids.filter((id) => s.customers.delete(id)).length
  if (deleted !== ids.length) {
    const passed = `[${ids.map((id) => `'${id}'`).join(", ")}]`
    throw envelope(
      500,
      `Internal Server Error, Failed deleting all customer data. User ID does not exist passed user_id=${passed}. Deleted ${deleted} customers, passed ${ids.length} customers`,
      "internal_error"
    )
  }
  return { deleted_customers: deleted, message: `Successfully deleted customers with ids: [${ids.map((id) => `'${id}'`).join(", ")}]` }
}

// block_user upserts: an id no customer has is created, blocked.
const customerBlock = (s: Store, body: Row) => ({
  blocked_users: (body["user_ids"] as Array<string>).map((id) => {
    const row = s.customers.get(id) ?? { user_id: id, alias: null, spend: 0, budget_id: null, allowed_model_region: null, default_model: null }
    row["blocked"] = true
    s.customers.set(id, row)
    return row
  })
})

export const routes: Record<string, Handler> = {
  "POST /customer/new": (s, r) => customerNew(s, r.body, r.caller),
  "GET /customer/info": (s, r) => customerInfo(s, r.q),
  "POST /customer/update": (s, r) => customerUpdate(s, r.body, r.caller),
  "POST /customer/delete": (s, r) => customerDelete(s, r.body),
  "GET /customer/list": (s, r) => {
    if (r.caller.role !== "proxy_admin" && r.caller.role !== "proxy_admin_viewer") {
      throw detail(401, `Admin-only endpoint. Your user role=${r.caller.role ?? "None"}`)
    }
    return [...s.customers.values()].map((c) => withBudget(s, c))
  },
  "POST /customer/block": (s, r) => customerBlock(s, r.body),
  // Without LiteLLM Enterprise's blocked_user_list hook, on every release read.
  "POST /customer/unblock": () => {
    throw detail(400, "Blocked user check was never set. This call has no effect.")
  }
}
