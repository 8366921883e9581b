import { randomUUID } from "node:crypto"
import { detail, envelope, HttpError, page, pyRepr } from "../Answers.js"
import { type Caller, type Handler, type Row, type Store } from "../Store.js"
import { budgetResetOf } from "../Durations.js"
/**
 * list_team_v2: anyone but a proxy admin gets the teams of its own user when it names none (a key
 * without a user: every team, its user_id being None), and any user it names otherwise, from that
 * user's `teams`.
 */
export const teamListV2 = (s: Store, q: URLSearchParams, caller: Caller) => {
  const alias = q.get("team_alias")?.toLowerCase()
  const teamId = q.get("team_id")
  let userId = q.get("user_id")
  if (userId === null && caller.role !== "proxy_admin" && caller.userId !== "") userId = caller.userId
  let memberOf: ReadonlyArray<string> | undefined
  if (userId !== null) {
    // An answer of its own for an unknown user: not a missing route.
    const user = s.users.get(userId)
    if (user === undefined) throw detail(404, `User not found, passed user_id=${userId}`)
    memberOf = user["teams"] as Array<string>
    if (teamId !== null && !memberOf.includes(teamId)) throw detail(404, `User is not a member of team_id=${teamId}`)
  }
  const teams = [...s.teams.values()].filter((t) =>
    (teamId === null || t["team_id"] === teamId) &&
    (q.get("organization_id") === null || t["organization_id"] === q.get("organization_id")) &&
    (alias === undefined || String(t["team_alias"] ?? "").toLowerCase().includes(alias)) &&
    (memberOf === undefined || memberOf.includes(String(t["team_id"])))
  )
  const pageNo = Number(q.get("page") ?? 1)
  const size = Number(q.get("page_size") ?? 10)
  const { items, totalPages } = page(teams, pageNo, size)
  return { teams: items, total: teams.length, page: pageNo, page_size: size, total_pages: totalPages }
}

/** list_team: an admin, or a caller asking about its own user (allowed_route_check_inside_route). */
export const teamList = (s: Store, q: URLSearchParams, caller: Caller) => {
  const userId = q.get("user_id")
  const admin = caller.role === "proxy_admin" || caller.role === "proxy_admin_viewer"
  if (!admin && (userId === null || userId !== caller.userId)) {
    throw new HttpError(401, {
      detail: { error: `Only admin users can query all teams/other teams. Your user role=${caller.role ?? "None"}` }
    })
  }
  return [...s.teams.values()].filter((t) =>
    userId === null || (t["members_with_roles"] as Array<Row>).some((m) => m["user_id"] === userId)
  )
}

/** team_member_add / team_member_delete: a proxy admin or an admin of that team. */
export const teamAdminOnly = (s: Store, caller: Caller, teamId: unknown, route: string): void => {
  if (caller.role === "proxy_admin" || s.isTeamAdmin(caller, teamId)) return
  throw detail(403, `Call not allowed. User not proxy admin OR team admin. route=${route}, team_id=${String(teamId)}`)
}

export const teamInfo = (s: Store, q: URLSearchParams, caller: Caller) => {
  const id = q.get("team_id")
  if (id === null) throw envelope(422, "Malformed request. No team id passed in.", "auth_error")
  const team = s.teams.get(id)
  if (team === undefined) throw envelope(404, `{'message': 'Team not found, passed team id: ${id}.'}`, "auth_error")
  // validate_membership: admins and viewers, a key of the team itself, or a member of it.
  if (
    caller.role !== "proxy_admin" && caller.role !== "proxy_admin_viewer" && caller.teamId !== id &&
    !s.isTeamMember(caller, id)
  ) {
    throw envelope(403, pyRepr(`User=${caller.userId || "None"} not authorized to access this team=${id}`), "auth_error")
  }
  const keys = [...s.keys.values()].filter((k) => k["team_id"] === id)
  return { team_id: id, team_info: team, keys, team_memberships: [] }
}

