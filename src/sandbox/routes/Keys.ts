import { sha256Hex, toKeyHash } from "../../litellm/KeyHash.js"
import { envelope, HttpError, page, pyRepr } from "../Answers.js"
import { type Caller, type Handler, now, type Row, type Store } from "../Store.js"
import type { Traits } from "../Releases.js"
import { after, budgetResetOf } from "../Durations.js"

/** Which of /key/list's later filters a release knows; FastAPI drops the others silently. */
const knows = (t: Traits, name: string): boolean => {
  switch (name) {
    case "expires":
    case "substring_matching":
    case "agent_id":
    case "include_created_by_keys":
      return t.keyListLateFilters
    case "status":
      return t.keyListStatus
    case "project_id":
    case "access_group_id":
      return t.keyListProjectFilters
    default:
      return true
  }
}


/** `list_keys` with `validate_key_list_check` and `_build_key_filter_conditions`. */
export const keyList = (s: Store, q: URLSearchParams, caller: Caller) => {
  const sortBy = q.get("sort_by")
  const columns = ["spend", "max_budget", "created_at", "updated_at", "token", "key_alias"]
  if (sortBy !== null && !columns.includes(sortBy)) {
    throw envelope(400, `Invalid sort_by. Must be one of ${columns.join(", ")}`)
  }
  // Older releases do not know some filters, and FastAPI drops unknown parameters silently.
  const param = (name: string) => knows(s.traits, name) ? q.get(name) : null
  const status = param("status")
  if (status !== null && status !== "deleted") throw envelope(400, "Invalid status value. Currently only 'deleted' is supported.")
  let userId = q.get("user_id")
  const teamId = q.get("team_id")
  let adminTeams: Array<string> = []
  if (caller.role !== "proxy_admin") {
    const user = s.users.get(caller.userId)
    if (user === undefined) {
      throw envelope(403, "You are not authorized to access this endpoint. No 'user_id' is associated with your API key.", "bad_request_error", "user_id")
    }
    if (userId !== null && userId !== caller.userId) {
      throw envelope(403, "You are not authorized to check another user's keys", "bad_request_error", "user_id")
    }
    if (teamId !== null && !(user["teams"] as Array<string>).includes(teamId)) {
      throw envelope(403, "You are not authorized to check this team's keys", "bad_request_error", "team_id")
    }
    if (q.get("include_team_keys") === "true") {
      adminTeams = (user["teams"] as Array<string>).filter((t) => s.isTeamAdmin(caller, t))
    }
    if (userId === null && caller.role !== "proxy_admin_viewer") userId = caller.userId
  }
  const substring = param("substring_matching") === "true"
  const matches = (value: unknown, wanted: string | null) =>
    wanted === null ||
    (substring ? String(value ?? "").toLowerCase().includes(wanted.toLowerCase()) : value === wanted)
  const expires = param("expires")
  const now = Date.now()
  // Own keys match the filters; keys of the teams the caller administers are added unfiltered.
  const own = (k: Row) =>
    matches(k["user_id"], userId) &&
    (q.get("organization_id") === null || k["organization_id"] === q.get("organization_id")) &&
    (q.get("key_hash") === null || k["token"] === q.get("key_hash")) &&
    matches(k["key_alias"], q.get("key_alias")) &&
    (param("agent_id") === null || k["agent_id"] === param("agent_id")) &&
    (param("project_id") === null || k["project_id"] === param("project_id")) &&
    (param("access_group_id") === null ||
      (Array.isArray(k["access_group_ids"]) && (k["access_group_ids"] as Array<unknown>).includes(param("access_group_id")))) &&
    (expires === null ||
      (expires === "expired"
        ? k["expires"] != null && Date.parse(String(k["expires"])) < now
        : k["expires"] == null || Date.parse(String(k["expires"])) >= now))
  // Keys the caller made for others are added unfiltered too (include_created_by_keys).
  const createdByCaller = (k: Row) => param("include_created_by_keys") === "true" && k["created_by"] === caller.userId
  // status=deleted reads LiteLLM_DeletedVerificationToken instead: rows with deleted_at.
  const keys = (status === "deleted" ? s.deletedKeys : [...s.keys.values()]).filter((k) =>
    k["team_id"] !== "litellm-dashboard" &&
    (own(k) || adminTeams.includes(String(k["team_id"])) || createdByCaller(k)) &&
    (teamId === null || k["team_id"] === teamId)
  )
  const pageNo = Number(q.get("page") ?? 1)
  const size = Number(q.get("size") ?? 10)
  const { items, totalPages } = page(keys, pageNo, size)
  const full = q.get("return_full_object") === "true"
  return {
    keys: items.map((k) => full ? { ...k, api_key: null } : k["token"]),
    total_count: keys.length,
    current_page: pageNo,
    total_pages: totalPages
  }
}

