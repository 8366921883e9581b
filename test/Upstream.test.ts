import { expect, layer } from "@effect/vitest"
import { Cause, Effect, Exit, Layer } from "effect"
import type { Envelope } from "../src/mcp/Envelope.js"
import { call, connect, expectFailure, expectSuccess, mcpHeaders, rawRequest, TestEnv, TestEnvLive } from "./support/Harness.js"
import { freePort } from "./support/Net.js"

const TIMEOUT_MS = 400

const setup = Effect.gen(function*() {
  const env = yield* TestEnv
  env.standIn.reset()
  return { env, client: yield* connect(env.adminKey) }
})

const expectHealthy = Effect.gen(function*() {
  const { mcpUrl } = yield* TestEnv
  const res = yield* Effect.promise(() => fetch(new URL("/health", mcpUrl)))
  expect(res.status).toBe(200)
})

layer(TestEnvLive({ timeoutMs: TIMEOUT_MS }), { excludeTestServices: true })("a failing LiteLLM", (it) => {
  it.scoped("a reset connection is 502 naming the cause", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.injectFault("/key/list", { kind: "reset" })
      const error = expectFailure(yield* call(client, "litellm_key_list"), 502)
      expect(error.message).toMatch(/Could not reach LiteLLM at http:\/\/127\.0\.0\.1:\d+\/key\/list \(\w+\)/)
      yield* expectHealthy
    }))

  it.scoped("no complete answer within LITELLM_TIMEOUT_MS is 504, in about that time, counted to the last byte", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      // No answer at all; then headers and the start of a body, and nothing more.
      const cases = [["/user/list", "hang", "litellm_user_list"], ["/key/list", "stall", "litellm_key_list"]] as const
      for (const [path, kind, tool] of cases) {
        env.standIn.injectFault(path, { kind })
        const started = Date.now()
        const error = expectFailure(yield* call(client, tool), 504)
        const elapsed = Date.now() - started
        expect(error.message).toContain("did not answer within 0.4 s")
        expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 20)
        expect(elapsed).toBeLessThan(TIMEOUT_MS + 2_000)
        yield* expectHealthy
      }
    }))

  it.scoped("a 2xx body that is not JSON, or not the expected JSON, is 502 saying what was wrong", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.injectFault("/key/list", { kind: "status", status: 200, body: "<html>login</html>", contentType: "text/html" })
      const html = expectFailure(yield* call(client, "litellm_key_list"), 502)
      expect(html.message).toContain("unexpected body")
      env.standIn.injectFault("/key/list", { kind: "status", status: 200, body: JSON.stringify({ items: [] }) })
      const shape = expectFailure(yield* call(client, "litellm_key_list"), 502)
      expect(String(shape.detail)).toContain("keys")
      env.standIn.injectFault("/key/list", { kind: "status", status: 200, body: "{\"keys\": [" })
      expectFailure(yield* call(client, "litellm_key_list"), 502)
    }))

  it.scoped("a write LiteLLM answered 2xx is a success even when the answer is unexpected, with a warning", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.seedUser({ user_id: "x" })
      env.standIn.injectFault("/user/delete", { kind: "status", status: 200, body: "{\"deleted\": true}" })
      const deleted = expectSuccess(yield* call(client, "litellm_user_delete", { user_ids: ["x"] })) as Record<string, unknown>
      expect(deleted).toMatchObject({ deleted: true, user_ids: ["x"] })
      expect(deleted["warning"]).toContain("the change was made")
      env.standIn.injectFault("/key/generate", { kind: "status", status: 200, body: "created" })
      const generated = expectSuccess(yield* call(client, "litellm_key_generate", {})) as Record<string, unknown>
      expect(generated).toMatchObject({ answer: "created", warning: expect.stringContaining("/key/generate") })
      env.standIn.injectFault("/team/delete", { kind: "status", status: 200, body: "[1, 2]" })
      const teams = expectSuccess(yield* call(client, "litellm_team_delete", { team_ids: ["t"] })) as Record<string, unknown>
      expect(teams["answer"]).toEqual([1, 2])
    }))

  it.scoped("a redirect is never followed", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.injectFault("/key/list", { kind: "redirect", location: `${env.standIn.url}/elsewhere` })
      const error = expectFailure(yield* call(client, "litellm_key_list"), 502)
      expect(error.message).toContain("redirect")
      expect(env.standIn.requests.map((r) => r.path)).toEqual(["/key/list"])
    }))

  it.scoped("each of LiteLLM's three error shapes yields LiteLLM's status and message", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      // detail: what LiteLLM said besides the message, never the message again.
      const validation = { detail: [{ type: "missing", loc: ["body", "user_ids"], msg: "Field required", input: {} }] }
      const cases: Array<[number, unknown, string, unknown]> = [
        [400, { error: { message: "{'error': 'Budget exceeded'}", type: "x", param: "None", code: "400" } }, "Budget exceeded", {
          error: { type: "x", param: "None", code: "400" }
        }],
        [403, { error: { message: "Not allowed", type: "x", param: null, code: 403 } }, "Not allowed", {
          error: { type: "x", param: null, code: 403 }
        }],
        [404, { detail: { error: "Team not found, passed team_id=t9" } }, "Team not found, passed team_id=t9", null],
        [400, { detail: { message: "Bad thing" }, request_id: "r1" }, "Bad thing", { request_id: "r1" }],
        [400, { detail: "Plain detail" }, "Plain detail", null],
        [422, validation, "user_ids: Field required", validation],
        [500, { unexpected: true }, "LiteLLM answered HTTP 500", { unexpected: true }]
      ]
      for (const [status, body, message, detail] of cases) {
        env.standIn.injectFault("/key/list", { kind: "status", status, body: JSON.stringify(body) })
        const error = expectFailure(yield* call(client, "litellm_key_list"), status)
        expect(error.message).toBe(message)
        expect(error.detail).toEqual(detail)
      }
      env.standIn.injectFault("/key/list", { kind: "status", status: 503, body: "<h1>Service Unavailable</h1>", contentType: "text/html" })
      const html = expectFailure(yield* call(client, "litellm_key_list"), 503)
      expect(html.message).toBe("LiteLLM answered HTTP 503 with a body that is not JSON")
      expect(html.detail).toBe("<h1>Service Unavailable</h1>")
    }))

  it.scoped("after all that, calls succeed again", () =>
    Effect.gen(function*() {
      const { client } = yield* setup
      expectSuccess(yield* call(client, "litellm_key_list"))
    }))

})

