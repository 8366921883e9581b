import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { type Release, RELEASES } from "../src/sandbox/Sandbox.js"
import { call, connect, emptyProxy, expectFailure, expectSuccess, TestEnv, InProcessEnv } from "./support/Harness.js"

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex")

// A fresh sandbox state, answering as `release`.
const setup = (release: Release) =>
  Effect.gen(function*() {
    const env = yield* TestEnv
    emptyProxy(env.standIn, release)
    env.standIn.seedUser({ user_id: "alice", user_email: "alice@example.com" })
    return { env, client: yield* connect(env.adminKey) }
  })


layer(InProcessEnv(), { excludeTestServices: true })("LiteLLM releases", (it) => {
  for (const release of RELEASES) {
    it.scoped(`${release}: litellm_key_regenerate returns the new raw key once and its hash, though LiteLLM says token: null`, () =>
      Effect.gen(function*() {
        const { client, env } = yield* setup(release)
        env.standIn.enterprise = true
        const old = env.standIn.seedKey({ key_alias: "rotate-me", user_id: "alice" })
        const data = expectSuccess(yield* call(client, "litellm_key_regenerate", { key_alias: "rotate-me" })) as {
          key: string
          token: string
          token_id: string
        }
        env.standIn.secrets.add(data.key)
        expect(env.standIn.answers.find((a) => a.path === "/key/regenerate")!.body).toMatchObject({ token: null })
        expect(data.key).toMatch(/^sk-/)
        expect(data.token).toBe(sha256(data.key))
        expect(data.token_id).toBe(sha256(data.key))
        expect(env.standIn.keys.has(sha256(old.raw))).toBe(false)
        expect(env.standIn.keys.has(sha256(data.key))).toBe(true)
        env.standIn.enterprise = false
      }))

    it.scoped(`${release}: an unknown user is 404 for user_info and user_update, and an update creates nobody`, () =>
      Effect.gen(function*() {
        const { client, env } = yield* setup(release)
        expect(expectFailure(yield* call(client, "litellm_user_info", { user_id: "ghost" }), 404).message)
          .toBe("No user has the id ghost.")
        expectFailure(yield* call(client, "litellm_user_update", { user_id: "ghost", max_budget: 5 }), 404)
        expect(env.standIn.requestsTo("/user/update")).toHaveLength(0)
        expect(env.standIn.users.has("ghost")).toBe(false)
        expectSuccess(yield* call(client, "litellm_user_update", { user_id: "alice", max_budget: 5 }))
        expect(env.standIn.users.get("alice")!["max_budget"]).toBe(5)
      }))

    it.scoped(`${release}: a key found by hash has that hash, and a delete with one unknown key deletes none`, () =>
      Effect.gen(function*() {
        const { client, env } = yield* setup(release)
        const a = env.standIn.seedKey({ key_alias: "a" })
        const b = env.standIn.seedKey({ key_alias: "b" })
        const found = expectSuccess(yield* call(client, "litellm_key_list", { key_hash: b.raw })) as { keys: Array<{ token: string }> }
        expect(found.keys.map((k) => k.token)).toEqual([sha256(b.raw)])
        expectFailure(yield* call(client, "litellm_key_delete", { keys: [a.raw, "f".repeat(64)] }), 404)
        expect(env.standIn.requestsTo("/key/delete")).toHaveLength(0)
        expect(env.standIn.keys.size).toBe(2)
        expectSuccess(yield* call(client, "litellm_key_delete", { keys: [a.raw], key_aliases: ["b"] }))
        expect(env.standIn.keys.size).toBe(0)
      }))

    it.scoped(`${release}: block and unblock an unknown key is 404, not LiteLLM's 401`, () =>
      Effect.gen(function*() {
        const { client, env } = yield* setup(release)
        for (const tool of ["litellm_key_block", "litellm_key_unblock"]) {
          const error = expectFailure(yield* call(client, tool, { key: "e".repeat(64) }), 404)
          expect(error.message).toBe("No key matches the given key.")
        }
        const k = env.standIn.seedKey({ key_alias: "blockme" })
        expect(expectSuccess(yield* call(client, "litellm_key_block", { key_alias: "blockme" }))).toMatchObject({ blocked: true })
        expect(k.row["blocked"]).toBe(true)
      }))

    it.scoped(`${release}: block and unblock several keys at once, each key's outcome said, an unknown one not stopping the rest`, () =>
      Effect.gen(function*() {
        const { client, env } = yield* setup(release)
        const a = env.standIn.seedKey({ key_alias: "a" })
        const b = env.standIn.seedKey({ key_alias: "b" })
        const c = env.standIn.seedKey({ key_alias: "c" })
        const args = { keys: [a.raw, String(b.row["token"]), "d".repeat(64)], key_aliases: ["c", "no-such"] }
        type Results = { results: Array<{ given: string; token: string | null; blocked: boolean | null; error?: { status: number } }> }
        const blocked = expectSuccess(yield* call(client, "litellm_key_block", args)) as Results
        expect(blocked.results.map((r) => [r.given, r.blocked, r.error?.status])).toEqual([
          ["keys[0]", true, undefined],
          ["keys[1]", true, undefined],
          ["keys[2]", null, 404],
          ["key_aliases[0]", true, undefined],
          ["key_aliases[1]", null, 404]
        ])
        expect([a.row["blocked"], b.row["blocked"], c.row["blocked"]]).toEqual([true, true, true])
        // Never the raw key in the answer.
        expect(JSON.stringify(blocked)).not.toContain(a.raw)
        const unblocked = expectSuccess(yield* call(client, "litellm_key_unblock", { key_aliases: ["a", "b", "c"] })) as Results
        expect(unblocked.results.map((r) => r.blocked)).toEqual([false, false, false])
        expect([a.row["blocked"], b.row["blocked"], c.row["blocked"]]).toEqual([false, false, false])
        const tooMany = { keys: Array.from({ length: 101 }, (_, i) => `sk-${String(i).padStart(20, "0")}`) }
        expectFailure(yield* call(client, "litellm_key_block", tooMany), 400)
        expectFailure(yield* call(client, "litellm_key_block", { key: a.raw, keys: [a.raw] }), 400)
      }))

    it.scoped(`${release}: unblock works by alias, hash and raw key, where /key/unblock hashes a hash again too, and only hashes reach LiteLLM`, () =>
      Effect.gen(function*() {
        const { client, env } = yield* setup(release)
        const k = env.standIn.seedKey({ key_alias: "stuck" })
        for (const ref of [{ key_alias: "stuck" }, { key: String(k.row["token"]) }, { key: k.raw }]) {
          k.row["blocked"] = true
          const answer = expectSuccess(yield* call(client, "litellm_key_unblock", ref)) as { token: string; note?: string }
          expect({ ref, blocked: k.row["blocked"] }).toEqual({ ref, blocked: false })
          expect(answer.token).toBe(k.row["token"])
          expect(JSON.stringify(env.standIn.requests.map((r) => r.body))).not.toContain(k.raw)
          // Said when it went another way.
          expect(answer.note !== undefined).toBe(env.standIn.traits.unblockHashesTwice)
        }
      }))
  }

  it.scoped("litellm_key_list: a filter the release drops is a 501, never every key", () =>
    Effect.gen(function*() {
      const { client } = yield* setup("legacy")
      const env = yield* TestEnv
      env.standIn.seedKey({ key_alias: "old", expires: "2020-01-01T00:00:00Z" })
      env.standIn.seedKey({ key_alias: "live", expires: null })
      const refused = expectFailure(yield* call(client, "litellm_key_list", { expires: "expired" }), 501)
      expect(refused.message).toContain("expires")
      env.standIn.release = "current"
      const expired = expectSuccess(yield* call(client, "litellm_key_list", { expires: "expired" })) as {
        keys: Array<{ key_alias: string }>
      }
      expect(expired.keys.map((k) => k.key_alias)).toEqual(["old"])
      const hashes = expectSuccess(yield* call(client, "litellm_key_list", { expires: "active", return_full_object: false }))
      expect(hashes).toMatchObject({ keys: [expect.stringMatching(/^[0-9a-f]{64}$/)] })
    }))

  for (const release of RELEASES) {
    it.scoped(`${release}: litellm_key_list's status, project_id and access_group_id are honoured or a 501, never live or every key`, () =>
      Effect.gen(function*() {
        const { client, env } = yield* setup(release)
        const honoured = env.standIn.traits.keyListStatus
        env.standIn.seedKey({ key_alias: "p1-key", project_id: "p1", access_group_ids: ["g1"] })
        env.standIn.seedKey({ key_alias: "other-key", project_id: "p2", access_group_ids: [] })
        const gone = env.standIn.seedKey({ key_alias: "gone" })
        expectSuccess(yield* call(client, "litellm_key_delete", { keys: [gone.row["token"]] }))
        for (const [args, alias] of [
          [{ status: "deleted" }, "gone"],
          [{ project_id: "p1" }, "p1-key"],
          [{ access_group_id: "g1" }, "p1-key"]
        ] as const) {
          const envelope = yield* call(client, "litellm_key_list", args)
          if (honoured) {
            expect((expectSuccess(envelope) as { keys: Array<{ key_alias: string }> }).keys.map((k) => k.key_alias)).toEqual([alias])
          } else {
            expect(expectFailure(envelope, 501).message).toContain(`ignores the ${Object.keys(args)[0]} filter`)
          }
        }
      }))
  }

  it.scoped("current: include_created_by_keys adds keys outside the alias filter, and that is no sign of a dropped filter", () =>
    Effect.gen(function*() {
      const { env } = yield* setup("current")
      const ivan = env.standIn.addCaller("internal_user", "ivan")
      env.standIn.seedUser({ user_id: "other" })
      env.standIn.seedKey({ key_alias: "x", user_id: "ivan" })
      env.standIn.seedKey({ key_alias: "made-for-other", user_id: "other", created_by: "ivan" })
      const client = yield* connect(ivan)
      const list = expectSuccess(yield* call(client, "litellm_key_list", { key_alias: "x", include_created_by_keys: true })) as {
        keys: Array<{ key_alias: string }>
      }
      expect(list.keys.map((k) => k.key_alias).sort()).toEqual(["made-for-other", "x"])
    }))

  it.scoped("legacy: litellm_usage_spend_logs falls back to /spend/logs/ui, its dates, its filters and its page limit", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup("legacy")
      env.standIn.seedSpendLog({ startTime: "2025-01-10T10:00:00Z", spend: 1, user: "alice", model: "gpt-4o" })
      env.standIn.seedSpendLog({ startTime: "2025-01-11T10:00:00Z", spend: 2, user: "bob", model: "gpt-4o" })
      const page = expectSuccess(yield* call(client, "litellm_usage_spend_logs", {
        start_date: "2025-01-01",
        end_date: "2025-01-31",
        user_id: "alice"
      })) as { data: Array<{ spend: number }>; total: number }
      expect(page.data.map((r) => r.spend)).toEqual([1])
      expect(env.standIn.requests.map((r) => r.path)).toEqual(["/spend/logs/v2", "/spend/logs/ui"])
      const q = env.standIn.requestsTo("/spend/logs/ui")[0]!.query
      expect([q.get("start_date"), q.get("end_date"), q.get("page_size")]).toEqual([
        "2025-01-01 00:00:00",
        "2025-01-31 23:59:59",
        "50"
      ])
      const bigPage = expectFailure(yield* call(client, "litellm_usage_spend_logs", { page_size: 500 }), 501)
      expect(bigPage.message).toContain("at most 100")
      const filter = expectFailure(yield* call(client, "litellm_usage_spend_logs", { key_alias: "x" }), 501)
      expect(filter.message).toContain("key_alias")
      expect(env.standIn.requestsTo("/spend/logs/ui")).toHaveLength(1)
    }))

  it.scoped("legacy: a /spend/logs/ui that ignores model or status_filter is a 501, not rows that do not match", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup("legacy")
      // An older /spend/logs/ui that drops the model filter answers every row.
      const rows = [{ request_id: "r1", model: "gpt-4o", status: "success" }, { request_id: "r2", model: "claude", status: "failure" }]
      env.standIn.injectFault("/spend/logs/ui", {
        kind: "status",
        status: 200,
        body: JSON.stringify({ data: rows, total: 2, page: 1, page_size: 50, total_pages: 1 })
      })
      const model = expectFailure(yield* call(client, "litellm_usage_spend_logs", { model: "gpt-4o" }), 501)
      expect(model.message).toContain("ignores model")
      env.standIn.injectFault("/spend/logs/ui", {
        kind: "status",
        status: 200,
        body: JSON.stringify({ data: rows, total: 2, page: 1, page_size: 50, total_pages: 1 })
      })
      const status = expectFailure(yield* call(client, "litellm_usage_spend_logs", { status_filter: "success" }), 501)
      expect(status.message).toContain("ignores status_filter")
    }))

  it.scoped("legacy: status_filter success is honoured though the rows written before status existed carry null", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup("legacy")
      const minuteAgo = new Date(Date.now() - 60_000).toISOString()
      env.standIn.seedSpendLog({ startTime: minuteAgo, request_id: "old", status: null })
      env.standIn.seedSpendLog({ startTime: minuteAgo, request_id: "ok", status: "success" })
      env.standIn.seedSpendLog({ startTime: minuteAgo, request_id: "bad", status: "failure" })
      const page = expectSuccess(yield* call(client, "litellm_usage_spend_logs", { status_filter: "success" })) as {
        data: Array<{ request_id: string }>
      }
      expect(page.data.map((r) => r.request_id).sort()).toEqual(["ok", "old"])
    }))

  for (const release of ["current", "mid"] as const) {
    it.scoped(`${release}: /spend/logs/v2's later filters, error_message and sort_by, are honoured or a 501, never rows that do not match`, () =>
      Effect.gen(function*() {
        const { client, env } = yield* setup(release)
        const at = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()
        const failed = (message: string) => JSON.stringify({ error_information: { error_code: "429", error_message: message } })
        env.standIn.seedSpendLog({ startTime: at(1), request_id: "cheap", spend: 1, status: "failure", metadata: failed("RateLimitError: slow down") })
        env.standIn.seedSpendLog({ startTime: at(2), request_id: "dear", spend: 9, status: "success", metadata: "{}" })
        env.standIn.seedSpendLog({ startTime: at(3), request_id: "mid", spend: 5, status: "failure", metadata: failed("Timeout") })
        const byError = yield* call(client, "litellm_usage_spend_logs", { error_message: "ratelimit" })
        const bySpend = yield* call(client, "litellm_usage_spend_logs", { sort_by: "spend", sort_order: "desc" })
        if (env.standIn.traits.spendLogsLateFilters) {
          expect((expectSuccess(byError) as { data: Array<{ request_id: string }> }).data.map((r) => r.request_id)).toEqual(["cheap"])
          expect((expectSuccess(bySpend) as { data: Array<{ request_id: string }> }).data.map((r) => r.request_id)).toEqual(["dear", "mid", "cheap"])
        } else {
          expect(expectFailure(byError, 501).message).toContain("ignores error_message")
          expect(expectFailure(bySpend, 501).message).toContain("ignores sort_by")
        }
        // Filters v2 has had from the start pass on every release.
        const byCode = expectSuccess(yield* call(client, "litellm_usage_spend_logs", { error_code: "429" })) as { data: Array<unknown> }
        expect(byCode.data).toHaveLength(2)
      }))
  }

  it.scoped("current: a 404 that /v2/team/list answers passes through; only a missing route falls back", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup("current")
      env.standIn.seedTeam({ team_id: "t1", members_with_roles: [{ user_id: "alice", role: "user" }] })
      const error = expectFailure(yield* call(client, "litellm_team_list", { user_id: "ghost" }), 404)
      expect(error.message).toBe("User not found, passed user_id=ghost")
      expect(env.standIn.requestsTo("/team/list")).toHaveLength(0)
      env.standIn.injectFault("/v2/team/list", { kind: "status", status: 404, body: JSON.stringify({ detail: "Not Found" }) })
      const all = expectSuccess(yield* call(client, "litellm_team_list", {})) as { teams: Array<{ team_id: string }> }
      expect(all.teams.map((t) => t.team_id)).toEqual(["t1"])
      expect(env.standIn.requestsTo("/team/list")).toHaveLength(1)
    }))

  it.scoped("litellm_usage_daily_activity claims a user filter only where LiteLLM honours it", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup("legacy")
      env.standIn.seedSpendLog({ startTime: new Date().toISOString(), spend: 1, user: "alice" })
      env.standIn.seedSpendLog({ startTime: new Date().toISOString(), spend: 2, user: "bob" })
      // Sent, since the release that added it is not known; the rows show it was dropped.
      const refused = expectFailure(yield* call(client, "litellm_usage_daily_activity", { user_id: "alice" }), 501)
      expect(refused.message).toContain("LiteLLM 1.79.3 ignores user_id")
      expect(refused.message).toContain("other users' activity")
      expect(env.standIn.requestsTo("/user/daily/activity")).toHaveLength(1)
      // A dropped timezone would leave no trace: refused before LiteLLM is asked.
      expectFailure(yield* call(client, "litellm_usage_daily_activity", { timezone: 60 }), 501)
      expect(env.standIn.requestsTo("/user/daily/activity")).toHaveLength(1)
      const whole = expectSuccess(yield* call(client, "litellm_usage_daily_activity", {})) as {
        metadata: { total_spend: number }
      }
      expect(whole.metadata.total_spend).toBe(3)
    }))

  it.scoped("litellm_key_update refuses budget_duration: null, which LiteLLM would silently ignore", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup("current")
      env.standIn.seedKey({ key_alias: "bd", budget_duration: "30d" })
      const error = expectFailure(yield* call(client, "litellm_key_update", { key_alias: "bd", budget_duration: null }), 400)
      expect(error.message).toContain("cannot be removed")
      expect(env.standIn.requests).toHaveLength(0)
      expectSuccess(yield* call(client, "litellm_key_update", { key_alias: "bd", budget_duration: "7d" }))
      expect([...env.standIn.keys.values()][0]!["budget_duration"]).toBe("7d")
    }))
})