// A budget period given sets when the budget next resets (new_team, update_team): a period from now.
const budgetReset = (body: Row) => budgetResetOf(body["budget_duration"], "from now")

export const teamNew = (s: Store, body: Row) => {
  const id = typeof body["team_id"] === "string" ? body["team_id"] : randomUUID()
  if (s.teams.has(id)) throw envelope(400, pyRepr(`Team id = ${id} already exists. Please use a different team id.`))
  return s.seedTeam({ ...body, team_id: id, members_with_roles: body["members_with_roles"] ?? [], ...budgetReset(body) })
}

export const teamUpdate = (s: Store, body: Row) => {
  const team = s.team(String(body["team_id"]))
  Object.assign(team, body, budgetReset(body))
  return { team_id: team["team_id"], data: team }
}

export const teamDelete = (s: Store, body: Row) => {
  const ids = body["team_ids"] as Array<string>
  for (const id of ids) s.team(id)
  for (const [hash, key] of s.keys) if (ids.includes(String(key["team_id"]))) s.keys.delete(hash)
  for (const id of ids) s.teams.delete(id)
  return { deleted_teams: ids }
}

export const teamMemberAdd = (s: Store, body: Row) => {
  const members = (Array.isArray(body["member"]) ? body["member"] : [body["member"]]) as Array<Row>
  // team_call_validation_checks, before the team is even read: _check_team_member_admin_add.
  if (!s.enterprise && members.some((m) => m["role"] === "admin")) {
    throw detail(
      400,
      "Assigning team admins is a premium feature. You must be a LiteLLM Enterprise user to use this feature. If you have a license please set `LITELLM_LICENSE` in your env."
    )
  }
  const team = s.team(String(body["team_id"]))
  const roster = team["members_with_roles"] as Array<Row>
  const updatedUsers: Array<Row> = []
  for (const member of members) {
    const existing = [...s.users.values()].find((u) =>
      (member["user_id"] != null && u["user_id"] === member["user_id"]) ||
      (member["user_email"] != null && u["user_email"] === member["user_email"])
    )
    const user = existing ?? s.seedUser({
      user_id: member["user_id"] ?? randomUUID(),
      user_email: member["user_email"] ?? null
    })
    if (roster.some((m) => m["user_id"] === user["user_id"])) {
      throw detail(400, `User=${String(user["user_id"])} already in team. Existing members=${JSON.stringify(roster)}`)
    }
    roster.push({ user_id: user["user_id"], user_email: user["user_email"], role: member["role"] })
    ;(user["teams"] as Array<string>).push(String(team["team_id"]))
    updatedUsers.push(user)
  }
  return { ...team, updated_users: updatedUsers, updated_team_memberships: [] }
}

export const teamMemberDelete = (s: Store, body: Row) => {
  const id = String(body["team_id"])
  const team = s.teams.get(id)
  if (team === undefined) throw detail(400, `Team id=${id} does not exist in db`)
  if (body["user_id"] == null && body["user_email"] == null) throw detail(400, "Either user_id or user_email needs to be passed in")
  const roster = team["members_with_roles"] as Array<Row>
  const index = roster.findIndex((m) =>
    (body["user_id"] != null && m["user_id"] === body["user_id"]) ||
    (body["user_email"] != null && m["user_email"] === body["user_email"])
  )
  if (index < 0) throw detail(400, "User not found in team")
  roster.splice(index, 1)
  // team_member_delete also takes the team out of the user's row.
  for (const user of s.users.values()) {
    const named = body["user_id"] != null ? user["user_id"] === body["user_id"] : user["user_email"] === body["user_email"]
    if (named) user["teams"] = (user["teams"] as Array<string>).filter((t) => t !== id)
  }
  return team
}

