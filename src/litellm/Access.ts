// Which of LiteLLM's admin routes a key may call, as LiteLLM decides it: `RouteChecks` in
// auth/route_checks.py (`is_virtual_key_allowed_to_call_route`, `non_proxy_admin_allowed_routes_check`,
// `_check_proxy_admin_viewer_access`) over the route lists of `LiteLLMRoutes` (RouteLists.ts: each
// list the union of every revision of _types.py read), and the team-member handlers' own check. The rules answer
// "certainly refused" or "maybe": where releases differ (a route added to a list later), or LiteLLM
// decides by something this server cannot see (an organization in the request body, a team open to
// all), the answer is "maybe".
import { type ListName, SERVING_LISTS, UNION } from "./RouteLists.js"

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

/**
 * What a tool cannot do without: one LiteLLM route (or one of several, where an older release
 * serves the same through another), and whether its handler admits team admins only.
 */
export interface Need {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE"
  readonly route: string
  /** Routes the tool falls back to where a release lacks `route`: it works if any is admitted. */
  readonly fallbacks?: ReadonlyArray<string>
  /** The handler refuses anyone but a proxy admin or an admin of the team (`/team/member_delete`). */
  readonly teamAdmin?: true
  /**
   * Only admins, their viewers and organization admins get past the handler or the route check on
   * any release (`/user/list`: management_routes, then `_authorize_user_list_request`).
   */
  readonly orgAdmin?: true
  /**
   * Any management route the caller names (the route tier's change tool): ruled out only for a
   * role that may change nothing at all.
   */
  readonly anyRoute?: true
}

// A route named as a template (the route tier's rows, such as /key/{key}/regenerate) is the list's
// template of the same shape, whatever its placeholders are called (/key/{key_id}/regenerate).
const shapeOf = (route: string) => route.replace(/\{[^}]+\}/g, "{}")

const SHAPES = Object.fromEntries(
  Object.entries(UNION).map(([name, routes]) => [name, new Set([...routes].filter((r) => r.includes("{")).map(shapeOf))])
) as unknown as Readonly<Record<ListName, ReadonlySet<string>>>

const listed = (name: ListName, route: string) =>
  UNION[name].has(route) || (route.includes("{") && SHAPES[name].has(shapeOf(route)))

// An entry of allowed_routes names the route itself, a prefix of it, or a wildcard.
const explicitly = (entry: string, route: string) =>
  entry === route || route.startsWith(`${entry}/`) || (entry.endsWith("*") && route.startsWith(entry.slice(0, -1)))

/**
 * `is_virtual_key_allowed_to_call_route`: an explicit entry, or a LiteLLMRoutes list that holds
 * the route in any revision read. A list this server does not know may hold it.
 */
const keyAllows = (allowed: ReadonlyArray<string>, route: string): boolean =>
  allowed.length === 0 || allowed.some((a) => {
    if (explicitly(a, route)) return true
    if (a.startsWith("/")) return false
    if (Object.hasOwn(UNION, a)) return listed(a as ListName, route)
    return !SERVING_LISTS.has(a)
  })

/** Why LiteLLM would certainly refuse this one route for this key, or undefined when it may allow it. */
const refusalOf = (access: KeyAccess, need: Need, route: string): string | undefined => {
  if (need.anyRoute === true) {
    return access.role === "proxy_admin_viewer" && need.method !== "GET" ? "LiteLLM's proxy_admin_viewer role may not change anything" : undefined
  }
  // Applies to every role, proxy admins included.
  if (!keyAllows(access.allowedRoutes, route)) return `the key's allowed_routes do not include ${route}`
  if (access.role === "proxy_admin" || access.role === undefined) return undefined
  const handler = need.teamAdmin === true && access.teamAdminOf.length === 0 && access.orgAdmin === false
    ? `LiteLLM lets only proxy admins and team admins call ${route}`
    : undefined
  if (listed("info_routes", route)) return handler
  if (access.role === "proxy_admin_viewer") {
    return need.method === "GET" ? handler : `LiteLLM's proxy_admin_viewer role may not call ${route}, which writes`
  }
  if (need.orgAdmin === true && access.orgAdmin === false) {
    return `LiteLLM lets only proxy admins, proxy admin viewers and organization admins call ${route}`
  }
  const allowed = (access.role === "internal_user" && listed("internal_user_routes", route)) ||
    (access.role === "internal_user_viewer" && listed("internal_user_view_only_routes", route)) ||
    (access.orgAdmin !== false && listed("org_admin_allowed_routes", route)) ||
    listed("self_managed_routes", route) ||
    // The last pass of non_proxy_admin_allowed_routes_check: explicit entries only, never a list's name.
    access.allowedRoutes.some((a) => explicitly(a, route))
  if (!allowed) return `LiteLLM lets only proxy admins call ${route} (this key's role: ${access.role ?? "none"})`
  return handler
}

/**
 * Why LiteLLM would certainly refuse `need` for this key, or undefined when it may allow it: a
 * tool with fallbacks is refused only when every route it may take is. With `access` undefined
 * (LiteLLM did not describe the key: its master key), or a tool that needs no route, nothing is ruled out.
 */
export const refusal = (access: KeyAccess | undefined, need: Need | null): string | undefined => {
  if (access === undefined || need === null) return undefined
  const first = refusalOf(access, need, need.route)
  if (first === undefined) return undefined
  return (need.fallbacks ?? []).some((r) => refusalOf(access, need, r) === undefined) ? undefined : first
}
