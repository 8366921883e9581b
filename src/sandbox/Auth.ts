import { sha256Hex } from "../litellm/KeyHash.js"
import { envelope, HttpError, Unhandled } from "./Answers.js"
import type { Caller, Release, Role, Row, Store } from "./Store.js"

// LiteLLMRoutes in _types.py, the members this sandbox serves, per release: `legacy` as the
// mid-2025 revision with /user/list added to management_routes (PR #14868, 2025-09-24); `mid` and
// `current` as the 2026 revisions, where key_management_routes also holds the spend-log routes,
// spend_tracking_routes holds /spend/logs/v2 and /spend/logs/ui, and self_managed_routes /user/list.
interface RouteLists {
  readonly info_routes: ReadonlySet<string>
  readonly key_management_routes: ReadonlySet<string>
  readonly management_routes: ReadonlySet<string>
  readonly spend_tracking_routes: ReadonlySet<string>
  readonly self_managed_routes: ReadonlySet<string>
  readonly internal_user_routes: ReadonlySet<string>
  readonly internal_user_view_only_routes: ReadonlySet<string>
}

const INFO = [
  "/key/info", "/team/info", "/team/list", "/v2/team/list", "/user/info", "/model/info", "/v2/model/info", "/key/list",
  "/organization/list"
]

// org_admin_only_routes: the 2026 lists add member_delete.
const ORG_ADMIN_ONLY_2025 = ["/organization/info", "/organization/delete", "/organization/member_add", "/organization/member_update"]
const ORG_ADMIN_ONLY: Readonly<Record<Release, ReadonlyArray<string>>> = {
  legacy: ORG_ADMIN_ONLY_2025,
  mid: [...ORG_ADMIN_ONLY_2025, "/organization/member_delete"],
  current: [...ORG_ADMIN_ONLY_2025, "/organization/member_delete"]
}
const KEYS = ["/key/generate", "/key/update", "/key/delete", "/key/info", "/key/regenerate", "/key/list", "/key/block", "/key/unblock"]
const MANAGEMENT = [
  "/user/new", "/user/update", "/user/delete", "/user/info", "/user/list",
  "/team/new", "/team/update", "/team/delete", "/team/list", "/v2/team/list", "/team/info", "/team/block", "/team/unblock",
  "/model/new", "/model/update", "/model/delete", "/model/info"
]

const lists = (parts: {
  readonly keys: ReadonlyArray<string>
  readonly management: ReadonlyArray<string>
  readonly spend: ReadonlyArray<string>
  readonly selfManaged: ReadonlyArray<string>
}): RouteLists => ({
  info_routes: new Set(INFO),
  key_management_routes: new Set(parts.keys),
  management_routes: new Set([...parts.management, ...parts.keys]),
  spend_tracking_routes: new Set(parts.spend),
  self_managed_routes: new Set(parts.selfManaged),
  internal_user_routes: new Set([...parts.spend, ...parts.keys]),
  internal_user_view_only_routes: new Set(parts.spend)
})

// Model management polices itself (ModelManagementAuthChecks): self_managed_routes on every release read.
const MODEL_WRITES = ["/model/new", "/model/update", "/model/delete", "/model/{model_id}/update"]

const SPEND_LEGACY = ["/spend/keys", "/spend/users", "/spend/tags", "/spend/calculate", "/spend/logs"]
const LISTS_2026 = lists({
  keys: [...KEYS, "/spend/logs", "/spend/logs/v2"],
  management: [...MANAGEMENT, "/user/daily/activity"],
  spend: [...SPEND_LEGACY, "/spend/logs/v2", "/spend/logs/ui"],
  selfManaged: ["/team/member_add", "/team/member_delete", "/team/member_update", "/team/daily/activity", "/user/daily/activity", "/user/list", ...MODEL_WRITES]
})
const LISTS: Readonly<Record<Release, RouteLists>> = {
  legacy: lists({
    keys: KEYS,
    management: MANAGEMENT,
    spend: SPEND_LEGACY,
    selfManaged: ["/team/member_add", "/team/member_delete", "/team/member_update", "/team/daily/activity", "/user/daily/activity", ...MODEL_WRITES]
  }),
  mid: LISTS_2026,
  current: LISTS_2026
}

