import { Effect, Schema } from "effect"
import { toKeyHash } from "../litellm/KeyHash.js"
import { LiteLlm } from "../litellm/LiteLlm.js"
import { DateInput, IdList, Int, KeyOrHash, NonEmptyString, Page } from "../mcp/Schemas.js"
import * as Tool from "../mcp/Tool.js"
import { DailyActivity, spendWindow } from "./Spend.js"

// Daily activity by team, organization, customer or tag: one route per entity
// (get_team_daily_activity, get_organization_daily_activity, get_customer_daily_activity,
// get_tag_daily_activity over common_daily_activity.get_daily_activity), each with its own
// names for the ids it filters on. One tool, so an agent learns one shape.

const ROUTES = {
  team: { route: "/team/daily/activity", ids: "team_ids", exclude: "exclude_team_ids" },
  organization: { route: "/organization/daily/activity", ids: "organization_ids", exclude: "exclude_organization_ids" },
  customer: { route: "/customer/daily/activity", ids: "end_user_ids", exclude: "exclude_end_user_ids" },
  tag: { route: "/tag/daily/activity", ids: "tags", exclude: undefined }
} as const

const ActivityInput = Schema.Struct({
  entity: Schema.Literal("team", "organization", "customer", "tag"),
  ids: Schema.optional(IdList("Only these teams, organizations, customers or tags (default: all the caller may see).")),
  exclude_ids: Schema.optional(IdList("Leave these out (not for tags).")),
  start_date: Schema.optional(DateInput.annotations({ description: "First day (UTC). Default: 7 days before end_date." })),
  end_date: Schema.optional(DateInput.annotations({ description: "Last day, inclusive (UTC). Default: today." })),
  model: Schema.optional(NonEmptyString),
  api_key: Schema.optional(KeyOrHash.annotations({ description: "Only this key: raw sk- key or hash." })),
  page: Schema.optional(Page),
  page_size: Schema.optional(Int(1, 1000).annotations({ description: "Days per page, 1 to 1000 (default 10)." }))
})

const activity = Effect.fn("Activity.daily")(function*(input: typeof ActivityInput.Type) {
  const litellm = yield* LiteLlm
  const target = ROUTES[input.entity]
  if (input.exclude_ids !== undefined && target.exclude === undefined) {
    return yield* Tool.invalidInput([Tool.issue("exclude_ids", "LiteLLM's tag activity takes no exclusions; name the tags in ids")])
  }
  const window = yield* spendWindow(input.start_date, input.end_date)
  return yield* litellm.get(target.route, {
    // These routes take bare dates and comma-joined ids.
    start_date: window.start_date.slice(0, 10),
    end_date: window.end_date.slice(0, 10),
    ...(input.ids === undefined ? {} : { [target.ids]: input.ids.join(",") }),
    ...(input.exclude_ids === undefined || target.exclude === undefined ? {} : { [target.exclude]: input.exclude_ids.join(",") }),
    model: input.model,
    api_key: input.api_key === undefined ? undefined : toKeyHash(input.api_key),
    page: input.page,
    page_size: input.page_size
  }, DailyActivity)
})

export const tools: ReadonlyArray<Tool.Tool> = [
  Tool.make({
    name: "litellm_usage_activity",
    needs: { method: "GET", route: "/team/daily/activity" },
    paging: { items: "results", page: "page", size: "page_size", defaultSize: 10 },
    title: "Read LiteLLM daily usage by team, organization, customer or tag",
    description: "Spend, tokens and requests per day for teams, organizations, customers (end users) or tags " +
      "(entity), with breakdowns by entity (breakdown.entities), model, provider and key, and totals (metadata). " +
      "Default: the last 7 days, every one the caller may see; a caller that is not an admin sees its own teams only.",
    input: ActivityInput,
    output: DailyActivity,
    annotations: Tool.readOnly,
    run: activity
  })
]
