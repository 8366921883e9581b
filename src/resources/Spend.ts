import { Clock, Effect, Option, Schema } from "effect"
import { InputIssue, InvalidInput, Unsupported } from "../mcp/Errors.js"
import { toKeyHash } from "../litellm/KeyHash.js"
import { LiteLlmApiError } from "../litellm/Errors.js"
import { isAtLeast, LiteLlm, onMissingRoute } from "../litellm/LiteLlm.js"
import {
  Amount,
  DATE,
  DateInput,
  Int,
  KeyOrHash,
  NonEmptyString,
  Page,
  SortOrder
} from "../mcp/Schemas.js"
import { Open } from "../litellm/Answers.js"
import * as Tool from "../mcp/Tool.js"

const SpendLogsResponse = Open({
  data: Schema.Array(Open({})),
  total: Schema.Number,
  page: Schema.Number,
  page_size: Schema.Number,
  total_pages: Schema.Number
})

const SpendLogsInput = Schema.Struct({
  start_date: Schema.optional(DateInput.annotations({
    description: "From (UTC). A bare date means its first second. Default: 7 days before end_date."
  })),
  end_date: Schema.optional(DateInput.annotations({
    description: "Until, inclusive (UTC). A bare date means its last second. Default: now."
  })),
  api_key: Schema.optional(KeyOrHash.annotations({ description: "Only this key's requests: raw sk- key or hash." })),
  user_id: Schema.optional(NonEmptyString),
  team_id: Schema.optional(NonEmptyString),
  request_id: Schema.optional(NonEmptyString),
  session_id: Schema.optional(NonEmptyString.annotations({ description: "Partial match." })),
  model: Schema.optional(NonEmptyString),
  model_id: Schema.optional(NonEmptyString),
  model_group: Schema.optional(NonEmptyString),
  key_alias: Schema.optional(NonEmptyString),
  end_user: Schema.optional(NonEmptyString),
  status_filter: Schema.optional(Schema.Literal("success", "failure")),
  min_spend: Schema.optional(Amount.annotations({ description: "Only requests costing at least this, USD." })),
  max_spend: Schema.optional(Amount.annotations({ description: "Only requests costing at most this, USD." })),
  error_code: Schema.optional(NonEmptyString.annotations({ description: "e.g. 429" })),
  error_message: Schema.optional(NonEmptyString.annotations({ description: "Partial match." })),
  page: Schema.optional(Page),
  page_size: Schema.optional(Int(1, 1000).annotations({ description: "Rows per page, 1 to 1000 (default 50)." })),
  sort_by: Schema.optional(
    Schema.Literal("spend", "total_tokens", "startTime", "endTime", "request_duration_ms", "model", "ttft_ms")
  ),
  sort_order: Schema.optional(SortOrder.annotations({ description: "desc (default) or asc." }))
})

const DEFAULT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000

const toMillis = (input: string, endOfDay: boolean): number =>
  DATE.test(input) ? Date.parse(`${input}T${endOfDay ? "23:59:59" : "00:00:00"}Z`) : Date.parse(input)

/** LiteLLM's /spend/logs/v2 wants `YYYY-MM-DD HH:MM:SS`, read as UTC; ISO with `T` is refused. */
const toLiteLlmTime = (millis: number): string => new Date(millis).toISOString().slice(0, 19).replace("T", " ")

export const spendWindow = Effect.fn("Spend.window")(function*(start: string | undefined, end: string | undefined) {
  const endMs = end === undefined ? yield* Clock.currentTimeMillis : toMillis(end, true)
  const startMs = start === undefined ? endMs - DEFAULT_WINDOW_MS : toMillis(start, false)
  if (startMs > endMs) {
    return yield* new InvalidInput({ issues: [new InputIssue({ path: "start_date", message: "must not be after end_date" })] })
  }
  return { start_date: toLiteLlmTime(startMs), end_date: toLiteLlmTime(endMs) }
})

// What /spend/logs/ui, the route before /spend/logs/v2 (November 2025), filters on; it serves at
// most 100 rows a page. status_filter and model came late to it, so rows are checked for those.
const LEGACY_FILTERS = new Set([
  "start_date",
  "end_date",
  "api_key",
  "user_id",
  "request_id",
  "team_id",
  "min_spend",
  "max_spend",
  "status_filter",
  "model",
  "page",
  "page_size"
])
const LEGACY_MAX_PAGE_SIZE = 100

