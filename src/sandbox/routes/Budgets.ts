import { randomUUID } from "node:crypto"
import { detail, Unhandled } from "../Answers.js"
import { budgetResetOf } from "../Durations.js"
import { type Caller, now, type Handler, type Row, type Store } from "../Store.js"

// budget_management_endpoints.py: no role check but _user_has_admin_view (list, settings) and a
// proxy-admin check (delete), both a 400; the route gate keeps every other role out before them.

const NOT_ALLOWED = "Admin-only endpoint. Not allowed to access this."

const adminView = (caller: Caller) => {
  if (caller.role !== "proxy_admin" && caller.role !== "proxy_admin_viewer") {
    throw detail(400, `${NOT_ALLOWED}, your role=${caller.role ?? "None"}`)
  }
}

const FIELDS = ["max_budget", "soft_budget", "max_parallel_requests", "tpm_limit", "rpm_limit", "budget_duration", "model_max_budget", "budget_reset_at"]

const checked = (s: Store, body: Row) => {
  if (!s.traits.budgetChecks) return
  for (const field of ["max_budget", "soft_budget"]) {
    const value = body[field]
    if (typeof value === "number" && (!Number.isFinite(value) || value < 0)) {
      throw detail(400, `${field} must be a non-negative finite number. Received: ${value}`)
    }
  }
}

const budgetNew = (s: Store, body: Row, caller: Caller) => {
  checked(s, body)
  const id = typeof body["budget_id"] === "string" ? body["budget_id"] : randomUUID()
  if (s.budgets.has(id)) {
    // The database's UniqueViolationError: caught on the releases with the checks, unhandled before.
    if (!s.traits.budgetChecks) throw new Unhandled()
    throw detail(400, `Budget with id '${id}' already exists.`)
  }
  const given = Object.fromEntries(Object.entries(body).filter(([k, v]) => FIELDS.includes(k) && v !== null))
  const row: Row = {
    budget_id: id,
    max_budget: null,
    soft_budget: null,
    max_parallel_requests: null,
    tpm_limit: null,
    rpm_limit: null,
    model_max_budget: null,
    budget_duration: null,
    budget_reset_at: null,
    ...given,
    ...(body["budget_reset_at"] == null ? budgetResetOf(body["budget_duration"], "boundary") : {}),
    created_at: now(),
    created_by: caller.userId,
    updated_at: now(),
    updated_by: caller.userId
  }
  s.budgets.set(id, row)
  return row
}

// update_budget: model_dump(exclude_unset), so a field sent null is cleared; prisma's update of a
// missing row answers None, which FastAPI sends as null.
const budgetUpdate = (s: Store, body: Row, caller: Caller) => {
  if (typeof body["budget_id"] !== "string") throw detail(400, "budget_id is required")
  checked(s, body)
  const row = s.budgets.get(body["budget_id"])
  if (row === undefined) return null
  Object.assign(row, Object.fromEntries(Object.entries(body).filter(([k]) => FIELDS.includes(k))), { updated_at: now(), updated_by: caller.userId })
  return row
}

const budgetInfo = (s: Store, body: Row) => {
  const ids = (body["budgets"] ?? []) as Array<string>
  if (ids.length === 0) throw detail(400, `Specify list of budget id's to query. Passed in=[]`)
  return [...s.budgets.values()].filter((b) => ids.includes(String(b["budget_id"])))
}

const budgetDelete = (s: Store, body: Row, caller: Caller) => {
  if (caller.role !== "proxy_admin") throw detail(400, `${NOT_ALLOWED}, your role=${caller.role ?? "None"}`)
  const id = String(body["id"])
  const row = s.budgets.get(id)
  if (row === undefined) return null
  // A budget a key or a user still points at: the database's foreign key refuses, unhandled.
  if ([...s.keys.values(), ...s.users.values()].some((r) => r["budget_id"] === id)) throw new Unhandled()
  s.budgets.delete(id)
  return row
}

export const routes: Record<string, Handler> = {
  "POST /budget/new": (s, r) => budgetNew(s, r.body, r.caller),
  "POST /budget/update": (s, r) => budgetUpdate(s, r.body, r.caller),
  "POST /budget/info": (s, r) => budgetInfo(s, r.body),
  "GET /budget/list": (s, r) => (adminView(r.caller), [...s.budgets.values()]),
  "POST /budget/delete": (s, r) => budgetDelete(s, r.body, r.caller)
}
