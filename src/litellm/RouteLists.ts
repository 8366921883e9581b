// LiteLLM's route lists (`LiteLLMRoutes` in litellm/proxy/_types.py), as data, per revision of the
// source read. A key's allowed_routes may name a list instead of routes, and the role checks of
// route_checks.py admit a role by list; lists grow and change between releases, so what a list
// holds is the union of every revision read (a route stays if any release may admit it).
// Model-serving, pass-through and UI lists are kept only for the management routes they hold.

/** The lists route_checks.py decides by, with the management routes they hold. */
export interface Lists extends Read {
  /** org_admin_only + management + self_managed + admin_viewer, as _types.py composes it. */
  readonly org_admin_allowed_routes: ReadonlyArray<string>
}

/** The lists as read; the composed one is derived (`lists`). */
interface Read {
  readonly info_routes: ReadonlyArray<string>
  readonly key_management_routes: ReadonlyArray<string>
  readonly management_routes: ReadonlyArray<string>
  readonly spend_tracking_routes: ReadonlyArray<string>
  readonly global_spend_tracking_routes: ReadonlyArray<string>
  readonly internal_user_routes: ReadonlyArray<string>
  readonly internal_user_view_only_routes: ReadonlyArray<string>
  readonly self_managed_routes: ReadonlyArray<string>
  readonly org_admin_only_routes: ReadonlyArray<string>
  readonly admin_viewer_routes: ReadonlyArray<string>
  /** Its management members only: the rest serve models. */
  readonly llm_api_routes: ReadonlyArray<string>
}

const lists = (read: Read): Lists => ({
  ...read,
  org_admin_allowed_routes: [
    ...read.org_admin_only_routes,
    ...read.management_routes,
    ...read.self_managed_routes,
    ...read.admin_viewer_routes
  ]
})

export interface Revision {
  /** Where it was read: the search index's id of that _types.py, and when it is from. */
  readonly source: string
  readonly lists: Lists
}

// == mid-2025 (_types.py, index id 236780123): the oldest read, before the supported range.

const R2025_INFO = [
  "/key/info", "/key/health", "/team/info", "/team/list", "/v2/team/list", "/organization/list", "/team/available",
  "/user/info", "/model/info", "/v1/model/info", "/v2/model/info", "/v2/key/info", "/model_group/info", "/health",
  "/key/list", "/user/filter/ui"
]
const R2025_KEYS = [
  "/key/generate", "/key/update", "/key/delete", "/key/info", "/key/regenerate", "/key/service-account/generate",
  "/key/{key_id}/regenerate", "/key/list", "/key/block", "/key/unblock"
]
const R2025_MANAGEMENT = [
  "/user/new", "/user/update", "/user/delete", "/user/info",
  "/team/new", "/team/update", "/team/delete", "/team/list", "/v2/team/list", "/team/info", "/team/block",
  "/team/unblock", "/team/available", "/team/permissions_list", "/team/permissions_update",
  "/model/new", "/model/update", "/model/delete", "/model/info",
  ...R2025_KEYS
]
const R2025_SPEND = ["/spend/keys", "/spend/users", "/spend/tags", "/spend/calculate", "/spend/logs"]
const R2025_GLOBAL_SPEND = [
  "/global/spend/logs", "/global/spend", "/global/spend/keys", "/global/spend/teams", "/global/spend/end_users",
  "/global/spend/models", "/global/predict/spend/logs", "/global/spend/report", "/global/spend/provider"
]
const R2025_SELF_MANAGED = [
  "/team/member_add", "/team/member_delete", "/team/member_update", "/team/permissions_list", "/team/permissions_update",
  "/team/daily/activity", "/model/new", "/model/update", "/model/delete", "/user/daily/activity", "/model/{model_id}/update"
]
const R2025_ORG_ADMIN_ONLY = ["/organization/info", "/organization/delete", "/organization/member_add", "/organization/member_update"]