export const keyGenerate = (s: Store, body: Row, caller: Caller) => {
  // _common_key_generation_helper: tags are an Enterprise feature, refused as a ValueError (500).
  if (body["tags"] != null && !s.enterprise) {
    throw envelope(
      500,
      "Only premium users can add tags to keys. You must be a LiteLLM Enterprise user to use this feature. If you have a license please set `LITELLM_LICENSE` in your env."
    )
  }
  for (const field of ["max_budget", "soft_budget"]) {
    if (typeof body[field] === "number" && (body[field] as number) < 0) {
      throw envelope(400, pyRepr(`${field} cannot be negative. Received: ${String(body[field])}`))
    }
  }
  const owner = body["user_id"] ?? (s.traits.keyOwnedByCreator && caller.role !== "proxy_admin" && caller.userId !== "" ? caller.userId : undefined)
  const { raw, row } = s.createKeyRow(body, owner)
  row["created_by"] = caller.userId
  return { ...row, key: raw, token_id: row["token"] }
}

export const keyUpdate = (s: Store, body: Row, caller: Caller) => {
  const given = body["key"]
  const alias = body["key_alias"]
  let row: Row | undefined
  if (typeof given === "string") {
    row = s.findKey(given)
  } else if (typeof alias === "string") {
    row = [...s.keys.values()].find((k) => k["key_alias"] === alias)
  } else {
    throw new HttpError(422, {
      detail: [{ type: "value_error", loc: ["body"], msg: "Value error, either key or key_alias must be provided" }]
    })
  }
  // LiteLLM's own (misleading) message for an unknown key.
  if (row === undefined) throw envelope(404, pyRepr("Team not found, passed team_id=None"), "auth_error")
  if (!s.canModify(caller, row)) {
    throw envelope(403, pyRepr(`User=${caller.userId} is not allowed to update key=${String(given ?? alias)}`), "auth_error")
  }
  if (typeof given === "string" && typeof alias === "string" && alias !== row["key_alias"]) {
    if ([...s.keys.values()].some((k) => k["key_alias"] === alias)) {
      throw envelope(400, `Key with alias '${alias}' already exists. Unique key aliases across all keys are required.`, "bad_request_error", "key_alias")
    }
  }
  const { key: _k, duration, budget_duration, ...changes } = body
  // prepare_key_update_data, before anything is written: a non-empty duration sets expires from
  // now, null or "" leaves it; one duration_in_seconds cannot read is a ValueError, answered 500
  // through handle_exception_on_proxy, and nothing changes.
  const neverExpires = duration === "-1" && s.traits.neverExpiresDuration
  if (!neverExpires && typeof duration === "string" && duration !== "" && !/^\d/.test(duration)) {
    throw envelope(500, "Internal Server Error, Invalid duration format")
  }
  Object.assign(row, changes, { updated_at: now() })
  if (neverExpires) row["expires"] = null
  else if (typeof duration === "string" && duration !== "") row["expires"] = after(duration).toISOString()
  // It keeps budget_duration only when it is a non-empty string (null is ignored), and resets the
  // budget's clock with it.
  if (typeof budget_duration === "string" && budget_duration !== "") {
    Object.assign(row, { budget_duration }, budgetResetOf(budget_duration, "boundary"))
  }
  return { key: given ?? alias, ...row }
}

