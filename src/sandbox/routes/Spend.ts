import { detail, envelope, page } from "../Answers.js"
import { type Caller, type Handler, type Row, type Store } from "../Store.js"
import type { Traits } from "../Releases.js"

// ui_view_spend_logs before /spend/logs/v2: these only; page_size at most 100.
const SPEND_LOG_FILTERS_UI = ["api_key", "user_id", "request_id", "team_id", "min_spend", "max_spend", "status_filter", "model"]
// What /spend/logs/v2 brought, and what came to it later (error_message: PR #19960; sort_by: PR #20991).
const SPEND_LOG_FILTERS_V2 = [...SPEND_LOG_FILTERS_UI, "model_id", "model_group", "end_user", "key_alias", "error_code", "session_id"]
const SPEND_LOG_FILTERS_LATE = ["error_message", "sort_by", "sort_order"]

const filtersOf = (t: Traits): ReadonlySet<string> =>
  new Set(!t.spendLogsV2 ? SPEND_LOG_FILTERS_UI : t.spendLogsLateFilters ? [...SPEND_LOG_FILTERS_V2, ...SPEND_LOG_FILTERS_LATE] : SPEND_LOG_FILTERS_V2)

/** A row's metadata, which LiteLLM stores as JSON text. */
const metadataOf = (r: Row): Row => {
  const m = r["metadata"]
  if (typeof m === "string") {
    try {
      return JSON.parse(m) as Row
    } catch {
      return {}
    }
  }
  return typeof m === "object" && m !== null ? m as Row : {}
}
const errorOf = (r: Row): Row => (metadataOf(r)["error_information"] ?? {}) as Row


/** `/spend/logs/v2` (and `/spend/logs/ui`, its predecessor, with the filters its release knows). */
export const spendLogPage = (s: Store, q: URLSearchParams, filters: ReadonlySet<string>) => {
  const start = q.get("start_date")
  const end = q.get("end_date")
  if (start === null || end === null) throw envelope(400, "Start date and end date are required")
  const format = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/
  if (!format.test(start) || !format.test(end)) {
    throw envelope(400, `Invalid date format. Use YYYY-MM-DD HH:MM:SS. Received start_date=${start}`)
  }
  const param = (name: string) => filters.has(name) ? q.get(name) : null
  const from = Date.parse(`${start.replace(" ", "T")}Z`)
  const to = Date.parse(`${end.replace(" ", "T")}Z`)
  const exact = ["api_key", "request_id", "team_id", "model", "model_id", "model_group", "end_user"] as const
  const status = param("status_filter")
  const errorMessage = param("error_message")?.toLowerCase()
  const rows = s.spendLogs.filter((r) => {
    const t = Date.parse(String(r["startTime"]))
    return t >= from && t <= to &&
      exact.every((f) => param(f) === null || r[f] === param(f)) &&
      (param("user_id") === null || r["user"] === param("user_id")) &&
      // _build_status_filter_condition: "success" also matches rows written before status existed.
      (status === null || r["status"] === status || (status === "success" && r["status"] == null)) &&
      (param("min_spend") === null || Number(r["spend"]) >= Number(param("min_spend"))) &&
      (param("max_spend") === null || Number(r["spend"]) <= Number(param("max_spend"))) &&
      (param("session_id") === null || String(r["session_id"] ?? "").includes(param("session_id")!)) &&
      (param("key_alias") === null || metadataOf(r)["user_api_key_alias"] === param("key_alias")) &&
      (param("error_code") === null || String(errorOf(r)["error_code"] ?? "") === param("error_code")) &&
      (errorMessage === undefined || String(errorOf(r)["error_message"] ?? "").toLowerCase().includes(errorMessage))
  })
  const sortBy = param("sort_by") ?? "startTime"
  const direction = (param("sort_order") ?? "desc") === "asc" ? 1 : -1
  const value = (r: Row) => r[sortBy] as number | string
  rows.sort((a, b) => value(a) < value(b) ? -direction : value(a) > value(b) ? direction : 0)
  const pageNo = Number(q.get("page") ?? 1)
  const size = Number(q.get("page_size") ?? 50)
  const { items, totalPages } = page(rows, pageNo, size)
  return { data: items, total: rows.length, page: pageNo, page_size: size, total_pages: totalPages }
}