const R2025: Lists = lists({
  info_routes: R2025_INFO,
  key_management_routes: R2025_KEYS,
  management_routes: R2025_MANAGEMENT,
  spend_tracking_routes: R2025_SPEND,
  global_spend_tracking_routes: R2025_GLOBAL_SPEND,
  internal_user_routes: [
    "/global/spend/tags", "/global/spend/keys", "/global/spend/models", "/global/spend/provider",
    "/global/spend/end_users", "/global/activity", "/global/activity/model", ...R2025_SPEND, ...R2025_KEYS
  ],
  internal_user_view_only_routes: [...R2025_SPEND, ...R2025_GLOBAL_SPEND],
  self_managed_routes: R2025_SELF_MANAGED,
  org_admin_only_routes: R2025_ORG_ADMIN_ONLY,
  admin_viewer_routes: [],
  llm_api_routes: []
})

// == 2026 (_types.py, index id 56100580135): /spend/logs/v2 (November 2025) is in; key management
// holds the spend-log routes, management routes /user/list (PR #14868, 2025-09-24).

const R2026_INFO = [
  "/key/info", "/key/health", "/team/info", "/team/list", "/v2/team/list", "/organization/list", "/team/available",
  "/user/info", "/v2/user/info", "/model/info", "/v1/model/info", "/v2/model/info", "/v2/key/info", "/model_group/info",
  "/health", "/health/services", "/key/list", "/user/filter/ui", "/models", "/v1/models", "/sso/get/ui_settings"
]
const R2026_KEYS = [
  "/key/generate", "/key/update", "/key/delete", "/key/info", "/key/regenerate", "/key/service-account/generate",
  "/key/{key_id}/regenerate", "/key/list", "/key/block", "/key/unblock", "/key/bulk_update", "/team/key/bulk_update",
  "/team/daily/activity", "/spend/logs", "/spend/logs/v2", "/key/{key_id}/reset_spend", "/key/aliases"
]
const R2026_MANAGEMENT = [
  "/user/new", "/user/update", "/user/bulk_update", "/user/delete", "/user/info", "/user/list", "/user/daily/activity",
  "/user/daily/activity/aggregated",
  "/team/new", "/team/update", "/team/delete", "/team/list", "/v2/team/list", "/team/info", "/team/block",
  "/team/unblock", "/team/available", "/team/permissions_list", "/team/permissions_update",
  "/team/permissions_bulk_update", "/team/daily/activity",
  "/model/new", "/model/update", "/model/delete", "/model/info",
  "/jwt/key/mapping/new", "/jwt/key/mapping/update", "/jwt/key/mapping/delete", "/jwt/key/mapping/list",
  "/jwt/key/mapping/info",
  ...R2026_KEYS,
  "/v1/mcp/server", "/v1/mcp/server/{path:path}"
]
const R2026_SPEND = [
  "/spend/keys", "/spend/users", "/spend/tags", "/spend/calculate", "/spend/logs", "/spend/logs/v2", "/spend/logs/ui",
  "/spend/logs/session/ui", "/cost/estimate"
]
const R2026_GLOBAL_SPEND = [...R2025_GLOBAL_SPEND, "/global/spend/tags", "/global/spend/all_tag_names"]
const COMPLIANCE = ["/compliance/eu-ai-act", "/compliance/gdpr"]
const R2026_SELF_MANAGED = [
  "/team/member_add", "/team/member_delete", "/team/member_update", "/team/permissions_list", "/team/permissions_update",
  "/team/daily/activity", "/team/{team_id}/members/me", "/model/new", "/model/update", "/model/delete",
  "/user/daily/activity", "/user/available_roles", "/user/list", "/model/{model_id}/update", "/prompt/list",
  "/prompt/info", "/project/list", "/project/info", "/health/test_connection", "/invitation/new", "/invitation/delete",
  "/guardrails/register", "/guardrails/submissions", "/guardrails/submissions/{guardrail_id}"
]
const R2026_ORG_ADMIN_ONLY = [...R2025_ORG_ADMIN_ONLY, "/organization/member_delete"]
const R2026_ADMIN_VIEWER_OWN = [
  "/user/list", "/user/available_users", "/user/available_roles", "/user/daily/activity", "/team/daily/activity",
  "/tag/daily/activity", "/tag/list", "/audit", "/audit/{id}", "/global/activity", "/global/activity/model",
  "/global/activity/cache_hits", "/customer/list", "/customer/info", "/spend/logs/ui/{logId}", "/spend/logs/session/ui",
  "/callbacks/list", "/callbacks/configs", "/get/config/callbacks", "/alerting/settings", "/config/list",
  "/config/field/info", "/budget/list", "/budget/settings", "/invitation/info", "/guardrails/list",
  "/v2/guardrails/list", "/guardrails/submissions", "/guardrails/submissions/{guardrail_id}",
  "/guardrails/usage/overview", "/policies/attachments/list", "/get/mcp_semantic_filter_settings",
  "/schedule/model_cost_map_reload/status", "/model/cost_map/source"
]
const R2026_ADMIN_VIEWER = [...R2026_ADMIN_VIEWER_OWN, ...R2026_SPEND, ...R2026_INFO]
const R2026_INTERNAL_USER_OWN = [
  "/global/activity", "/global/activity/model", "/global/activity/cache_hits", "/tag/daily/activity", "/tag/list",
  "/v1/models/{model_id}", "/models/{model_id}", "/guardrails/list", "/v2/guardrails/list", "/project/list", "/project/info"
]

