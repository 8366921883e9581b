import { detail, envelope, page } from "../Answers.js"
import { type Caller, type Handler, type Store } from "../Store.js"
const SPEND_LOG_FILTERS_V2 = new Set([
  "api_key",
  "user_id",
  "request_id",
  "team_id",
  "min_spend",
  "max_spend",
  "status_filter",
  "model",
  "model_id",
  "model_group",
  "end_user"
])
// ui_view_spend_logs before /spend/logs/v2: these only; page_size at most 100.
const SPEND_LOG_FILTERS_UI = new Set(["api_key", "user_id", "request_id", "team_id", "min_spend", "max_spend", "status_filter", "model"])


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
  const rows = s.spendLogs.filter((r) => {
    const t = Date.parse(String(r["startTime"]))
    return t >= from && t <= to &&
      exact.every((f) => param(f) === null || r[f] === param(f)) &&
      (param("user_id") === null || r["user"] === param("user_id")) &&
      (param("status_filter") === null || r["status"] === param("status_filter")) &&
      (param("min_spend") === null || Number(r["spend"]) >= Number(param("min_spend"))) &&
      (param("max_spend") === null || Number(r["spend"]) <= Number(param("max_spend")))
  }).sort((a, b) => String(b["startTime"]).localeCompare(String(a["startTime"])))
  const pageNo = Number(q.get("page") ?? 1)
  const size = Number(q.get("page_size") ?? 50)
  const { items, totalPages } = page(rows, pageNo, size)
  return { data: items, total: rows.length, page: pageNo, page_size: size, total_pages: totalPages }
}

export const dailyActivity = (s: Store, q: URLSearchParams, caller: Caller) => {
  const start = q.get("start_date")
  const end = q.get("end_date")
  if (start === null || end === null) throw detail(400, "Please provide start_date and end_date")
  const admin = caller.role === "proxy_admin" || caller.role === "proxy_admin_viewer"
  let userId: string | null
  if (s.release === "legacy") {
    // No user_id parameter: an admin gets the whole proxy, anyone else their own.
    userId = admin ? null : caller.userId
  } else {
    userId = q.get("user_id")
    if (!admin && userId !== null && userId !== caller.userId) {
      throw detail(403, "Non-admin users can only view their own activity")
    }
    if (!admin) userId = caller.userId
  }
  const days = new Map<string, { spend: number; total_tokens: number; api_requests: number }>()
  for (const r of s.spendLogs) {
    const day = String(r["startTime"]).slice(0, 10)
    if (day < start || day > end) continue
    if (q.get("model") !== null && r["model"] !== q.get("model")) continue
    if (q.get("api_key") !== null && r["api_key"] !== q.get("api_key")) continue
    if (userId !== null && r["user"] !== userId) continue
    const m = days.get(day) ?? { spend: 0, total_tokens: 0, api_requests: 0 }
    m.spend += Number(r["spend"])
    m.total_tokens += Number(r["total_tokens"])
    m.api_requests += 1
    days.set(day, m)
  }
  const results = [...days].sort().map(([date, metrics]) => ({ date, metrics, breakdown: {} }))
  const pageNo = Number(q.get("page") ?? 1)
  const size = Number(q.get("page_size") ?? 50)
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
  "GET /spend/logs/v2": (s, r) => spendLogPage(s, r.q, SPEND_LOG_FILTERS_V2),
  "GET /spend/logs/ui": (s, r) => spendLogPage(s, r.q, s.release === "legacy" ? SPEND_LOG_FILTERS_UI : SPEND_LOG_FILTERS_V2),
  "GET /user/daily/activity": (s, r) => dailyActivity(s, r.q, r.caller)
}