// Each in a layer of its own: the release LiteLLM states is kept a while by the client.
const dailyActivityOf = (release: Release, args: Record<string, unknown>, hideVersion = false) =>
  Effect.gen(function*() {
    const { client, env } = yield* setup(release)
    if (hideVersion) env.standIn.injectFault("/public/model_hub/info", { kind: "status", status: 404, body: JSON.stringify({ detail: "Not Found" }), repeat: true })
    env.standIn.seedSpendLog({ startTime: new Date().toISOString(), spend: 1, user: "alice" })
    env.standIn.seedSpendLog({ startTime: new Date().toISOString(), spend: 2, user: "bob" })
    return { env, envelope: yield* call(client, "litellm_usage_daily_activity", args) }
  })

layer(InProcessEnv(), { excludeTestServices: true })("LiteLLM releases: daily activity on the current release", (it) => {
  it.scoped("current: user_id and timezone are sent, the release being stated by /public/model_hub/info though /health/readiness hides it", () =>
    Effect.gen(function*() {
      const { env, envelope } = yield* dailyActivityOf("current", { user_id: "alice", timezone: 0 })
      expect((expectSuccess(envelope) as { metadata: { total_spend: number } }).metadata.total_spend).toBe(1)
      expect(env.standIn.requestsTo("/user/daily/activity")[0]!.query.get("user_id")).toBe("alice")
      expect(env.standIn.answers.find((a) => a.path === "/health/readiness")).toBeUndefined()
    }))
})

