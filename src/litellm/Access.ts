// Which of LiteLLM's admin routes a key may call, as LiteLLM decides it: `RouteChecks` in
// auth/route_checks.py (`is_virtual_key_allowed_to_call_route`, `non_proxy_admin_allowed_routes_check`,
// `_check_proxy_admin_viewer_access`) over the route lists of `LiteLLMRoutes` in _types.py, and the
// team-member handlers' own check. Only the routes this server calls are listed. The rules answer
// "certainly refused" or "maybe": where releases differ (a route added to a list later), or LiteLLM
// decides by something this server cannot see (an organization in the request body, a team open to
// all), the answer is "maybe".

/** The roles of `LitellmUserRoles` that route_checks.py tells apart for the routes this server calls. */
const ROLES = ["proxy_admin", "proxy_admin_viewer", "internal_user", "internal_user_viewer"] as const
export type Role = typeof ROLES[number]

export const isRole = (value: unknown): value is Role => (ROLES as ReadonlyArray<unknown>).includes(value)

/** What LiteLLM knows of a key that decides which routes it may call. */
export interface KeyAccess {
  /**
   * Its user's role; null for a key without a user (a team or service key), which LiteLLM treats as
   * no role; undefined when LiteLLM's answers leave it in doubt (then only allowed_routes rule out).
   */
  readonly role: Role | null | undefined
  /** The key's own `allowed_routes`; empty means no restriction. */
  readonly allowedRoutes: ReadonlyArray<string>
  /** Teams its user administers. */
  readonly teamAdminOf: ReadonlyArray<string>
  /** Whether its user administers an organization; undefined when LiteLLM's answer did not say. */
  readonly orgAdmin: boolean | undefined
}

/** What a tool cannot do without: one LiteLLM route, and whether its handler admits team admins only. */
export interface Need {
  readonly method: "GET" | "POST"
  readonly route: string
  /** The handler refuses anyone but a proxy admin or an admin of the team (`/team/member_delete`). */
  readonly teamAdmin?: true
}

// info_routes: any key may call them; the handlers scope what they answer.
const INFO_ROUTES = new Set([
  "/key/info",
  "/key/list",
  "/user/info",
  "/team/info",
  "/team/list",
  "/v2/team/list",
  "/model/info",
  "/v2/model/info"
])

const KEY_MANAGEMENT_ROUTES = new Set([
  "/key/generate",
  "/key/update",
  "/key/delete",
  "/key/regenerate",
  "/key/info",
  "/key/list",
  "/key/block",
  "/key/unblock"
])

// spend_tracking_routes. /spend/logs/v2 and /spend/logs/ui joined the list after the 1.79 line:
// listed here, since on a current release an internal user may call them.
const SPEND_TRACKING_ROUTES = new Set(["/spend/logs", "/spend/logs/v2", "/spend/logs/ui"])

// self_managed_routes: the route check lets everyone through and the handler decides.
const SELF_MANAGED_ROUTES = new Set(["/team/member_add", "/team/member_delete", "/user/daily/activity"])

// management_routes and admin_viewer_routes, which an organization admin may call for its organization.
const ORG_ADMIN_ROUTES = new Set([
  "/user/new",
  "/user/update",
  "/user/delete",
  "/user/info",
  "/user/list",
  "/team/new",
  "/team/update",
  "/team/delete",
  ...KEY_MANAGEMENT_ROUTES,
  ...SELF_MANAGED_ROUTES
])

// The LiteLLMRoutes lists a key's allowed_routes may name instead of routes.
const ROUTE_LISTS: Readonly<Record<string, ReadonlySet<string>>> = {
  info_routes: INFO_ROUTES,
  key_management_routes: KEY_MANAGEMENT_ROUTES,
  spend_tracking_routes: SPEND_TRACKING_ROUTES,
  self_managed_routes: SELF_MANAGED_ROUTES,
  management_routes: ORG_ADMIN_ROUTES,
  llm_api_routes: new Set(),
  openai_routes: new Set()
}

/** `is_virtual_key_allowed_to_call_route`: exact, `prefix/…`, `prefix*`, or a LiteLLMRoutes list. */
const keyAllows = (allowed: ReadonlyArray<string>, route: string): boolean =>
  allowed.length === 0 || allowed.some((a) => {
    if (a === route || route.startsWith(`${a}/`)) return true
    if (a.endsWith("*")) return route.startsWith(a.slice(0, -1))
    // A list this server does not know: it may hold the route.
    if (!a.startsWith("/")) return Object.hasOwn(ROUTE_LISTS, a) ? ROUTE_LISTS[a]!.has(route) : true
    return false
  })

/**
 * Why LiteLLM would certainly refuse `need` for this key, or undefined when it may allow it. With
 * `access` undefined (LiteLLM did not describe the key: its master key) nothing is ruled out.
 */
export const refusal = (access: KeyAccess | undefined, need: Need): string | undefined => {
  if (access === undefined) return undefined
  const { route } = need
  // Applies to every role, proxy admins included.
  if (!keyAllows(access.allowedRoutes, route)) return `the key's allowed_routes do not include ${route}`
  if (access.role === "proxy_admin" || access.role === undefined) return undefined
  const handler = need.teamAdmin === true && access.teamAdminOf.length === 0 && access.orgAdmin === false
    ? `LiteLLM lets only proxy admins and team admins call ${route}`
    : undefined
  if (INFO_ROUTES.has(route)) return handler
  if (access.role === "proxy_admin_viewer") {
    return need.method === "GET" ? handler : `LiteLLM's proxy_admin_viewer role may not call ${route}, which writes`
  }
  const allowed = (access.role === "internal_user" && (KEY_MANAGEMENT_ROUTES.has(route) || SPEND_TRACKING_ROUTES.has(route))) ||
    (access.role === "internal_user_viewer" && SPEND_TRACKING_ROUTES.has(route)) ||
    (access.orgAdmin !== false && ORG_ADMIN_ROUTES.has(route)) ||
    SELF_MANAGED_ROUTES.has(route) ||
    // Newer releases let a key with allowed_routes call what they name, whatever its role.
    (access.allowedRoutes.length > 0 && keyAllows(access.allowedRoutes, route))
  if (!allowed) return `LiteLLM lets only proxy admins call ${route} (this key's role: ${access.role ?? "none"})`
  return handler
}