const R2026: Lists = lists({
  info_routes: R2026_INFO,
  key_management_routes: R2026_KEYS,
  management_routes: R2026_MANAGEMENT,
  spend_tracking_routes: R2026_SPEND,
  global_spend_tracking_routes: R2026_GLOBAL_SPEND,
  internal_user_routes: [...R2026_INTERNAL_USER_OWN, ...R2026_SPEND, ...R2026_KEYS, ...COMPLIANCE],
  internal_user_view_only_routes: [...R2026_SPEND, ...COMPLIANCE, "/tag/daily/activity", "/tag/list"],
  self_managed_routes: R2026_SELF_MANAGED,
  org_admin_only_routes: R2026_ORG_ADMIN_ONLY,
  admin_viewer_routes: R2026_ADMIN_VIEWER,
  llm_api_routes: []
})

// == newest stored (_types.py, index id 57469109325): more team activity and agent routes, team
// member spend resets, and llm_api_routes holding /model/info.

const AGENT_MANAGEMENT = ["/v1/agents", "/v1/agents/{agent_id}", "/v1/agents/make_public", "/v1/agents/{agent_id}/make_public"]
const NEWEST_INFO = [...R2026_INFO, "/team/metadata_schema", "/get/user_banner"]
const NEWEST_KEYS = [
  ...R2026_KEYS, "/team/daily/activity/aggregated", "/key/access_group_assignment"
]
const NEWEST_MANAGEMENT = [
  "/user/new", "/user/update", "/user/bulk_update", "/user/delete", "/user/info", "/user/list", "/user/daily/activity",
  "/user/daily/activity/aggregated",
  "/team/new", "/team/update", "/team/{team_id}", "/team/delete", "/team/list", "/v2/team/list", "/team/info",
  "/team/block", "/team/unblock", "/team/available", "/team/metadata_schema", "/team/permissions_list",
  "/team/permissions_update", "/team/permissions_bulk_update", "/team/daily/activity", "/team/daily/activity/aggregated",
  "/gateway/daily/activity",
  "/model/new", "/model/update", "/model/delete", "/model/info",
  "/jwt/key/mapping/new", "/jwt/key/mapping/update", "/jwt/key/mapping/delete", "/jwt/key/mapping/list",
  "/jwt/key/mapping/info",
  ...NEWEST_KEYS,
  "/v1/mcp/server", "/v1/mcp/server/{path:path}",
  ...AGENT_MANAGEMENT
]
const NEWEST_SPEND = [
  "/spend/keys", "/spend/users", "/spend/tags", "/spend/calculate", "/spend/logs", "/spend/logs/v2", "/spend/logs/ui",
  "/spend/logs/session/ui", "/key/spend/report", "/user/spend/report", "/team/spend/report", "/organization/spend/report",
  "/management/v1/spend_logs/end_users", "/management/v1/spend_logs/users", "/cost/estimate"
]
const NEWEST_SELF_MANAGED = [
  "/team/member_add", "/team/member_delete", "/team/member_update", "/team/{team_id}/member/{user_id}/reset_spend",
  "/team/permissions_list", "/team/permissions_update", "/team/daily/activity", "/team/daily/activity/aggregated",
  "/team/{team_id}/members/me", "/model/new", "/model/update", "/model/delete", "/user/daily/activity",
  "/user/daily/activity/aggregated", "/organization/daily/activity", "/user/available_roles", "/user/list",
  "/model/{model_id}/update", "/prompt/list", "/prompt/info", "/project/list", "/project/info", "/health/test_connection",
  "/invitation/new", "/invitation/delete", "/guardrails/register", "/guardrails/submissions",
  "/guardrails/submissions/{guardrail_id}", "/auto_router/test_routing", "/auto_router/validate_complexity_router_config",
  ...AGENT_MANAGEMENT
]
const NEWEST_ADMIN_VIEWER = [
  ...R2026_ADMIN_VIEWER_OWN, "/team/daily/activity/aggregated", "/management/v1/spend_logs/end_users",
  "/management/v1/spend_logs/users", "/management/v1/budgets", ...NEWEST_SPEND, ...NEWEST_INFO
]