type Row = Readonly<Record<string, unknown>>

// LiteLLM stores a log's metadata as JSON text; answers carry it as text or as an object.
const metadataOf = (row: Row): Row | undefined => {
  const m = row["metadata"]
  if (typeof m === "object" && m !== null) return m as Row
  if (typeof m !== "string") return undefined
  try {
    const parsed: unknown = JSON.parse(m)
    return typeof parsed === "object" && parsed !== null ? parsed as Row : undefined
  } catch {
    return undefined
  }
}
const errorOf = (row: Row): Row | undefined => {
  const info = metadataOf(row)?.["error_information"]
  return typeof info === "object" && info !== null ? info as Row : undefined
}
const field = (value: unknown, holds: (v: string) => boolean): boolean | undefined =>
  typeof value === "string" || typeof value === "number" ? holds(String(value)) : undefined

/**
 * Filters a release may drop without a word, each with how a row shows it was applied: true,
 * false, or undefined when the row does not say (then it counts for nothing). /spend/logs/ui
 * learnt status_filter and model late; /spend/logs/v2 got error_message and sort_by after it
 * shipped (PRs #19960, #20991), and the rest at times not pinned, so all are checked.
 */
const ROW_CHECKS: Readonly<Record<string, (row: Row, wanted: string) => boolean | undefined>> = {
  // _build_status_filter_condition: "success" matches rows written before status existed.
  status_filter: (row, wanted) => (row["status"] ?? "success") === wanted,
  model: (row, wanted) => field(row["model"], (v) => v === wanted),
  model_id: (row, wanted) => field(row["model_id"], (v) => v === wanted),
  model_group: (row, wanted) => field(row["model_group"], (v) => v === wanted),
  end_user: (row, wanted) => field(row["end_user"], (v) => v === wanted),
  session_id: (row, wanted) => field(row["session_id"], (v) => v.includes(wanted)),
  key_alias: (row, wanted) => field(metadataOf(row)?.["user_api_key_alias"], (v) => v === wanted),
  error_code: (row, wanted) => field(errorOf(row)?.["error_code"], (v) => v === wanted),
  error_message: (row, wanted) => field(errorOf(row)?.["error_message"], (v) => v.toLowerCase().includes(wanted.toLowerCase()))
}

/** Whether the rows come in the order asked for; undefined when they do not carry the field. */
const sortedAsAsked = (rows: ReadonlyArray<Row>, by: string, order: string): boolean | undefined => {
  const values = rows.map((r) => r[by])
  if (!values.every((v) => typeof v === "number") && !values.every((v) => typeof v === "string")) return undefined
  const ordered = values as ReadonlyArray<number | string>
  const inOrder = (before: number | string, after: number | string) => order === "asc" ? before <= after : before >= after
  return ordered.every((v, i) => i === 0 || inOrder(ordered[i - 1]!, v))
}

/** The filters of `query` the rows show LiteLLM did not apply. */
const droppedFilters = (query: Record<string, string | number | undefined>, rows: ReadonlyArray<Row>): Array<string> => {
  const dropped = Object.entries(ROW_CHECKS).flatMap(([filter, holds]) => {
    const wanted = query[filter]
    return wanted !== undefined && rows.some((row) => holds(row, String(wanted)) === false) ? [filter] : []
  })
  const by = query["sort_by"]
  if (by !== undefined && sortedAsAsked(rows, String(by), String(query["sort_order"] ?? "desc")) === false) dropped.push("sort_by")
  return dropped
}

/** The same page from a LiteLLM without /spend/logs/v2, or a refusal where it would differ. */
const legacySpendLogs = Effect.fn("Spend.legacyLogs")(function*(query: Record<string, string | number | undefined>) {
  const litellm = yield* LiteLlm
  const unknown = Object.keys(query).filter((name) => query[name] !== undefined && !LEGACY_FILTERS.has(name))
  if (unknown.length > 0) {
    return yield* new Unsupported({
      message: `This LiteLLM has no /spend/logs/v2, and its /spend/logs/ui cannot filter or sort by ${
        unknown.join(", ")
      }. Leave them out, or upgrade LiteLLM (late November 2025 or later).`
    })
  }
  if (Number(query["page_size"]) > LEGACY_MAX_PAGE_SIZE) {
    return yield* new Unsupported({
      message: `This LiteLLM has no /spend/logs/v2; its /spend/logs/ui serves at most ${LEGACY_MAX_PAGE_SIZE} rows a page. Ask for page_size ${LEGACY_MAX_PAGE_SIZE} or less.`
    })
  }
  return yield* checkedRows("/spend/logs/ui", query, yield* litellm.get("/spend/logs/ui", query, SpendLogsResponse))
})

