import { sha256Hex } from "../litellm/KeyHash.js"
import { envelope } from "./Answers.js"
import type { Caller, Role, Row, Store } from "./Store.js"

// LiteLLMRoutes in _types.py, the members this sandbox serves.
const INFO_ROUTES = new Set([
  "/key/info",
  "/team/info",
  "/team/list",
  "/v2/team/list",
  "/user/info",
  "/model/info",
  "/v2/model/info",
  "/key/list"
])
const KEY_MANAGEMENT_ROUTES = new Set([
  "/key/generate",
  "/key/update",
  "/key/delete",
  "/key/info",
  "/key/regenerate",
  "/key/list",
  "/key/block",
  "/key/unblock"
])
// Exact routes: /spend/logs/v2 and /spend/logs/ui are not among them.
const SPEND_TRACKING_ROUTES = new Set(["/spend/keys", "/spend/users", "/spend/tags", "/spend/calculate", "/spend/logs"])
const SELF_MANAGED_ROUTES = new Set(["/team/member_add", "/team/member_delete", "/user/daily/activity"])


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
        s.release === "legacy" ? key : `sk-...${key.slice(-4)}`
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

// LiteLLMRoutes lists a key's allowed_routes may name, among those this sandbox knows.
const ROUTE_LISTS: Record<string, ReadonlySet<string>> = {
  info_routes: INFO_ROUTES,
  key_management_routes: KEY_MANAGEMENT_ROUTES,
  spend_tracking_routes: SPEND_TRACKING_ROUTES
}

const matchesAllowed = (allowed: ReadonlyArray<string>, path: string) =>
  allowed.some((a) =>
    a === path || path.startsWith(`${a}/`) || (a.endsWith("*") && path.startsWith(a.slice(0, -1))) ||
    ROUTE_LISTS[a]?.has(path) === true
  )

const pyList = (items: ReadonlyArray<string>) => `[${items.map((i) => `'${i}'`).join(", ")}]`

/**
 * route_checks.py: `should_call_route` (a key's allowed_routes, for every role) and then
 * `non_proxy_admin_allowed_routes_check`, for the routes this server calls.
 */
export const checkRoute = (s: Store, caller: Caller, method: string, path: string, q: URLSearchParams, body: Row): void => {
  if (caller.allowedRoutes.length > 0 && !matchesAllowed(caller.allowedRoutes, path)) {
    throw envelope(
      403,
      `Virtual key is not allowed to call this route. Only allowed to call routes: ${pyList(caller.allowedRoutes)}. Tried to call route: ${path}`,
      "auth_error"
    )
  }
  if (caller.role === "proxy_admin") return
  if (INFO_ROUTES.has(path)) {
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
  if (caller.role === "internal_user" && (KEY_MANAGEMENT_ROUTES.has(path) || SPEND_TRACKING_ROUTES.has(path))) return
  if (caller.role === "internal_user_viewer" && SPEND_TRACKING_ROUTES.has(path)) return
  if (SELF_MANAGED_ROUTES.has(path)) return
  // Newer releases let a key call what its allowed_routes name, whatever its role.
  if (s.release === "current" && caller.allowedRoutes.length > 0) return
  const masked = caller.userId.length <= 4 ? "***" : `${caller.userId.slice(0, 6)}***${caller.userId.slice(-2)}`
  throw envelope(
    401,
    `Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=${path}. Your role=${caller.role ?? "unknown"}. Your user_id=${masked}`,
    "auth_error"
  )
}