export const dailyActivity = (s: Store, q: URLSearchParams, caller: Caller) => {
  const admin = caller.role === "proxy_admin" || caller.role === "proxy_admin_viewer"
  let userId: string | null
  // A key without a user has no user id to compare: LiteLLM's None == None lets it through, to
  // the whole proxy's activity (get_user_daily_activity).
  const own = caller.role === null ? null : caller.userId
  if (!s.traits.dailyActivityUserFilter) {
    // No user_id parameter: an admin gets the whole proxy, anyone else their own.
    userId = admin ? null : own
  } else {
    userId = q.get("user_id")
    if (!admin && userId !== null && userId !== own) {
      throw detail(403, "Non-admin users can only view their own activity")
    }
    if (!admin) userId = own
  }
  // update_breakdown_metrics with entity_id_field "user_id": a row without a user is "Unassigned".
  const user = (r: Row) => [typeof r["user"] === "string" && r["user"] !== "" ? r["user"] : "Unassigned"]
  return activity(s, q, user, userId === null ? null : [userId], null, 50)
}

const ids = (q: URLSearchParams, name: string) => q.get(name)?.split(",").filter((id) => id !== "") ?? null

/**
 * get_team_daily_activity: anyone without the admin view gets the teams its user row names, and
 * a team it does not belong to is a 404.
 */
const teamActivity = (s: Store, q: URLSearchParams, caller: Caller) => {
  let wanted = ids(q, "team_ids")
  if (caller.role !== "proxy_admin" && caller.role !== "proxy_admin_viewer") {
    const user = s.users.get(caller.userId)
    if (user === undefined) throw detail(404, `User= ${caller.userId} not found`)
    const mine = (user["teams"] ?? []) as Array<string>
    const stranger = wanted?.find((t) => !mine.includes(t))
    if (stranger !== undefined) {
      throw detail(404, `User does not belong to Team= ${stranger}. Call \`/user/info\` to see user's teams`)
    }
    wanted ??= mine
  }
  return activity(s, q, (r) => typeof r["team_id"] === "string" ? [r["team_id"]] : [], wanted, ids(q, "exclude_team_ids"))
}

// The daily tables of organizations, customers and tags, as the spend logs fill them: a request's
// team's organization, its end_user, its request_tags.
const orgOf = (s: Store, r: Row) => {
  const org = typeof r["team_id"] === "string" ? s.teams.get(r["team_id"])?.["organization_id"] : undefined
  return typeof org === "string" ? [org] : []
}

type Metrics = { spend: number; total_tokens: number; api_requests: number }

/**
 * get_daily_activity over the spend logs: per day, the metrics and their breakdowns by model,
 * provider, key and entity (`entityOf`), for the entities wanted (all when null) less the excluded.
 */