layer(
  Layer.unwrapEffect(Effect.map(Effect.promise(freePort), (port) => TestEnvLive({ baseUrl: `http://127.0.0.1:${port}` }))),
  { excludeTestServices: true }
)("an unreachable LiteLLM", (it) => {
  it.scoped("connection refused is 502 naming LITELLM_BASE_URL: at connect, not a 401, and in a tool's envelope", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const headers = mcpHeaders(env.adminKey)
      const initialize = yield* rawRequest(env.mcpUrl, {
        headers,
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 7,
          method: "initialize",
          params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } }
        })
      })
      expect(initialize.status).toBe(502)
      const refusal = JSON.parse(initialize.body) as { id: unknown; error: { message: string } }
      expect(refusal.id).toBe(7)
      expect(refusal.error.message).toMatch(/^Could not check this key with LiteLLM: .*ECONNREFUSED.*LITELLM_BASE_URL/)
      expect(initialize.headers["www-authenticate"]).toBeUndefined()
      const connected = yield* Effect.exit(Effect.scoped(connect(env.adminKey)))
      expect(Exit.isFailure(connected) && Cause.pretty(connected.cause)).toContain("Could not check this key with LiteLLM")
      // A tool call is not checked first: LiteLLM's answer to it is the check.
      const toolCall = yield* rawRequest(env.mcpUrl, {
        headers,
        body: JSON.stringify({ jsonrpc: "2.0", id: 8, method: "tools/call", params: { name: "litellm_user_info", arguments: { user_id: "u" } } })
      })
      const { result } = JSON.parse(toolCall.body) as { result: { structuredContent: Envelope } }
      const error = expectFailure(result.structuredContent, 502)
      expect(error.message).toContain("ECONNREFUSED")
      expect(error.message).toContain("LITELLM_BASE_URL")
    }))

  it.effect("GET /ready is 503 and says why (here: refused) while /health stays 200", () =>
    Effect.gen(function*() {
      const { mcpUrl } = yield* TestEnv
      const ready = yield* Effect.promise(() => fetch(new URL("/ready", mcpUrl)))
      expect(ready.status).toBe(503)
      const body = (yield* Effect.promise(() => ready.json())) as { status: string; reason: string }
      expect(body.status).toBe("unavailable")
      expect(body.reason).toMatch(/^LiteLLM's \/health\/liveliness at http:\/\/127\.0\.0\.1:\d+ does not answer: the connection failed \(ECONNREFUSED\)$/)
      const health = yield* Effect.promise(() => fetch(new URL("/health", mcpUrl)))
      expect(health.status).toBe(200)
    }))
})

