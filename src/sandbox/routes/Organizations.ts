import { randomUUID } from "node:crypto"
import { detail, envelope, pyRepr, Unhandled } from "../Answers.js"
import { type Caller, now, type Handler, type Row, type Store } from "../Store.js"

// organization_endpoints.py, as read @8f29fdbc: the handlers' own checks are few (create and
// delete: proxy admins), the route gate does the rest (Auth.ts).

const BUDGET = ["max_budget", "soft_budget", "tpm_limit", "rpm_limit", "max_parallel_requests", "model_max_budget", "budget_duration"]

/** LiteLLM_OrganizationTableWithMembers: the row with its budget, members and teams. */
const withMembers = (s: Store, org: Row) => ({
  ...org,
  litellm_budget_table: s.budgets.get(String(org["budget_id"])) ?? null,
  members: s.orgMemberships.filter((m) => m["organization_id"] === org["organization_id"]),
  teams: [...s.teams.values()].filter((t) => t["organization_id"] === org["organization_id"])
})

const orgList = (s: Store, caller: Caller) => {
  const mine = new Set(s.orgMemberships.filter((m) => m["user_id"] === caller.userId).map((m) => m["organization_id"]))
  return [...s.organizations.values()].filter((o) => caller.role === "proxy_admin" || mine.has(o["organization_id"])).map((o) => withMembers(s, o))
}

const orgInfo = (s: Store, q: URLSearchParams) => {
  const org = s.organizations.get(q.get("organization_id") ?? "")
  if (org === undefined) throw detail(404, "Organization not found")
  return withMembers(s, org)
}

const orgNew = (s: Store, body: Row, caller: Caller) => {
  if (caller.role !== "proxy_admin") throw detail(401, `Only admins can create orgs. Your role is = ${caller.role ?? "None"}`)
  let budgetId = typeof body["budget_id"] === "string" ? body["budget_id"] : undefined
  if (budgetId === undefined) {
    // Every organization gets a budget row, made of the budget fields given.
    budgetId = randomUUID()
    s.budgets.set(budgetId, {
      budget_id: budgetId,
      ...Object.fromEntries(Object.entries(body).filter(([k, v]) => BUDGET.includes(k) && v !== null)),
      created_at: now(),
      created_by: caller.userId
    })
  }
  const id = typeof body["organization_id"] === "string" ? body["organization_id"] : randomUUID()
  // The table's unique id: the database refuses, and nothing catches it.
  if (s.organizations.has(id)) throw new Unhandled()
  const org: Row = {
    organization_id: id,
    organization_alias: body["organization_alias"],
    budget_id: budgetId,
    models: body["models"] ?? [],
    metadata: body["metadata"] ?? {},
    spend: 0,
    model_spend: {},
    created_at: now(),
    created_by: caller.userId,
    updated_at: now(),
    updated_by: caller.userId
  }
  s.organizations.set(id, org)
  return org
}

const orgUpdate = (s: Store, body: Row, caller: Caller) => {
  const org = s.organizations.get(String(body["organization_id"]))
  // An unhandled ValueError: Starlette's plain 500.
  if (org === undefined) throw new Unhandled()
  for (const field of ["organization_alias", "models", "metadata", "budget_id"]) {
    if (body[field] != null) org[field] = body[field]
  }
  Object.assign(org, { updated_at: now(), updated_by: caller.userId })
  return withMembers(s, org)
}

// Each id in turn: its teams, memberships and keys, then the organization; an unknown id is found
// out only there, after the ones before it are gone.
const orgDelete = (s: Store, body: Row, caller: Caller) => {
  if (caller.role !== "proxy_admin") throw detail(401, "Only proxy admins can delete organizations")
  const deleted: Array<Row> = []
  for (const id of body["organization_ids"] as Array<string>) {
    const shown = s.organizations.has(id) ? withMembers(s, s.organizations.get(id)!) : undefined
    for (const [teamId, team] of s.teams) if (team["organization_id"] === id) s.teams.delete(teamId)
    for (let i = s.orgMemberships.length - 1; i >= 0; i--) if (s.orgMemberships[i]!["organization_id"] === id) s.orgMemberships.splice(i, 1)
    for (const [hash, key] of s.keys) if (key["organization_id"] === id) s.keys.delete(hash)
    if (shown === undefined) throw detail(404, `Organization=${id} not found`)
    s.organizations.delete(id)
    deleted.push(shown)
  }
  return deleted
}

