import { expect, layer } from "@effect/vitest"
import { Effect, FastCheck } from "effect"
import { connect as netConnect } from "node:net"
import {
  call,
  connect,
  expectFailure,
  expectNoSecretsLogged,
  expectSuccess,
  mcpHeaders,
  rawRequest,
  TestEnv,
  TestEnvLive
} from "./support/Harness.js"

const TOOLS_LIST = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })

layer(TestEnvLive({ env: { MAX_BODY_BYTES: "65536", ALLOWED_ORIGINS: "https://console.example.com" } }), {
  excludeTestServices: true
})("hostile input at the edge", (it) => {
  it.effect("a foreign Origin is 403 with a JSON-RPC body; loopback and listed origins pass; none passes", () =>
    Effect.gen(function*() {
      const { adminKey, mcpUrl, standIn } = yield* TestEnv
      standIn.reset()
      for (const origin of ["https://evil.example", "null", "http://localhost.evil.example:3100"]) {
        const res = yield* rawRequest(mcpUrl, { headers: mcpHeaders(adminKey, { origin }), body: TOOLS_LIST })
        expect(res.status).toBe(403)
        expect(JSON.parse(res.body)).toMatchObject({ jsonrpc: "2.0", error: { code: -32000 }, id: null })
        expect(res.headers["cache-control"]).toBe("no-store")
      }
      for (const origin of ["http://localhost:6274", "http://127.0.0.1:3000", "https://console.example.com"]) {
        const res = yield* rawRequest(mcpUrl, { headers: mcpHeaders(adminKey, { origin }), body: TOOLS_LIST })
        expect(res.status).toBe(200)
      }
      const res = yield* rawRequest(mcpUrl, { headers: mcpHeaders(adminKey), body: TOOLS_LIST })
      expect(res.status).toBe(200)
      // Refused requests reach nothing; the listings ask LiteLLM about the key once (then it is kept).
      expect(standIn.requests.filter((r) => r.path !== "/key/info")).toHaveLength(0)
      expect(standIn.requests.length).toBeLessThanOrEqual(1)
    }))

  it.effect("bound to loopback, a Host that is not a loopback name is 403", () =>
    Effect.gen(function*() {
      const { adminKey, mcpUrl } = yield* TestEnv
      const port = new URL(mcpUrl).port
      const rebound = yield* rawRequest(mcpUrl, {
        headers: mcpHeaders(adminKey, { host: `attacker.example:${port}` }),
        body: TOOLS_LIST
      })
      expect(rebound.status).toBe(403)
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
        const ok = yield* rawRequest(mcpUrl, { headers: mcpHeaders(adminKey, { host }), body: TOOLS_LIST })
        expect(ok.status).toBe(200)
      }
    }))

  it.effect("an unsupported MCP-Protocol-Version is 400", () =>
    Effect.gen(function*() {
      const { adminKey, mcpUrl } = yield* TestEnv
      const res = yield* rawRequest(mcpUrl, {
        headers: mcpHeaders(adminKey, { "mcp-protocol-version": "1999-01-01" }),
        body: TOOLS_LIST
      })
      expect(res.status).toBe(400)
      expect(res.body).toContain("Unsupported protocol version")
      // The refusal quotes the header back, never a key pasted into it.
      const pasted = "sk-pasted-into-the-version-0000000000"
      const quoted = yield* rawRequest(mcpUrl, { headers: mcpHeaders(adminKey, { "mcp-protocol-version": pasted }), body: TOOLS_LIST })
      expect(quoted.status).toBe(400)
      expect(quoted.body).not.toContain(pasted)
    }))

  it.effect("a body over MAX_BODY_BYTES is 413, by Content-Length or while reading, never a reset", () =>
    Effect.gen(function*() {
      const { adminKey, mcpUrl } = yield* TestEnv
      const big = Buffer.alloc(200_000, "a")
      const declared = yield* rawRequest(mcpUrl, { headers: mcpHeaders(adminKey), body: big })
      expect(declared.status).toBe(413)
      expect(JSON.parse(declared.body)).toMatchObject({ error: { message: expect.stringContaining("65536") } })
      const chunked = yield* rawRequest(mcpUrl, {
        headers: mcpHeaders(adminKey),
        body: Array.from({ length: 20 }, () => Buffer.alloc(10_000, "b"))
      })
      expect(chunked.status).toBe(413)
      const health = yield* rawRequest(new URL("/health", mcpUrl).href, { method: "GET" })
      expect(health.status).toBe(200)
    }))

  it.effect("a body is read the same whether it comes with its headers or in pieces after them", () =>
    Effect.gen(function*() {
      const { adminKey, mcpUrl } = yield* TestEnv
      const whole = yield* rawRequest(mcpUrl, { headers: mcpHeaders(adminKey), body: TOOLS_LIST })
      const url = new URL(mcpUrl)
      // The headers first, then the body in two pieces: Node has not parsed it when the handler runs.
      const pieces = yield* Effect.async<string, Error>((resume) => {
        const socket = netConnect(Number(url.port), url.hostname, () => {
          socket.write(
            `POST /mcp HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${adminKey}\r\nContent-Type: application/json\r\n` +
              `Accept: application/json, text/event-stream\r\nContent-Length: ${Buffer.byteLength(TOOLS_LIST)}\r\nConnection: close\r\n\r\n`
          )
          setTimeout(() => socket.write(TOOLS_LIST.slice(0, 10)), 100)
          setTimeout(() => socket.write(TOOLS_LIST.slice(10)), 200)
        })
        let received = ""
        socket.on("data", (chunk: Buffer) => received += chunk.toString("utf8"))
        socket.on("end", () => resume(Effect.succeed(received)))
        socket.on("error", (e) => resume(Effect.fail(e)))
      })
      expect(whole.status).toBe(200)
      expect(pieces).toMatch(/^HTTP\/1\.1 200/)
      expect(pieces.slice(pieces.indexOf("\r\n\r\n") + 4)).toBe(whole.body)
      expect(JSON.parse(whole.body).result.tools.length).toBeGreaterThan(0)
    }))

  it.effect("wrong Content-Type is 415; not JSON is -32700; a batch is 400; every answer is no-store", () =>
    Effect.gen(function*() {
      const { adminKey, mcpUrl } = yield* TestEnv
      const plain = yield* rawRequest(mcpUrl, { headers: mcpHeaders(adminKey, { "content-type": "text/plain" }), body: TOOLS_LIST })
      expect(plain.status).toBe(415)
      const garbage = yield* rawRequest(mcpUrl, { headers: mcpHeaders(adminKey), body: Buffer.from([0xff, 0xfe, 0x00, 0x7b]) })
      expect(garbage.status).toBe(400)
      expect(JSON.parse(garbage.body)).toMatchObject({ error: { code: -32700 } })
      const batch = yield* rawRequest(mcpUrl, { headers: mcpHeaders(adminKey), body: `[${TOOLS_LIST},${TOOLS_LIST}]` })
      expect(batch.status).toBe(400)
      expect(JSON.parse(batch.body).error.message).toContain("batches are not supported")
      for (const res of [plain, garbage, batch]) expect(res.headers["cache-control"]).toBe("no-store")
    }))

  it.effect("only the caller's Authorization reaches LiteLLM: no cookies, no other client headers", () =>
    Effect.gen(function*() {
      const { adminKey, mcpUrl, standIn } = yield* TestEnv
      standIn.reset()
      const res = yield* rawRequest(mcpUrl, {
        headers: mcpHeaders(adminKey, {
          cookie: "session=abc",
          "x-api-key": "sk-other-header-key",
          "x-forwarded-for": "10.0.0.1",
          "litellm-changed-by": "mallory"
        }),
        body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "litellm_key_list", arguments: {} } })
      })
      expect(res.status).toBe(200)
      const [request] = standIn.requests
      expect(request!.authorization).toBe(`Bearer ${adminKey}`)
      // Exactly what the request needs; no trace headers either while tracing is off.
      expect(Object.keys(request!.headers).sort()).toEqual(["accept", "authorization", "connection", "host"])
    }))

  it.scoped("a truncated LiteLLM body is 502", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      const client = yield* connect(env.adminKey)
      env.standIn.injectFault("/key/list", { kind: "truncate" })
      expectFailure(yield* call(client, "litellm_key_list"), 502)
      expectSuccess(yield* call(client, "litellm_key_list"))
    }))

  it.effect("2,000 calls from 50 concurrent clients with distinct keys: each reaches LiteLLM with its own", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      const callers = Array.from({ length: 50 }, (_, i) => ({ id: `load-${i}`, token: env.standIn.addAdminKey() }))
      yield* Effect.forEach(callers, (caller) =>
        Effect.scoped(Effect.gen(function*() {
          const client = yield* connect(caller.token)
          yield* Effect.forEach(
            Array.from({ length: 40 }, (_, n) => n),
            (n) => call(client, n % 2 === 0 ? "litellm_key_list" : "litellm_usage_spend_logs", { user_id: caller.id }),
            { concurrency: 4 }
          )
        })), { concurrency: "unbounded" })
      const tokens = new Map(callers.map((c) => [c.id, c.token]))
      const toolRequests = env.standIn.requests.filter((r) => r.path === "/key/list" || r.path === "/spend/logs/v2")
      expect(toolRequests).toHaveLength(2_000)
      for (const request of toolRequests) {
        expect(request.authorization).toBe(`Bearer ${tokens.get(request.query.get("user_id")!)}`)
      }
    }), 120_000)

})