export const authenticate = (s: Store, header: string | undefined): Caller => {
  if (header === undefined) throw envelope(401, "Authentication Error, No api key passed in.", "auth_error")
  if (!header.startsWith("Bearer ")) {
    throw envelope(401, "Authentication Error, Malformed API Key passed in. Ensure Key has `Bearer ` prefix.", "auth_error")
  }
  const key = header.slice("Bearer ".length)
  if (s.adminKeys.has(key)) {
    return { role: "proxy_admin", userId: "default_user_id", token: sha256Hex(key), allowedRoutes: [], teamId: null }
  }
  const hash = sha256Hex(key)
  const row = s.keys.get(hash)
  if (row !== undefined) {
    if (row["blocked"] === true) {
      throw envelope(401, "Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin.", "auth_error")
    }
    const expires = typeof row["expires"] === "string" ? new Date(row["expires"]) : undefined
    if (expires !== undefined && expires.getTime() < Date.now()) {
      // A 400, not a 401, on the releases read; older ones put the raw key itself in `param`.
      throw envelope(
        400,
        `Authentication Error - Expired Key. Key Expiry time ${expires.toISOString()} and current time ${new Date().toISOString()}`,
        "expired_key",
        s.traits.expiredQuotesRawKey ? key : `sk-...${key.slice(-4)}`
      )
    }
    const userId = typeof row["user_id"] === "string" ? row["user_id"] : ""
    const user = s.users.get(userId)
    // get_user_object finds no row for a key without a user: no role at all. An unknown role is internal_user.
    const role = user === undefined ? null : (user["user_role"] ?? "internal_user") as Role
    const allowedRoutes = Array.isArray(row["allowed_routes"]) ? (row["allowed_routes"] as Array<string>) : []
    const teamId = typeof row["team_id"] === "string" ? row["team_id"] : null
    return { role, userId, token: hash, allowedRoutes, teamId }
  }
  throw envelope(
    401,
    `Authentication Error, Invalid proxy server token passed. Received API Key = sk-...${key.slice(-4)}, Key Hash (Token) =${hash}. Unable to find token in cache or \`LiteLLM_VerificationTokenTable\``,
    "token_not_found_in_db",
    "key"
  )
}

const explicitly = (allowed: ReadonlyArray<string>, path: string) =>
  allowed.some((a) => a === path || path.startsWith(`${a}/`) || (a.endsWith("*") && path.startsWith(a.slice(0, -1))))

/** `is_virtual_key_allowed_to_call_route`: explicit, prefix and wildcard entries, or a LiteLLMRoutes list's name. */
const matchesAllowed = (l: RouteLists, allowed: ReadonlyArray<string>, path: string) =>
  explicitly(allowed, path) || allowed.some((a) => Object.hasOwn(l, a) && l[a as keyof RouteLists].has(path))

// A list's templated routes match as route_checks' _route_matches_pattern does: a parameter is one segment.
const holds = (list: ReadonlySet<string>, path: string) =>
  list.has(path) ||
  [...list].some((r) => r.includes("{") && new RegExp(`^${r.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(path))

const pyList = (items: ReadonlyArray<string>) => `[${items.map((i) => `'${i}'`).join(", ")}]`

/**
 * route_checks.py: `should_call_route` (a key's allowed_routes, for every role) and then
 * `non_proxy_admin_allowed_routes_check`, for the routes this server calls.
 */
export const checkRoute = (s: Store, caller: Caller, method: string, path: string, q: URLSearchParams, body: Row): void => {
  const l = LISTS[s.release]
  if (caller.allowedRoutes.length > 0 && !matchesAllowed(l, caller.allowedRoutes, path)) {
    // Raised outside the handler that makes LiteLLM's envelope (user_api_key_auth).
    if (s.traits.routeRefusal === "plain-500") throw new Unhandled()
    throw new HttpError(403, {
      detail: `Virtual key is not allowed to call this route. Only allowed to call routes: ${pyList(caller.allowedRoutes)}. Tried to call route: ${path}`
    })
  }
  if (caller.role === "proxy_admin") return
  if (l.info_routes.has(path)) {
    const userId = q.get("user_id")
    if (path === "/user/info" && userId !== null && userId !== caller.userId) {
      throw envelope(
        403,
        `key not allowed to access this user's info. user_id=${userId}, key's user_id=${caller.userId}`,
        "auth_error"
      )
    }
    return
  }
  if (caller.role === "proxy_admin_viewer") {
    if (method === "GET") return
    if (path === "/user/update" && Object.keys(body).every((k) => k === "user_email" || k === "password")) return
    throw envelope(
      403,
      `user not allowed to access this route, role= proxy_admin_viewer. Trying to access: ${path}`,
      "auth_error"
    )
  }
  if (caller.role === "internal_user" && l.internal_user_routes.has(path)) return
  if (caller.role === "internal_user_viewer" && l.internal_user_view_only_routes.has(path)) return
  if (holds(l.self_managed_routes, path)) return
  // _route_matches_org_admin: an organization admin, known only by an organization_id in the body.
  if (ORG_ADMIN_ONLY[s.release].includes(path) && s.isOrgAdmin(caller, body["organization_id"])) return
  // The last pass admits what a key's allowed_routes name explicitly, never through a list's name.
  if (explicitly(caller.allowedRoutes, path)) return
  const masked = caller.userId.length <= 4 ? "***" : `${caller.userId.slice(0, 6)}***${caller.userId.slice(-2)}`
  throw envelope(
    401,
    `Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=${path}. Your role=${caller.role ?? "unknown"}. Your user_id=${masked}`,
    "auth_error"
  )
}