const wrapped = (status: number, message: string) => envelope(status, pyRepr(message), "auth_error")

const memberAdd = (s: Store, body: Row) => {
  const orgId = String(body["organization_id"])
  if (!s.organizations.has(orgId)) throw wrapped(404, `Organization not found for organization_id=${orgId}`)
  const members = (Array.isArray(body["member"]) ? body["member"] : [body["member"]]) as Array<Row>
  const users: Array<Row> = []
  const memberships: Array<Row> = []
  for (const member of members) {
    const user = (member["user_id"] != null ? s.users.get(String(member["user_id"])) : undefined) ??
      [...s.users.values()].find((u) => member["user_email"] != null && u["user_email"] === member["user_email"]) ??
      s.seedUser({ user_id: member["user_id"] ?? randomUUID(), user_email: member["user_email"] ?? null })
    if (s.orgMemberships.some((m) => m["organization_id"] === orgId && m["user_id"] === user["user_id"])) {
      throw envelope(
        500,
        "Authentication Error, Error adding member to organization: Unique constraint failed on the fields: (`user_id`,`organization_id`)",
        "auth_error"
      )
    }
    const membership: Row = { user_id: user["user_id"], organization_id: orgId, user_role: member["role"], spend: 0, budget_id: null, created_at: now() }
    s.orgMemberships.push(membership)
    users.push(user)
    memberships.push(membership)
  }
  return { organization_id: orgId, updated_users: users, updated_organization_memberships: memberships }
}

// find_member_if_email: the row by email; none at all is an AttributeError nothing catches.
const userIdOf = (s: Store, body: Row): string => {
  if (body["user_id"] != null) return String(body["user_id"])
  const user = [...s.users.values()].find((u) => u["user_email"] === body["user_email"])
  if (user === undefined) throw new Unhandled()
  return String(user["user_id"])
}

const memberUpdate = (s: Store, body: Row, caller: Caller) => {
  const orgId = String(body["organization_id"])
  if (!s.organizations.has(orgId)) throw detail(400, `Organization not found for organization_id=${orgId}`)
  const userId = userIdOf(s, body)
  const membership = s.orgMemberships.find((m) => m["organization_id"] === orgId && m["user_id"] === userId)
  if (membership === undefined) throw detail(404, `Member not found in organization for user_id=${userId}`)
  if (body["role"] != null) membership["user_role"] = body["role"]
  const budget = body["max_budget_in_organization"]
  if (typeof budget === "number") {
    const budgetId = typeof membership["budget_id"] === "string" ? membership["budget_id"] : randomUUID()
    const row = s.budgets.get(budgetId) ?? { budget_id: budgetId, created_at: now(), created_by: caller.userId }
    s.budgets.set(budgetId, { ...row, max_budget: budget })
    membership["budget_id"] = budgetId
  }
  return { ...membership, litellm_budget_table: s.budgets.get(String(membership["budget_id"])) ?? null }
}

const memberDelete = (s: Store, body: Row) => {
  const orgId = String(body["organization_id"])
  const userId = userIdOf(s, body)
  const at = s.orgMemberships.findIndex((m) => m["organization_id"] === orgId && m["user_id"] === userId)
  if (at < 0) return null
  return s.orgMemberships.splice(at, 1)[0]
}

export const routes: Record<string, Handler> = {
  "GET /organization/list": (s, r) => orgList(s, r.caller),
  "GET /organization/info": (s, r) => orgInfo(s, r.q),
  "POST /organization/new": (s, r) => orgNew(s, r.body, r.caller),
  "PATCH /organization/update": (s, r) => orgUpdate(s, r.body, r.caller),
  "DELETE /organization/delete": (s, r) => orgDelete(s, r.body, r.caller),
  "POST /organization/member_add": (s, r) => memberAdd(s, r.body),
  "PATCH /organization/member_update": (s, r) => memberUpdate(s, r.body, r.caller),
  "DELETE /organization/member_delete": (s, r) => memberDelete(s, r.body)
}
