import { expect, layer } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { createHash } from "node:crypto"
import { call, connect, expectFailure, expectOnlyToken, expectSuccess, TestEnv, InProcessEnv } from "./support/Harness.js"
import { proxyError } from "./support/StandIn.js"

const setup = Effect.gen(function*() {
  const env = yield* TestEnv
  env.standIn.reset()
  env.standIn.spendLogs.length = 0
  return { env, client: yield* connect(env.adminKey) }
})

const DAY = 86_400_000

layer(InProcessEnv(), { excludeTestServices: true })("litellm_usage_spend_logs", (it) => {
  it.scoped("dates become LiteLLM's 'YYYY-MM-DD HH:MM:SS' in UTC; a bare end date is inclusive", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.seedSpendLog({ startTime: "2025-01-31T22:00:00Z", spend: 0.5, user: "alice" })
      env.standIn.seedSpendLog({ startTime: "2025-02-01T00:00:01Z", spend: 0.7, user: "alice" })
      const data = expectSuccess(yield* call(client, "litellm_usage_spend_logs", {
        start_date: "2025-01-01",
        end_date: "2025-01-31"
      })) as { data: Array<{ spend: number }>; total: number }
      expect(data.data.map((r) => r.spend)).toEqual([0.5])
      const q = env.standIn.requestsTo("/spend/logs/v2")[0]!.query
      expect(q.get("start_date")).toBe("2025-01-01 00:00:00")
      expect(q.get("end_date")).toBe("2025-01-31 23:59:59")
      expect(q.get("page_size")).toBe("50")
      expectSuccess(yield* call(client, "litellm_usage_spend_logs", {
        start_date: "2025-01-02T03:04:05+02:00",
        end_date: "2025-01-03T00:00:00.250Z"
      }))
      const q2 = env.standIn.requestsTo("/spend/logs/v2")[1]!.query
      expect(q2.get("start_date")).toBe("2025-01-02 01:04:05")
      expect(q2.get("end_date")).toBe("2025-01-03 00:00:00")
      expectOnlyToken(env.standIn, env.adminKey)
    }))

  it.scoped("the default window is the last 7 days", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.seedSpendLog({ startTime: new Date(Date.now() - 2 * DAY).toISOString(), spend: 1 })
      env.standIn.seedSpendLog({ startTime: new Date(Date.now() - 9 * DAY).toISOString(), spend: 2 })
      const data = expectSuccess(yield* call(client, "litellm_usage_spend_logs", {})) as { data: Array<{ spend: number }> }
      expect(data.data.map((r) => r.spend)).toEqual([1])
      const q = env.standIn.requestsTo("/spend/logs/v2")[0]!.query
      const start = Date.parse(`${q.get("start_date")!.replace(" ", "T")}Z`)
      const end = Date.parse(`${q.get("end_date")!.replace(" ", "T")}Z`)
      expect(end - start).toBe(7 * DAY)
      expect(Math.abs(end - Date.now())).toBeLessThan(5_000)
    }))

  it.scoped("a raw api_key is sent as its sha256; filters keep LiteLLM's names", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const raw = "sk-spend-filter-key-000"
      const hash = createHash("sha256").update(raw).digest("hex")
      env.standIn.seedSpendLog({ startTime: "2025-03-01T10:00:00Z", api_key: hash, spend: 3, status: "failure" })
      env.standIn.seedSpendLog({ startTime: "2025-03-01T11:00:00Z", api_key: "f".repeat(64), spend: 4 })
      const data = expectSuccess(yield* call(client, "litellm_usage_spend_logs", {
        start_date: "2025-03-01",
        end_date: "2025-03-01",
        api_key: raw,
        status_filter: "failure",
        min_spend: 1,
        max_spend: 10,
        team_id: undefined,
        page: 1,
        page_size: 10,
        sort_by: "spend",
        sort_order: "desc"
      })) as { data: Array<{ spend: number }> }
      expect(data.data.map((r) => r.spend)).toEqual([3])
      const q = env.standIn.requestsTo("/spend/logs/v2")[0]!.query
      expect(q.get("api_key")).toBe(hash)
      expect(q.get("status_filter")).toBe("failure")
      expect(q.get("min_spend")).toBe("1")
    }))

  it.scoped("impossible or reversed dates are refused before LiteLLM is called", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      for (const args of [
        { start_date: "2025-02-30" },
        { start_date: "yesterday" },
        { end_date: "2025-01-01T10:00:00" },
        { start_date: "2025-02-01", end_date: "2025-01-01" },
        { page_size: 1001 }
      ]) {
        expectFailure(yield* call(client, "litellm_usage_spend_logs", args), 400)
      }
      expect(env.standIn.requests).toHaveLength(0)
    }))

  it.scoped("LiteLLM's own failure (no database) comes through with its status", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.injectFault("/spend/logs/v2", proxyError(401, "Prisma Client is not initialized", "auth_error"))
      const error = expectFailure(yield* call(client, "litellm_usage_spend_logs", {}), 401)
      expect(error.message).toBe("Prisma Client is not initialized")
    }))

  it.scoped("litellm_usage_daily_activity sends bare dates, hashes a raw key, defaults to the last 7 days", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const raw = "sk-daily-activity-key-1"
      const hash = createHash("sha256").update(raw).digest("hex")
      env.standIn.seedSpendLog({ startTime: "2025-04-01T10:00:00Z", api_key: hash, spend: 1.5, total_tokens: 100 })
      env.standIn.seedSpendLog({ startTime: "2025-04-01T11:00:00Z", api_key: hash, spend: 0.5, total_tokens: 50 })
      env.standIn.seedSpendLog({ startTime: "2025-04-02T11:00:00Z", api_key: hash, spend: 2, total_tokens: 10 })
      const data = expectSuccess(yield* call(client, "litellm_usage_daily_activity", {
        start_date: "2025-04-01",
        end_date: "2025-04-02",
        api_key: raw
      })) as { results: Array<{ date: string; metrics: { spend: number } }>; metadata: { total_spend: number } }
      expect(data.results.map((r) => [r.date, r.metrics.spend])).toEqual([["2025-04-01", 2], ["2025-04-02", 2]])
      expect(data.metadata.total_spend).toBe(4)
      const q = env.standIn.requestsTo("/user/daily/activity")[0]!.query
      expect(Object.fromEntries(q)).toEqual({ start_date: "2025-04-01", end_date: "2025-04-02", api_key: hash })
      expectSuccess(yield* call(client, "litellm_usage_daily_activity", {}))
      const q2 = env.standIn.requestsTo("/user/daily/activity")[1]!.query
      const days = (Date.parse(q2.get("end_date")!) - Date.parse(q2.get("start_date")!)) / DAY
      expect(days).toBe(7)
      expectFailure(yield* call(client, "litellm_usage_daily_activity", { start_date: "2025-05-01", end_date: "2025-04-01" }), 400)
    }))
})

layer(InProcessEnv())("litellm_usage_spend_logs in test time", (it) => {
  it.scoped("the default window is the 7 days before now, and TestClock says when now is", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      yield* TestClock.setTime(Date.parse("2026-03-10T12:00:00Z"))
      expectSuccess(yield* call(client, "litellm_usage_spend_logs", {}))
      const q = env.standIn.requestsTo("/spend/logs/v2")[0]!.query
      expect([q.get("start_date"), q.get("end_date")]).toEqual(["2026-03-03 12:00:00", "2026-03-10 12:00:00"])
    }))
})