const NEWEST: Lists = lists({
  info_routes: NEWEST_INFO,
  key_management_routes: NEWEST_KEYS,
  management_routes: NEWEST_MANAGEMENT,
  spend_tracking_routes: NEWEST_SPEND,
  global_spend_tracking_routes: R2026_GLOBAL_SPEND,
  internal_user_routes: [
    ...R2026_INTERNAL_USER_OWN, "/search_tools/list", "/search_tools/ui/available_providers", ...NEWEST_SPEND,
    ...NEWEST_KEYS, ...COMPLIANCE
  ],
  internal_user_view_only_routes: [...NEWEST_SPEND, ...COMPLIANCE, "/tag/daily/activity", "/tag/list"],
  self_managed_routes: NEWEST_SELF_MANAGED,
  org_admin_only_routes: R2026_ORG_ADMIN_ONLY,
  admin_viewer_routes: NEWEST_ADMIN_VIEWER,
  // model_info_routes joined llm_api_routes.
  llm_api_routes: ["/model/info", "/v1/model/info"]
})

export const REVISIONS: ReadonlyArray<Revision> = [
  { source: "_types.py, index id 236780123 (mid 2025)", lists: R2025 },
  { source: "_types.py, index id 56100580135 (2026)", lists: R2026 },
  { source: "_types.py, index id 57469109325 (newest stored)", lists: NEWEST }
]

export type ListName = keyof Lists

/** Each list as the union of what every revision read puts in it. */
export const UNION: Readonly<Record<ListName, ReadonlySet<string>>> = Object.fromEntries(
  (Object.keys(R2025) as Array<ListName>).map((name) => [name, new Set(REVISIONS.flatMap((r) => r.lists[name]))])
) as unknown as Record<ListName, ReadonlySet<string>>

/**
 * LiteLLMRoutes members that serve models, pass requests through or back the UI: a key whose
 * allowed_routes name only these reaches no management route beyond what `llm_api_routes` holds.
 */
export const SERVING_LISTS: ReadonlySet<string> = new Set([
  "openai_route_names", "openai_routes", "mapped_pass_through_routes", "passthrough_routes_wildcard",
  "litellm_native_routes", "anthropic_routes", "mcp_inference_routes", "agent_inference_routes", "google_routes",
  "apply_guardrail_routes", "public_routes", "compliance_check_routes"
])