// team_member_update: the licence for role admin, then the team, then a proxy admin or team admin.
const teamMemberUpdate = (s: Store, body: Row, caller: Caller) => {
  if (body["role"] === "admin" && !s.enterprise) {
    throw new HttpError(400, {
      detail: "Assigning team admins is a premium feature. You must be a LiteLLM Enterprise user to use this feature. If you have a license please set `LITELLM_LICENSE` in your env. Get a 7 day trial key here: https://www.litellm.ai/#trial. Pricing: https://www.litellm.ai/#pricing"
    })
  }
  const id = String(body["team_id"])
  const team = s.teams.get(id)
  if (team === undefined) throw detail(400, `Team id=${id} does not exist in db`)
  if (caller.role !== "proxy_admin" && !s.isTeamAdmin(caller, id)) {
    throw detail(403, `Call not allowed. User not proxy admin OR team admin. route=/team/member_delete, team_id=${id}`)
  }
  const roster = team["members_with_roles"] as Array<Row>
  const member = roster.find((m) =>
    (body["user_id"] != null && m["user_id"] === body["user_id"]) || (body["user_id"] == null && m["user_email"] === body["user_email"])
  )
  if (member === undefined) throw detail(400, `User id doesn't exist in team table. Data=team_id='${id}'`)
  if (body["role"] != null) member["role"] = body["role"]
  return { team_id: id, user_id: member["user_id"], user_email: body["user_email"] ?? null, max_budget_in_team: body["max_budget_in_team"] ?? null }
}

// block_team / unblock_team: prisma's update of a missing row answers None, which they turn into a 404.
const teamBlocked = (s: Store, body: Row, blocked: boolean) => {
  const team = s.teams.get(String(body["team_id"]))
  if (team === undefined) throw detail(404, `Team not found, passed team_id=${String(body["team_id"])}`)
  team["blocked"] = blocked
  return team
}

// team_model_add: [] (every model) becomes all-proxy-models plus the new ones; delete writes what is left.
const teamModels = (s: Store, body: Row, caller: Caller, add: boolean) => {
  const id = String(body["team_id"])
  const team = s.teams.get(id)
  if (team === undefined) throw detail(404, `Team not found, passed team_id=${id}`)
  if (caller.role !== "proxy_admin" && !s.isTeamAdmin(caller, id)) throw detail(403, "Only proxy admin or team admin can modify team models")
  const current = team["models"] as Array<string>
  const given = body["models"] as Array<string>
  team["models"] = add
    ? [...new Set([...(current.length === 0 ? ["all-proxy-models"] : current), ...given])]
    : current.filter((m) => !given.includes(m))
  return team
}

export const routes: Record<string, Handler> = {
  "POST /team/member_update": (s, r) => teamMemberUpdate(s, r.body, r.caller),
  "POST /team/block": (s, r) => teamBlocked(s, r.body, true),
  "POST /team/unblock": (s, r) => teamBlocked(s, r.body, false),
  "POST /team/model/add": (s, r) => teamModels(s, r.body, r.caller, true),
  "POST /team/model/delete": (s, r) => teamModels(s, r.body, r.caller, false),
  "GET /v2/team/list": (s, r) => teamListV2(s, r.q, r.caller),
  "GET /team/list": (s, r) => teamList(s, r.q, r.caller),
  "GET /team/info": (s, r) => teamInfo(s, r.q, r.caller),
  "POST /team/new": (s, r) => teamNew(s, r.body),
  "POST /team/update": (s, r) => teamUpdate(s, r.body),
  "POST /team/delete": (s, r) => teamDelete(s, r.body),
  "POST /team/member_add": (s, r) => {
    teamAdminOnly(s, r.caller, r.body["team_id"], "/team/member_add")
    return teamMemberAdd(s, r.body)
  },
  "POST /team/member_delete": (s, r) => {
    teamAdminOnly(s, r.caller, r.body["team_id"], "/team/member_delete")
    return teamMemberDelete(s, r.body)
  }
}