export const keyDelete = (s: Store, body: Row, caller: Caller) => {
  const keys = body["keys"] as Array<string> | null | undefined
  const aliases = body["key_aliases"] as Array<string> | null | undefined
  if (keys == null && aliases == null) {
    throw new HttpError(422, {
      detail: [{ type: "value_error", loc: ["body"], msg: "Value error, At least one of 'keys' or 'key_aliases' must be provided." }]
    })
  }
  // `keys` wins when both are sent; aliases are then ignored.
  const hashes = keys != null
    ? keys.map(toKeyHash)
    : [...s.keys.values()].filter((k) => aliases!.includes(String(k["key_alias"]))).map((k) => String(k["token"]))
  const existing = hashes.filter((h) => s.keys.has(h))
  if (existing.length === 0) throw envelope(404, pyRepr("No keys found"))
  if (existing.some((h) => !s.canModify(caller, s.keys.get(h)!))) {
    throw envelope(403, pyRepr("You are not authorized to delete this key"))
  }
  for (const h of existing) s.deleteKey(h, caller)
  return { deleted_keys: keys ?? aliases }
}

export const keyInfo = (s: Store, q: URLSearchParams, caller: Caller) => {
  // info_key_fn: without `key`, the key that asks (the master key has no row: 404).
  const key = q.get("key") ?? caller.token
  const row = s.findKey(key)
  if (row === undefined) throw envelope(404, "Key not found in database", "not_found_error", "key")
  // _can_user_query_key_info
  const allowed = caller.role === "proxy_admin" || caller.role === "proxy_admin_viewer" ||
    row["token"] === caller.token || row["user_id"] === caller.userId || s.isTeamMember(caller, row["team_id"])
  if (!allowed) throw envelope(403, `You are not allowed to access this key's info. Your role=${caller.role}`)
  const { token: _t, ...info } = row
  return { key, info }
}

export const keyRegenerate = (s: Store, body: Row, caller: Caller) => {
  if (!s.enterprise) {
    throw envelope(
      500,
      "Regenerating Virtual Keys is an Enterprise feature, You must be a LiteLLM Enterprise user to use this feature. If you have a license please set `LITELLM_LICENSE` in your env."
    )
  }
  const old = s.findKey(String(body["key"]))
  if (old === undefined) throw envelope(404, pyRepr(`Key ${String(body["key"])} not found.`))
  if (!s.canModify(caller, old)) throw envelope(403, pyRepr("You are not authorized to regenerate this key"))
  const custom = body["new_key"]
  const { token: _token, key_name: _name, ...fields } = old
  s.deleteKey(String(old["token"]), caller)
  const { raw, row } = s.seedKey(fields, typeof custom === "string" ? custom : undefined)
  // _execute_virtual_key_regeneration moves the hash to token_id; GenerateKeyResponse then
  // serialises its own `token` field, unset, as null.
  const { token, ...rest } = row
  return { ...rest, key: raw, token_id: token, token: null }
}

export const keyBlock = (s: Store, body: Row, blocked: boolean) => {
  const given = String(body["key"])
  if (!given.startsWith("sk-") && !/^[0-9a-f]{64}$/.test(given)) {
    throw envelope(400, "Invalid key format.", "bad_request_error", "key")
  }
  // unblock_key of those releases hashes a hash again: the update matches no row.
  const hash = !blocked && s.traits.unblockHashesTwice ? sha256Hex(given) : toKeyHash(given)
  const row = s.keys.get(hash)
  // The update finds no row, then get_key_object fails as authentication does.
  if (row === undefined) {
    throw envelope(
      401,
      `Authentication Error, Invalid proxy server token passed. key=${hash}, not found in db. Create key via \`/key/generate\` call.`,
      "token_not_found_in_db",
      "key"
    )
  }
  row["blocked"] = blocked
  return row
}

export const routes: Record<string, Handler> = {
  "GET /key/list": (s, r) => keyList(s, r.q, r.caller),
  "POST /key/generate": (s, r) => keyGenerate(s, r.body, r.caller),
  "POST /key/update": (s, r) => keyUpdate(s, r.body, r.caller),
  "POST /key/delete": (s, r) => keyDelete(s, r.body, r.caller),
  "GET /key/info": (s, r) => keyInfo(s, r.q, r.caller),
  "POST /key/regenerate": (s, r) => keyRegenerate(s, r.body, r.caller),
  "POST /key/block": (s, r) => keyBlock(s, r.body, true),
  "POST /key/unblock": (s, r) => keyBlock(s, r.body, false)
}