/** The page, unless its rows show that LiteLLM dropped a filter it was given. */
const checkedRows = (
  route: string,
  query: Record<string, string | number | undefined>,
  page: typeof SpendLogsResponse.Type
): Effect.Effect<typeof SpendLogsResponse.Type, Unsupported> => {
  const dropped = droppedFilters(query, page.data)
  return dropped.length === 0 ? Effect.succeed(page) : new Unsupported({
    message: `This LiteLLM's ${route} ignores ${dropped.join(", ")} (an older release drops what it does not know), so ` +
      "its rows would not match. Leave it out, or upgrade LiteLLM."
  })
}

// How LiteLLM's route checks refuse a role or a key (route_checks.py), unlike its other 401s.
const ROLE_REFUSAL = /Only proxy admin|not allowed to (?:access|call) this route/i

const spendLogs = Effect.fn("Spend.logs")(function*(input: typeof SpendLogsInput.Type) {
  const litellm = yield* LiteLlm
  const window = yield* spendWindow(input.start_date, input.end_date)
  const query = {
    ...input,
    ...window,
    // /spend/logs/v2 compares api_key with the stored hash as is.
    api_key: input.api_key === undefined ? undefined : toKeyHash(input.api_key),
    page_size: input.page_size ?? 50
  }
  return yield* litellm.get("/spend/logs/v2", query, SpendLogsResponse).pipe(
    Effect.flatMap((page) => checkedRows("/spend/logs/v2", query, page)),
    onMissingRoute(() => legacySpendLogs(query)),
    // A role LiteLLM keeps from spend logs may still read its own usage, by day.
    Effect.catchIf(
      (e): e is LiteLlmApiError =>
        e instanceof LiteLlmApiError && (e.status === 401 || e.status === 403) && ROLE_REFUSAL.test(e.message),
      (e) =>
        Effect.fail(new LiteLlmApiError({
          status: e.status,
          message: `${e.message} (your own usage, by day and model, is what litellm_usage_daily_activity answers any role)`,
          detail: e.detail
        }))
    )
  )
})

export const DailyActivity = Open({
  results: Schema.Array(Open({ date: Schema.String })),
  metadata: Open({})
})

const DailyActivityInput = Schema.Struct({
  start_date: Schema.optional(DateInput.annotations({ description: "First day (UTC). Default: 7 days before end_date." })),
  end_date: Schema.optional(DateInput.annotations({ description: "Last day, inclusive (UTC). Default: today." })),
  user_id: Schema.optional(NonEmptyString.annotations({ description: "Only this user's activity." })),
  model: Schema.optional(NonEmptyString),
  api_key: Schema.optional(KeyOrHash.annotations({ description: "Only this key: raw sk- key or hash." })),
  timezone: Schema.optional(Int(-840, 840).annotations({
    description: "Minutes behind UTC, as JavaScript's getTimezoneOffset (e.g. 60 for UTC-1)."
  })),
  page: Schema.optional(Page),
  page_size: Schema.optional(Int(1, 1000).annotations({ description: "Days per page, 1 to 1000 (default 50)." }))
})

// The oldest release known here to honour user_id and timezone on /user/daily/activity: its
// OpenAPI document names them, and an older revision of get_user_daily_activity has neither. Which
// release between added them is not known: older ones drop both, and an admin then gets the whole
// proxy's activity.
const USER_FILTER_SINCE = [1, 96, 0] as const

/**
 * Whether a page of daily activity is one user's: get_daily_activity breaks each day down by
 * user_id (`breakdown.entities`), so rows of anyone else mean the filter was dropped. Undefined
 * when a row does not say.
 */
