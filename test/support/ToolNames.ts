/** The tools that change nothing, written out (not derived from the tools) so a test of them can fail. */
export const READ_ONLY_TOOLS = [
  "litellm_budget_info",
  "litellm_budget_list",
  "litellm_customer_info",
  "litellm_customer_list",
  "litellm_customer_unblock",
  "litellm_key_info",
  "litellm_key_list",
  "litellm_model_info",
  "litellm_model_list",
  "litellm_org_info",
  "litellm_org_list",
  "litellm_route_describe",
  "litellm_route_read",
  "litellm_route_search",
  "litellm_team_info",
  "litellm_team_list",
  "litellm_usage_activity",
  "litellm_usage_daily_activity",
  "litellm_usage_spend_logs",
  "litellm_user_info",
  "litellm_user_list",
  "litellm_whoami"
]

/** What a server whose operator names no toolset lists to an admin: caller, routes, keys, spend. */
export const DEFAULT_TOOLS = [
  "litellm_key_block",
  "litellm_key_delete",
  "litellm_key_generate",
  "litellm_key_info",
  "litellm_key_list",
  "litellm_key_regenerate",
  "litellm_key_unblock",
  "litellm_key_update",
  "litellm_route_change",
  "litellm_route_describe",
  "litellm_route_read",
  "litellm_route_search",
  "litellm_usage_daily_activity",
  "litellm_usage_spend_logs",
  "litellm_whoami"
]