const activity = (
  s: Store,
  q: URLSearchParams,
  entityOf: (r: Row) => ReadonlyArray<string>,
  wanted: ReadonlyArray<string> | null,
  excluded: ReadonlyArray<string> | null = null,
  // The other entities' routes default to 10 days a page; the user's to 50.
  defaultSize = 10
) => {
  const start = q.get("start_date")
  const end = q.get("end_date")
  if (start === null || end === null) throw detail(400, "Please provide start_date and end_date")
  const add = (m: Metrics | undefined, r: Row): Metrics => ({
    spend: (m?.spend ?? 0) + Number(r["spend"]),
    total_tokens: (m?.total_tokens ?? 0) + Number(r["total_tokens"]),
    api_requests: (m?.api_requests ?? 0) + 1
  })
  interface Day {
    metrics: Metrics
    entities: Map<string, Metrics>
    models: Map<string, Metrics>
    providers: Map<string, Metrics>
    keys: Map<string, Metrics>
  }
  const days = new Map<string, Day>()
  for (const r of s.spendLogs) {
    const day = String(r["startTime"]).slice(0, 10)
    if (day < start || day > end) continue
    if (q.get("model") !== null && r["model"] !== q.get("model")) continue
    if (q.get("api_key") !== null && r["api_key"] !== q.get("api_key")) continue
    const entities = entityOf(r).filter((e) => (wanted === null || wanted.includes(e)) && !(excluded ?? []).includes(e))
    if (entities.length === 0) continue
    const d: Day = days.get(day) ??
      { metrics: { spend: 0, total_tokens: 0, api_requests: 0 }, entities: new Map(), models: new Map(), providers: new Map(), keys: new Map() }
    d.metrics = add(d.metrics, r)
    for (const entity of entities) d.entities.set(entity, add(d.entities.get(entity), r))
    d.models.set(String(r["model"]), add(d.models.get(String(r["model"])), r))
    d.providers.set(String(r["custom_llm_provider"]), add(d.providers.get(String(r["custom_llm_provider"])), r))
    d.keys.set(String(r["api_key"]), add(d.keys.get(String(r["api_key"])), r))
    days.set(day, d)
  }
  const byName = (m: Map<string, Metrics>) => Object.fromEntries([...m].map(([k, metrics]) => [k, { metrics, metadata: {} }]))
  const results = [...days].sort(([a], [b]) => a.localeCompare(b)).map(([date, d]) => ({
    date,
    metrics: d.metrics,
    // SpendAnalyticsPaginatedResponse's breakdowns; a key's carries its alias and team.
    breakdown: {
      models: byName(d.models),
      providers: byName(d.providers),
      api_keys: Object.fromEntries([...d.keys].map(([hash, metrics]) => {
        const key = s.keys.get(hash)
        return [hash, { metrics, metadata: { key_alias: key?.["key_alias"] ?? null, team_id: key?.["team_id"] ?? null } }]
      })),
      entities: byName(d.entities)
    }
  }))
  const pageNo = Number(q.get("page") ?? 1)
  const size = Number(q.get("page_size") ?? defaultSize)
  const { items, totalPages } = page(results, pageNo, size)
  return {
    results: items,
    metadata: {
      total_spend: results.reduce((a, r) => a + r.metrics.spend, 0),
      total_api_requests: results.reduce((a, r) => a + r.metrics.api_requests, 0),
      page: pageNo,
      total_pages: totalPages,
      has_more: pageNo < totalPages
    }
  }
}

export const routes: Record<string, Handler> = {
  "GET /spend/logs/v2": (s, r) => spendLogPage(s, r.q, filtersOf(s.traits)),
  "GET /team/daily/activity": (s, r) => teamActivity(s, r.q, r.caller),
  "GET /organization/daily/activity": (s, r) =>
    activity(s, r.q, (row) => orgOf(s, row), ids(r.q, "organization_ids"), ids(r.q, "exclude_organization_ids")),
  "GET /customer/daily/activity": (s, r) =>
    activity(s, r.q, (row) => typeof row["end_user"] === "string" && row["end_user"] !== "" ? [row["end_user"]] : [], ids(r.q, "end_user_ids"), ids(r.q, "exclude_end_user_ids")),
  "GET /tag/daily/activity": (s, r) =>
    activity(s, r.q, (row) => Array.isArray(row["request_tags"]) ? row["request_tags"] as Array<string> : [], ids(r.q, "tags")),
  "GET /spend/logs/ui": (s, r) => spendLogPage(s, r.q, filtersOf(s.traits)),
  "GET /user/daily/activity": (s, r) => dailyActivity(s, r.q, r.caller)
}