const onlyUser = (page: typeof DailyActivity.Type, userId: string): boolean | undefined => {
  let known = true
  for (const row of page.results) {
    const entities = (row["breakdown"] as { entities?: unknown } | undefined)?.entities
    if (typeof entities !== "object" || entities === null) known = false
    else if (Object.keys(entities).some((id) => id !== userId)) return false
  }
  return known ? true : undefined
}

const dailyActivity = Effect.fn("Spend.dailyActivity")(function*(input: typeof DailyActivityInput.Type) {
  const litellm = yield* LiteLlm
  const window = yield* spendWindow(input.start_date, input.end_date)
  const version = input.user_id !== undefined || input.timezone !== undefined ? yield* litellm.version : Option.none()
  const stated = Option.exists(version, (v) => isAtLeast(v, USER_FILTER_SINCE))
  const release = Option.match(version, { onNone: () => "This LiteLLM (its release unstated)", onSome: (v) => `LiteLLM ${v}` })
  // A dropped timezone leaves no trace in the rows: only a release known to take it gets it.
  if (input.timezone !== undefined && !stated) {
    return yield* new Unsupported({
      message: `${release} may ignore timezone on /user/daily/activity (releases before ${
        USER_FILTER_SINCE.join(".")
      } drop it, and the days would be UTC days). Leave timezone out.`
    })
  }
  const page = yield* litellm.get("/user/daily/activity", {
    ...input,
    // This route takes bare dates.
    start_date: window.start_date.slice(0, 10),
    end_date: window.end_date.slice(0, 10),
    api_key: input.api_key === undefined ? undefined : toKeyHash(input.api_key)
  }, DailyActivity)
  if (input.user_id !== undefined && !stated) {
    const honoured = onlyUser(page, input.user_id)
    if (honoured !== true) {
      return yield* new Unsupported({
        message: `${release} ${
          honoured === false ? "ignores" : "may ignore"
        } user_id on /user/daily/activity (releases before ${
          USER_FILTER_SINCE.join(".")
        } drop it, and an admin gets the whole proxy's activity${
          honoured === false ? ": its answer holds other users' activity" : ""
        }). For one user's spend use litellm_usage_spend_logs with user_id, or leave user_id out for the whole proxy.`
      })
    }
  }
  return page
})

export const tools: ReadonlyArray<Tool.Tool> = [
  Tool.make({
    name: "litellm_usage_spend_logs",
    needs: { method: "GET", route: "/spend/logs/v2", fallbacks: ["/spend/logs/ui"] },
    paging: { items: "data", page: "page", size: "page_size", defaultSize: 50 },
    output: SpendLogsResponse,
    title: "Read LiteLLM spend logs",
    description: "Request-level spend logs (cost, tokens, model, key hash, user, team, status, timing), newest first, a " +
      "page at a time (result has total, page, total_pages; total is capped at 10,000, so page until a short page). " +
      "Dates are UTC, as YYYY-MM-DD or ISO-8601; default window: the last 7 days. api_key may be the raw key or its hash. " +
      "On LiteLLM before late November 2025 (no /spend/logs/v2): at most 100 rows a page, and only the filters api_key, " +
      "user_id, request_id, team_id, min/max_spend, status_filter and model (others: 501).",
    input: SpendLogsInput,
    annotations: Tool.readOnly,
    run: spendLogs
  }),
  Tool.make({
    name: "litellm_usage_daily_activity",
    needs: { method: "GET", route: "/user/daily/activity" },
    paging: { items: "results", page: "page", size: "page_size", defaultSize: 50 },
    title: "Read LiteLLM daily usage",
    description: "Spend, tokens and request counts per day (results[].metrics, with breakdowns by model, provider and " +
      "key) and totals (metadata), for the whole proxy or one user, model or key. Open-source LiteLLM's usage " +
      "report (the Enterprise /global/spend/report is not needed). Dates as in litellm_usage_spend_logs; default: " +
      "the last 7 days. Older LiteLLM releases ignore user_id and timezone: where the release is older than 1.96 or " +
      "unstated, a user_id answer is checked to be that user's (501 if not) and timezone is refused (501). " +
      "A caller that is not an admin always gets its own activity.",
    input: DailyActivityInput,
    output: DailyActivity,
    annotations: Tool.readOnly,
    run: dailyActivity
  })
]