// == Fuzzing: whatever arrives, the server answers, below 500, and stays up.

const jsonRpc = (method: FastCheck.Arbitrary<string>, params: FastCheck.Arbitrary<unknown>) =>
  FastCheck.record({
    jsonrpc: FastCheck.constantFrom("2.0", "1.0", 2),
    id: FastCheck.oneof(FastCheck.integer(), FastCheck.string({ maxLength: 5_000 }), FastCheck.constant(null), FastCheck.double()),
    method,
    params
  }, { requiredKeys: [] }).map((m) => JSON.stringify(m))

const deep = FastCheck.integer({ min: 1, max: 20_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`)

const Body = FastCheck.oneof(
  FastCheck.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b)),
  FastCheck.jsonValue().map((v) => JSON.stringify(v)),
  deep,
  jsonRpc(FastCheck.constantFrom("tools/list", "tools/call", "initialize", "ping", "resources/list", "server/discover"), FastCheck.anything()),
  jsonRpc(FastCheck.string(), FastCheck.jsonValue()),
  jsonRpc(
    FastCheck.constant("tools/call"),
    FastCheck.record({
      name: FastCheck.oneof(
        FastCheck.constantFrom("litellm_user_list", "litellm_key_info", "litellm_user_delete", "litellm_usage_spend_logs"),
        FastCheck.string()
      ),
      arguments: FastCheck.oneof(FastCheck.jsonValue(), FastCheck.dictionary(FastCheck.string(), FastCheck.jsonValue()))
    }, { requiredKeys: [] })
  )
)

const Request = FastCheck.record({
  method: FastCheck.constantFrom("POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"),
  path: FastCheck.constantFrom("/mcp", "/mcp", "/mcp", "/health", "/", "/mcp/", "/.well-known/oauth-authorization-server", "/%ff"),
  auth: FastCheck.constantFrom<"valid" | "none" | "garbage">("valid", "valid", "none", "garbage"),
  contentType: FastCheck.constantFrom("application/json", "application/json", "text/plain", "application/json; charset=utf-8", ""),
  accept: FastCheck.constantFrom("application/json, text/event-stream", "*/*", "text/html", ""),
  origin: FastCheck.option(FastCheck.constantFrom("http://localhost:1", "https://evil.example", "null")),
  protocol: FastCheck.option(FastCheck.constantFrom("2025-06-18", "2025-11-25", "garbage")),
  body: Body
})

layer(TestEnvLive(), { excludeTestServices: true })("fuzzing", (it) => {
  it.effect.prop("2,000 generated requests: never a 5xx, never a crash", { request: Request }, ({ request }) =>
    Effect.gen(function*() {
      const { adminKey, mcpUrl } = yield* TestEnv
      const headers: Record<string, string> = {}
      if (request.auth === "valid") headers["authorization"] = `Bearer ${adminKey}`
      if (request.auth === "garbage") headers["authorization"] = "Bearer sk-\u00ff\u00e9 x"
      if (request.contentType !== "") headers["content-type"] = request.contentType
      if (request.accept !== "") headers["accept"] = request.accept
      if (request.origin !== null) headers["origin"] = request.origin
      if (request.protocol !== null) headers["mcp-protocol-version"] = request.protocol
      const hasBody = request.method !== "GET" && request.method !== "HEAD"
      const res = yield* rawRequest(new URL(request.path, mcpUrl).href, {
        method: request.method,
        headers,
        ...(hasBody ? { body: request.body } : {})
      })
      expect(res.status).toBeGreaterThanOrEqual(200)
      expect(res.status).toBeLessThan(500)
    }), { fastCheck: { numRuns: 2_000 } })

  it.effect("afterwards /health is 200, LiteLLM saw only valid requests, and no key was logged", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const res = yield* rawRequest(new URL("/health", env.mcpUrl).href, { method: "GET" })
      expect(res.status).toBe(200)
      expect(env.standIn.violations).toEqual([])
      expectNoSecretsLogged(env)
    }))
})