layer(InProcessEnv(), { excludeTestServices: true })("LiteLLM releases: daily activity where no release is stated", (it) => {
  it.scoped("current: user_id is sent and its rows, one user's, are passed on", () =>
    Effect.gen(function*() {
      const { envelope } = yield* dailyActivityOf("current", { user_id: "alice" }, true)
      expect((expectSuccess(envelope) as { metadata: { total_spend: number } }).metadata.total_spend).toBe(1)
    }))
})

layer(InProcessEnv(), { excludeTestServices: true })("LiteLLM releases: daily activity on mid", (it) => {
  it.scoped("mid: user_id is sent, and rows of other users are a 501, not an answer about one user", () =>
    Effect.gen(function*() {
      const { envelope } = yield* dailyActivityOf("mid", { user_id: "alice" })
      expect(expectFailure(envelope, 501).message).toContain("LiteLLM 1.80.15 ignores user_id")
    }))
})

interface Licence {
  readonly enterprise: { readonly licensed: boolean | null; readonly needed_by: ReadonlyArray<{ tool: string; what: string }> }
}

// Each in a layer of its own: the licence LiteLLM states is kept for minutes per LiteLLM.
layer(InProcessEnv(), { excludeTestServices: true })("an unlicensed LiteLLM", (it) => {
  it.scoped("whoami says which tools need Enterprise; licensed is false where /health/license says so, null where there is none", () =>
    Effect.gen(function*() {
      for (const release of ["legacy", "mid", "current"] as const) {
        const { client, env } = yield* setup(release)
        env.standIn.enterprise = false
        const me = expectSuccess(yield* call(client, "litellm_whoami")) as Licence
        expect(me.enterprise.licensed).toBe(env.standIn.traits.healthLicense ? false : null)
        // Regeneration is not among them: without the licence it rotates by copy.
        expect(me.enterprise.needed_by.map((n) => n.tool)).not.toContain("litellm_key_regenerate")
        expect(me.enterprise.needed_by).toContainEqual({ tool: "litellm_key_generate", what: "the arguments tags and model_max_budget" })
        expect(me.enterprise.needed_by).toContainEqual({ tool: "litellm_team_member_add", what: "a member with role admin" })
      }
      // Kept: a second whoami does not ask again.
      const { client, env } = yield* setup("current")
      expect((expectSuccess(yield* call(client, "litellm_whoami")) as Licence).enterprise.licensed).toBe(false)
      expect(env.standIn.requestsTo("/health/license")).toHaveLength(0)
    }))
})

layer(InProcessEnv(), { excludeTestServices: true })("a licensed LiteLLM", (it) => {
  it.scoped("whoami says it is licensed, and no tool is marked as needing a licence", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup("current")
      env.standIn.enterprise = true
      const me = expectSuccess(yield* call(client, "litellm_whoami")) as Licence
      expect(me.enterprise).toEqual({ licensed: true, needed_by: [] })
      env.standIn.enterprise = false
    }))
})