layer(TestEnvLive(), { excludeTestServices: true })("answers outside the one result shape", (it) => {
  const deep = (depth: number, inner: string) => `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`
  const answer = (status: number, body: string) => ({ kind: "status" as const, status, body })

  it.scoped("any nesting, size or number LiteLLM sends becomes an envelope: a 502 for a read, a warning for a write made", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.injectFault("/key/list", answer(200, `{"keys": ${deep(100_000, "1")}}`))
      expect(expectFailure(yield* call(client, "litellm_key_list"), 502).message).toContain("nested deeper than 64 levels")
      // JSON.parse reads 1e99999 as Infinity, which would leave as null: a changed value.
      env.standIn.injectFault("/key/info", answer(200, `{"key": "${"a".repeat(64)}", "info": {"spend": 1e99999}}`))
      expect(expectFailure(yield* call(client, "litellm_key_info", { key: "b".repeat(64) }), 502).message).toContain("too large")
      env.standIn.injectFault("/team/new", answer(200, `{"team_id": "t", "members": ${deep(100_000, "0")}}`))
      const made = expectSuccess(yield* call(client, "litellm_team_create", { team_alias: "deep" })) as { warning: string }
      expect(made.warning).toContain("the change was made")
      yield* expectHealthy
    }))

  it.scoped("a LiteLLM error nested as deep, or holding megabytes of hex, is its status with a bounded, redacted text", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.injectFault("/user/new", answer(400, `{"error": ${deep(100_000, "\"x\"")}}`))
      const nested = expectFailure(yield* call(client, "litellm_user_create", { user_id: "n" }), 400)
      expect(JSON.stringify(nested).length).toBeLessThan(4_000)
      const hex = "f".repeat(63)
      const hash = "e".repeat(64)
      env.standIn.injectFault("/key/list", answer(400, JSON.stringify({ error: { message: `${`${hex} `.repeat(130_000)}${hash}`, type: "x", param: null, code: "400" } })))
      const huge = expectFailure(yield* call(client, "litellm_key_list"), 400)
      expect(JSON.stringify(huge).length).toBeLessThan(4_000)
      expect(JSON.stringify(huge)).not.toContain(hash)
      yield* expectHealthy
    }))
})

layer(TestEnvLive(), { excludeTestServices: true })("a URL whose liveness route is not LiteLLM's", (it) => {
  it.effect("GET /ready says what answered instead", () =>
    Effect.gen(function*() {
      const { mcpUrl, standIn } = yield* TestEnv
      standIn.injectFault("/health/liveliness", { kind: "status", status: 404, body: "{\"detail\":\"Not Found\"}" })
      const ready = yield* Effect.promise(() => fetch(new URL("/ready", mcpUrl)))
      expect(ready.status).toBe(503)
      expect(((yield* Effect.promise(() => ready.json())) as { reason: string }).reason)
        .toContain("does not answer: it answered HTTP 404; is LITELLM_BASE_URL a LiteLLM Proxy?")
    }))
})
