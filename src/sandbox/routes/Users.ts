import { randomUUID } from "node:crypto"
import { detail, envelope, page } from "../Answers.js"
import { type Caller, type Handler, now, type Row, type Store } from "../Store.js"
import { budgetResetOf } from "../Durations.js"
export const userList = (s: Store, q: URLSearchParams, caller: Caller) => {
  // _authorize_user_list_request, for releases whose route check lets everyone reach the handler.
  if (caller.role !== "proxy_admin" && caller.role !== "proxy_admin_viewer") {
    throw detail(403, "Only proxy admins and organization admins can list users.")
  }
  const sortBy = q.get("sort_by")
  const columns = ["user_id", "user_email", "created_at", "spend", "user_alias", "user_role"]
  if (sortBy !== null && !columns.includes(sortBy)) {
    throw detail(400, `Invalid sort column. Must be one of: ${columns.join(", ")}`)
  }
  const sortOrder = (q.get("sort_order") ?? "asc").toLowerCase()
  if (sortOrder !== "asc" && sortOrder !== "desc") throw detail(400, "Invalid sort order. Must be 'asc' or 'desc'")
  const ids = q.get("user_ids")?.split(",")
  const sso = q.get("sso_user_ids")?.split(",")
  const orgs = q.get("organization_ids")?.split(",")
  const email = q.get("user_email")?.toLowerCase()
  let users = [...s.users.values()].filter((u) =>
    (q.get("role") === null || u["user_role"] === q.get("role")) &&
    (ids === undefined ||
      (ids.length === 1
        ? String(u["user_id"]).toLowerCase().includes(ids[0]!.toLowerCase())
        : ids.includes(String(u["user_id"])))) &&
    (sso === undefined || sso.includes(String(u["sso_user_id"]))) &&
    (email === undefined || String(u["user_email"] ?? "").toLowerCase().includes(email)) &&
    (q.get("team") === null || (u["teams"] as Array<string>).includes(q.get("team")!)) &&
    (orgs === undefined || orgs.includes(String(u["organization_id"])))
  )
  const column = sortBy ?? "created_at"
  const direction = sortBy === null ? -1 : sortOrder === "desc" ? -1 : 1
  users = users.sort((a, b) => String(a[column]) < String(b[column]) ? -direction : String(a[column]) > String(b[column]) ? direction : 0)
  const pageNo = Number(q.get("page") ?? 1)
  const size = Number(q.get("page_size") ?? 25)
  const { items, totalPages } = page(users, pageNo, size)
  return {
    users: items.map((u) => ({ ...u, key_count: s.keyCount(String(u["user_id"])) })),
    total: users.length,
    page: pageNo,
    page_size: size,
    total_pages: totalPages
  }
}

export const userNew = (s: Store, body: Row) => {
  const email = body["user_email"]
  if (typeof email === "string") {
    const clash = [...s.users.values()].some((u) =>
      String(u["user_email"] ?? "").trim().toLowerCase() === email.trim().toLowerCase()
    )
    // _check_duplicate_user_field: a 409, wrapped as LiteLLM's error envelope.
    if (clash) throw envelope(409, `User with email ${email} already exists`, "bad_request_error", "user_email")
  }
  const userId = typeof body["user_id"] === "string" ? body["user_id"] : randomUUID()
  if (s.users.has(userId)) throw envelope(409, `User with id ${userId} already exists`, "bad_request_error", "user_id")
  const { auto_create_key, key_alias, duration, send_invite_email: _invite, organizations: _orgs, ...fields } = body
  const teams = Array.isArray(body["teams"])
    ? body["teams"].map((t) => typeof t === "string" ? t : String((t as Row)["team_id"]))
    : []
  // generate_key_helper_fn: the user's budget resets on a boundary of its period.
  const user = s.seedUser({ ...fields, ...budgetResetOf(body["budget_duration"], "boundary"), teams, user_id: userId })
  const key = auto_create_key === false
    ? ""
    : s.createKeyRow({ key_alias, duration }, userId).raw
  return { ...user, key, key_alias: key_alias ?? null }
}

export const userUpdate = (s: Store, body: Row) => {
  // LiteLLM upserts: an unknown id (or email) silently creates a user.
  const byId = typeof body["user_id"] === "string" ? s.users.get(body["user_id"]) : undefined
  const byEmail = body["user_id"] === undefined && typeof body["user_email"] === "string"
    ? [...s.users.values()].find((u) => u["user_email"] === body["user_email"])
    : undefined
  const changes = Object.fromEntries(
    Object.entries(body).filter(([, v]) =>
      v !== null && !(Array.isArray(v) && v.length === 0) &&
      !(typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0)
    )
  )
  // _update_internal_user_params: a period given resets the clock from now.
  Object.assign(changes, budgetResetOf(changes["budget_duration"], "from now"))
  const existing = byId ?? byEmail
  const user = existing === undefined
    ? s.seedUser({ ...changes, user_id: body["user_id"] ?? randomUUID() })
    : Object.assign(existing, changes, { updated_at: now() })
  return { user_id: user["user_id"], data: user }
}

export const userDelete = (s: Store, body: Row) => {
  const ids = body["user_ids"] as Array<string>
  // As LiteLLM's validation loop does: known users leave their teams before the 404 for an unknown one.
  for (const id of ids) {
    if (!s.users.has(id)) throw detail(404, `User not found, passed user_id=${id}`)
    for (const team of s.teams.values()) {
      team["members_with_roles"] = (team["members_with_roles"] as Array<Row>).filter((m) => m["user_id"] !== id)
    }
  }
  for (const [hash, key] of s.keys) if (ids.includes(String(key["user_id"]))) s.keys.delete(hash)
  for (const id of ids) s.users.delete(id)
  return ids.length
}

export const userInfo = (s: Store, q: URLSearchParams, caller: Caller) => {
  const given = q.get("user_id")
  if (given === null && (caller.role === "proxy_admin" || caller.role === "proxy_admin_viewer")) {
    return { user_id: null, user_info: null, keys: [...s.keys.values()], teams: [...s.teams.values()] }
  }
  const id = given ?? caller.userId
  const user = s.users.get(id)
  if (user === undefined) {
    // Before the fix of November 2025, an unknown id was a 200 with an empty user_info.
    if (s.traits.unknownUserIsEmpty) return { user_id: id, user_info: { spend: 0 }, keys: [], teams: [] }
    throw envelope(404, `User ${id} not found`)
  }
  const keys = [...s.keys.values()].filter((k) => k["user_id"] === id).map((k) => ({ ...k, team_alias: "None" }))
  // _get_user_info_teams: the rows of the teams the user row names, by alias. get_data includes
  // the user's organization memberships.
  const teams = ((user["teams"] ?? []) as Array<string>).flatMap((t): Array<Row> => { const team = s.teams.get(t); return team === undefined ? [] : [team] })
    .sort((a, b) => String(a["team_alias"] ?? "").localeCompare(String(b["team_alias"] ?? "")))
  const memberships = s.orgMemberships.filter((m) => m["user_id"] === id)
  return { user_id: id, user_info: { ...user, organization_memberships: memberships }, keys, teams }
}

export const routes: Record<string, Handler> = {
  "GET /user/list": (s, r) => userList(s, r.q, r.caller),
  "POST /user/new": (s, r) => userNew(s, r.body),
  "POST /user/update": (s, r) => userUpdate(s, r.body),
  "POST /user/delete": (s, r) => userDelete(s, r.body),
  "GET /user/info": (s, r) => userInfo(s, r.q, r.caller)
}
