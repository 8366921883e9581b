import { expect, layer } from "@effect/vitest"
import { Effect, Fiber, Option } from "effect"
import { connect as netConnect } from "node:net"
import type { Client } from "@modelcontextprotocol/sdk/client/index.js"
import * as Tools from "../src/resources/Tools.js"
import { MAX_TEXT } from "../src/mcp/Tool.js"
import { call, connect, type Env, expectFailure, expectSuccess, mcpHeaders, rawRequest, TestEnv, TestEnvLive } from "./support/Harness.js"

/**
 * What an attacker with a made-up key, or a misbehaving LiteLLM, can make one request cost: each
 * case here was a finding of an attack on the server, and each failed before its fix.
 */

const toolCall = (name: string, args: unknown) =>
  JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } })

interface ToolAnswer {
  readonly result: { readonly structuredContent: { success: boolean; error?: { status: number; message: string; detail: unknown } } }
}

const post = (env: Env, body: string, token = env.adminKey) =>
  Effect.map(rawRequest(env.mcpUrl, { headers: mcpHeaders(token), body }), (res) => ({ ...res, answer: JSON.parse(res.body) as ToolAnswer }))

const listNames = (env: Env, repeated: ReadonlyArray<readonly [string, string]>) =>
  Effect.map(
    rawRequest(env.mcpUrl, {
      headers: mcpHeaders(env.adminKey),
      repeatedHeaders: repeated,
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
    }),
    (res) => {
      expect(res.status).toBe(200)
      return (JSON.parse(res.body) as { result: { tools: Array<{ name: string }> } }).result.tools.map((t) => t.name)
    }
  )

const READ_ONLY = Tools.all.filter((t) => t.definition.annotations?.readOnlyHint === true).map((t) => t.definition.name)
const ALL = Tools.all.map((t) => t.definition.name)

layer(
  TestEnvLive({ env: { MAX_LITELLM_RESPONSE_BYTES: "100000", REQUEST_TIMEOUT_MS: "1500", HEADERS_TIMEOUT_MS: "1000" } }),
  { excludeTestServices: true }
)("abuse", (it) => {
  it.effect("an argument or a key named __proto__ is refused, not dropped on the way in", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      for (const [args, path] of [
        [`{"__proto__": {"key_alias": "sneaky"}}`, "__proto__"],
        [`{"key_alias": "p", "metadata": {"a": 1, "__proto__": {"b": 2}}}`, "metadata.__proto__"]
      ] as const) {
        const body = `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"litellm_key_generate","arguments":${args}}}`
        const res = yield* rawRequest(env.mcpUrl, { headers: mcpHeaders(env.adminKey), body })
        expect(res.status).toBe(400)
        expect(JSON.parse(res.body)).toMatchObject({ id: 3, error: { code: -32602, message: expect.stringContaining(`arguments.${path}`) } })
      }
      expect(env.standIn.requestsTo("/key/generate")).toHaveLength(0)
    }))

  it.effect("the edge serves exactly /mcp: no case, slash, parameter or encoding variant of it reaches MCP", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      const base = new URL(env.mcpUrl)
      const list = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
      for (const path of ["/MCP", "//mcp", "/mcp/", "/mcp;x", "/%6dcp", "/Mcp?x=1"]) {
        const res = yield* rawRequest(`${base.origin}${path}`, { headers: mcpHeaders(env.adminKey), body: list })
        expect({ path, status: res.status }).toEqual({ path, status: 404 })
      }
      const served = yield* rawRequest(`${base.origin}/mcp?client=x`, { headers: mcpHeaders(env.adminKey), body: list })
      expect(served.status).toBe(200)
    }))

  it.effect("Expect: 100-continue without a key is answered 401 at once, with no 100 Continue before it", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const url = new URL(env.mcpUrl)
      const head = yield* Effect.async<string>((resume) => {
        let text = ""
        const socket = netConnect(Number(url.port), "127.0.0.1", () => {
          socket.write(
            `POST /mcp HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n` +
              "Content-Length: 1000\r\nExpect: 100-continue\r\n\r\n"
          )
        })
        socket.on("data", (chunk) => {
          text += chunk.toString()
          if (text.includes("\r\n\r\n")) {
            socket.destroy()
            resume(Effect.succeed(text))
          }
        })
        socket.on("error", () => resume(Effect.succeed(text)))
      })
      expect(head.startsWith("HTTP/1.1 401")).toBe(true)
      expect(head).not.toContain("100 Continue")
      // With a key, as curl sends a large body: served as ever.
      const withKey = yield* rawRequest(env.mcpUrl, {
        headers: { ...mcpHeaders(env.adminKey), expect: "100-continue" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
      })
      expect(withKey.status).toBe(200)
    }))

  it.effect("500,000 invalid items are refused from the text alone, before parsing, and LiteLLM is not asked", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      const res = yield* rawRequest(env.mcpUrl, {
        headers: mcpHeaders(env.adminKey),
        body: toolCall("litellm_user_delete", { user_ids: Array(500_000).fill(1) })
      })
      expect(res.status).toBe(413)
      expect(res.body.length).toBeLessThan(500)
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: -32600, message: expect.stringContaining("no tool takes that many") } })
      expect(env.standIn.requests).toHaveLength(0)
    }))

  it.effect("a list or object past what any argument takes is refused before decoding, with one short problem", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const list = yield* post(env, toolCall("litellm_user_delete", { user_ids: Array(5_000).fill(1) }))
      expect(list.answer.result.structuredContent.error).toMatchObject({
        status: 400,
        message: "Invalid arguments: a list holds 5000 items; the most any argument takes is 1000"
      })
      const object = yield* post(env, toolCall("litellm_key_generate", { metadata: Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i])) }))
      expect(object.answer.result.structuredContent.error!.message).toContain("an object holds 5000 entries")
    }))

  it.scoped("a text past MAX_TEXT characters, a value or an entry's name, is refused naming where it is, and LiteLLM is not asked", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      const id = yield* post(env, toolCall("litellm_user_info", { user_id: "u".repeat(200_000) }))
      expect(id.answer.result.structuredContent.error).toMatchObject({
        status: 400,
        detail: [{ path: "user_id", message: `has 200000 characters; the most any text argument takes is ${MAX_TEXT}` }]
      })
      const nested = yield* post(env, toolCall("litellm_key_generate", { models: ["a", "m".repeat(MAX_TEXT + 1)] }))
      expect(nested.answer.result.structuredContent.error!.detail).toMatchObject([{ path: "models.1" }])
      const name = yield* post(env, toolCall("litellm_key_generate", { metadata: { ["k".repeat(MAX_TEXT + 1)]: 1 } }))
      expect(name.answer.result.structuredContent.error!.detail).toMatchObject([{ path: "metadata", message: expect.stringContaining("a name of 4097") }])
      // At the limit it is the tool's own schema that judges.
      expectSuccess(yield* Effect.flatMap(connect(env.adminKey), (c) => call(c, "litellm_key_generate", { metadata: { note: "n".repeat(MAX_TEXT) } })))
      expect(env.standIn.requestsTo("/user/info")).toHaveLength(0)
    }))

  it.effect("many invalid items within the bounds report five problems and a count, never one per item", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const res = yield* post(env, toolCall("litellm_key_generate", { models: Array(1_000).fill(7) }))
      const error = res.answer.result.structuredContent.error!
      expect(error.status).toBe(400)
      expect(error.detail).toHaveLength(6)
      expect((error.detail as Array<{ message: string }>)[5]!.message).toMatch(/^and 99\d more problems$/)
    }))

  it.effect("a long value is never echoed whole, and a key in it is redacted", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const value = `sk-${"x".repeat(100_000)}`
      const res = yield* post(env, toolCall("litellm_user_info", { user_email: value }))
      const error = res.answer.result.structuredContent.error!
      expect(error.status).toBe(400)
      expect(res.body.length).toBeLessThan(2_000)
      expect(res.body).not.toContain("xxxxxxxxxx")
    }))

  it.effect("valid but huge inputs are refused by the limits the schemas state: metadata entries, batch sizes", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      const wide = yield* post(env, toolCall("litellm_key_generate", { metadata: Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, i])) }))
      expect(wide.answer.result.structuredContent.error!.message).toContain("an object holds 1001 entries")
      const keys = Array.from({ length: 101 }, (_, i) => `sk-delete-${i}`)
      const many = yield* post(env, toolCall("litellm_key_delete", { keys }))
      expect(many.answer.result.structuredContent.error!.status).toBe(400)
      expect(env.standIn.requests).toHaveLength(0)
      const schema = Tools.byName.get("litellm_key_delete")!.definition.inputSchema as unknown as { properties: { keys: { maxItems: number } } }
      expect(schema.properties.keys.maxItems).toBe(100)
      const generate = Tools.byName.get("litellm_key_generate")!.definition.inputSchema as unknown as {
        properties: { metadata: { maxProperties: number } }
      }
      expect(generate.properties.metadata.maxProperties).toBe(1_000)
      const nested = yield* post(env, toolCall("litellm_key_generate", { metadata: { a: Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, i])), b: {} } }))
      expect(nested.answer.result.structuredContent.error).toBeUndefined()
    }))

  it.scoped("a LiteLLM that reports a billion pages is read for ten at most", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      env.standIn.injectFault("/user/list", {
        kind: "status",
        status: 200,
        repeat: true,
        body: JSON.stringify({ users: [], total: 1e11, page: 1, page_size: 100, total_pages: 1e9 })
      })
      const client = yield* connect(env.adminKey)
      const error = expectFailure(yield* call(client, "litellm_user_info", { user_email: "a@example.com" }), 501)
      expect(error.message).toContain("name the user by user_id")
      expect(env.standIn.requestsTo("/user/list")).toHaveLength(10)
      env.standIn.reset()
    }))

  it.scoped("a LiteLLM answer over MAX_LITELLM_RESPONSE_BYTES is a 502 for a read, and a success with a warning for a write", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      const client = yield* connect(env.adminKey)
      env.standIn.injectFault("/key/list", { kind: "status", status: 200, body: JSON.stringify({ keys: [], pad: "x".repeat(200_000) }) })
      expect(expectFailure(yield* call(client, "litellm_key_list", {}), 502).message).toContain("MAX_LITELLM_RESPONSE_BYTES")
      env.standIn.injectFault("/key/generate", { kind: "status", status: 200, body: JSON.stringify({ key: "sk-x", pad: "x".repeat(200_000) }) })
      const written = expectSuccess(yield* call(client, "litellm_key_generate", {})) as { warning: string }
      expect(written.warning).toContain("the change was made")
      // Without a stated length, the answer is counted as it arrives.
      env.standIn.injectFault("/key/list", { kind: "chunked", body: JSON.stringify({ keys: [], pad: "x".repeat(200_000) }) })
      expect(expectFailure(yield* call(client, "litellm_key_list", {}), 502).message).toContain("MAX_LITELLM_RESPONSE_BYTES")
    }))

  it.effect("the narrowing headers only narrow: every copy counts, lists intersect, anything but false is read-only", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      expect(yield* listNames(env, [["X-MCP-Readonly", "true"], ["X-MCP-Readonly", "true"]])).toEqual(READ_ONLY)
      expect(yield* listNames(env, [["X-MCP-Readonly", "true"], ["X-MCP-Readonly", "false"]])).toEqual(READ_ONLY)
      for (const value of ["1", "yes", "on", "TRUE", ""]) {
        expect(yield* listNames(env, [["X-MCP-Readonly", value]])).toEqual(READ_ONLY)
      }
      expect(yield* listNames(env, [["X-MCP-Readonly", "false"]])).toEqual(ALL)
      expect(yield* listNames(env, [["X-MCP-Tools", "users"], ["X-MCP-Tools", "litellm_user_list,litellm_key_list"]]))
        .toEqual(["litellm_user_list"])
      for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
        expect(yield* listNames(env, [["X-MCP-Tools", name]])).toEqual([])
      }
    }))

  it.effect("a key in the request URL, or a tool name with line breaks, never reaches a log line as sent", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const secret = "sk-in-the-url-0123456789"
      env.standIn.secrets.add(secret)
      const listed = yield* rawRequest(`${env.mcpUrl}?api_key=${secret}`, {
        headers: mcpHeaders(env.adminKey),
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
      })
      expect(listed.status).toBe(200)
      const health = yield* rawRequest(`${new URL("/health", env.mcpUrl).href}?token=${secret}`, { method: "GET" })
      expect(health.status).toBe(200)
      const forged = yield* post(env, toolCall("x\nlevel=INFO message=forged\u2028", {}))
      expect(forged.status).toBe(200)
      expect(env.logs.filter((line) => line.includes(secret) || line.includes("api_key"))).toEqual([])
      expect(env.logs.some((line) => line.includes("tool=\"x?level=INFO message=forged?\""))).toBe(true)
    }))

  it.effect("a call abandoned by its client is logged as aborted, not as failed", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      env.standIn.injectFault("/key/list", { kind: "delay", ms: 500 })
      yield* Effect.async<void>((resume) => {
        const url = new URL(env.mcpUrl)
        const body = toolCall("litellm_key_list", {})
        const socket = netConnect(Number(url.port), "127.0.0.1", () => {
          socket.write(
            `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${url.port}\r\nAuthorization: Bearer ${env.adminKey}\r\n` +
              `Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${body.length}\r\n\r\n${body}`
          )
          setTimeout(() => {
            socket.destroy()
            resume(Effect.void)
          }, 150)
        })
      })
      yield* Effect.sleep("700 millis")
      env.standIn.reset()
      expect(env.logs.filter((line) => line.includes("POST /mcp"))).toContainEqual(expect.stringContaining("POST /mcp aborted"))
    }))

  it.effect("a body sent too slowly is cut off at REQUEST_TIMEOUT_MS", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const url = new URL(env.mcpUrl)
      const started = Date.now()
      const answer = yield* Effect.async<string>((resume) => {
        let received = ""
        const socket = netConnect(Number(url.port), "127.0.0.1", () => {
          socket.write(
            `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${url.port}\r\nAuthorization: Bearer ${env.adminKey}\r\n` +
              `Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`
          )
          const drip = setInterval(() => socket.write(" "), 200)
          socket.on("data", (chunk) => received += chunk)
          socket.on("close", () => {
            clearInterval(drip)
            resume(Effect.succeed(received))
          })
        })
      })
      expect(answer).toMatch(/^HTTP\/1\.1 408/)
      expect(Date.now() - started).toBeLessThan(5_000)
    }))
})

/** A key list whose answer stalls after its headers, under way in a fiber of its own. */
const stallKeyList = (env: Env, client: Client) =>
  Effect.gen(function*() {
    env.standIn.injectFault("/key/list", { kind: "stall" })
    const stalled = yield* Effect.fork(call(client, "litellm_key_list", {}))
    yield* Effect.sleep("300 millis")
    return stalled
  })

const TEAMS = JSON.stringify({ teams: [{ team_id: "t1" }], total: 1, page: 1, page_size: 10, total_pages: 1 })

layer(
  TestEnvLive({ timeoutMs: 4_000, env: { MAX_LITELLM_RESPONSE_BYTES: "100000", MAX_LITELLM_RESPONSE_BYTES_HELD: "150000" } }),
  { excludeTestServices: true }
)("answers held at once", (it) => {
  it.scoped("past MAX_LITELLM_RESPONSE_BYTES_HELD a read's answer is left unread (503, retry after), a write's never is", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      const client = yield* connect(env.adminKey)
      // An answer of unstated length counts as the largest one read (100,000 here) while it arrives.
      const stalled = yield* stallKeyList(env, client)
      // A small answer still fits beside it.
      expectSuccess(yield* call(client, "litellm_user_list", {}))
      env.standIn.injectFault("/v2/team/list", { kind: "chunked", body: TEAMS })
      const busy = expectFailure(yield* call(client, "litellm_team_list", {}), 503)
      expect(busy.message).toContain("MAX_LITELLM_RESPONSE_BYTES_HELD")
      expect(busy.message).toContain("nothing was changed")
      expect(busy.detail).toEqual({ retry_after_s: 2 })
      // LiteLLM made the change: its answer is read, whatever else is held.
      env.standIn.injectFault("/key/generate", { kind: "chunked", body: JSON.stringify({ key: "sk-chunked-new-key", key_alias: "c" }) })
      expect(expectSuccess(yield* call(client, "litellm_key_generate", { key_alias: "c" }))).toMatchObject({ key: "sk-chunked-new-key" })
      expectFailure(yield* Fiber.join(stalled), 504)
      // Room again once the stalled answer is given up.
      env.standIn.injectFault("/v2/team/list", { kind: "chunked", body: TEAMS })
      expect(expectSuccess(yield* call(client, "litellm_team_list", {}))).toMatchObject({ teams: [{ team_id: "t1" }] })
    }))
})

layer(
  TestEnvLive({
    timeoutMs: 4_000,
    env: { MAX_LITELLM_RESPONSE_BYTES: "100000", MAX_LITELLM_RESPONSE_BYTES_HELD: "150000", MAX_LITELLM_CONNECTIONS: "2" }
  }),
  { excludeTestServices: true }
)("an answer left unread", (it) => {
  it.scoped("gives its connection back at once: the next call does not wait for the unread answer's deadline", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      const client = yield* connect(env.adminKey)
      // One connection holds a stalled answer (counted as the largest, 100,000 bytes) until its deadline.
      const stalled = yield* stallKeyList(env, client)
      // The other carries an answer with no room to be read: after waiting for room it is given up.
      env.standIn.injectFault("/v2/team/list", { kind: "chunked", body: TEAMS })
      expectFailure(yield* call(client, "litellm_team_list", {}), 503)
      // Its connection was closed, not left paused until its deadline (later than the stalled one's):
      // a new one serves the next call while the stalled answer is still awaited.
      expectSuccess(yield* call(client, "litellm_user_list", {}))
      expect(Option.isNone(yield* Fiber.poll(stalled))).toBe(true)
      expectFailure(yield* Fiber.join(stalled), 504)
    }))
})

layer(TestEnvLive({ env: { MAX_BODY_BYTES: "65536" } }), { excludeTestServices: true })("oversize bodies", (it) => {
  it.effect("a 413 by Content-Length always reaches the client, twenty times over", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const big = Buffer.alloc(1_000_000, "a")
      for (let i = 0; i < 20; i++) {
        const res = yield* rawRequest(env.mcpUrl, { headers: mcpHeaders(env.adminKey), body: big })
        expect(res.status).toBe(413)
        expect(res.headers["connection"]).toBe("close")
      }
    }))

  it.effect("after a 413 the connection closes without the endless body being read to its end", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const url = new URL(env.mcpUrl)
      const { answer, sent, ms } = yield* Effect.async<{ answer: string; sent: number; ms: number }>((resume) => {
        const started = Date.now()
        let answer = ""
        let sent = 0
        const chunk = Buffer.alloc(64 * 1024, "z")
        const socket = netConnect(Number(url.port), "127.0.0.1", () => {
          socket.write(
            `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${url.port}\r\nAuthorization: Bearer ${env.adminKey}\r\n` +
              `Content-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n`
          )
          const pump = () => {
            while (!socket.destroyed && Date.now() - started < 10_000 && socket.write(chunk)) sent += chunk.length
          }
          socket.on("drain", pump)
          pump()
        })
        socket.on("data", (data) => answer += data)
        socket.on("error", () => {})
        socket.on("close", () => resume(Effect.succeed({ answer, sent, ms: Date.now() - started })))
      })
      expect(answer).toMatch(/^HTTP\/1\.1 413/)
      expect(ms).toBeLessThan(8_000)
      expect(sent).toBeLessThan(2_000_000_000)
    }))
})

layer(TestEnvLive({ env: { MAX_CALLS_IN_FLIGHT: "2" } }), { excludeTestServices: true })("a burst", (it) => {
  it.effect("past MAX_CALLS_IN_FLIGHT is refused at once with 503 and Retry-After; the calls under way are answered", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      env.standIn.injectFault("/key/list", { kind: "delay", ms: 400 })
      const answers = yield* Effect.all(
        Array.from({ length: 4 }, () => rawRequest(env.mcpUrl, { headers: mcpHeaders(env.adminKey), body: toolCall("litellm_key_list", {}) })),
        { concurrency: "unbounded" }
      )
      const statuses = answers.map((a) => a.status).sort()
      expect(statuses).toEqual([200, 200, 503, 503])
      const busy = answers.find((a) => a.status === 503)!
      expect(busy.headers["retry-after"]).toBe("1")
      expect(JSON.parse(busy.body).error.message).toContain("MAX_CALLS_IN_FLIGHT")
      // Once they are done, calls are served again.
      env.standIn.reset()
      expect((yield* rawRequest(env.mcpUrl, { headers: mcpHeaders(env.adminKey), body: toolCall("litellm_key_list", {}) })).status).toBe(200)
    }))
})

layer(TestEnvLive(), { excludeTestServices: true })("a caller that goes away", (it) => {
  const hangUpAfter = (env: Env, body: string, ms: number) =>
    Effect.promise(() => {
      const controller = new AbortController()
      setTimeout(() => controller.abort(), ms)
      return fetch(env.mcpUrl, { method: "POST", headers: mcpHeaders(env.adminKey), body, signal: controller.signal }).then(() => "answered", () => "gone")
    })

  it.effect("stops the read it asked for, and never the change: LiteLLM's request for a read is cancelled, a write's completes", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      env.standIn.injectFault("/key/list", { kind: "delay", ms: 1_500 })
      expect(yield* hangUpAfter(env, toolCall("litellm_key_list", {}), 200)).toBe("gone")
      yield* Effect.sleep("300 millis")
      expect(env.standIn.abandoned).toBe(1)
      env.standIn.reset()
      env.standIn.injectFault("/key/generate", { kind: "delay", ms: 800 })
      expect(yield* hangUpAfter(env, toolCall("litellm_key_generate", { key_alias: "left-behind" }), 200)).toBe("gone")
      yield* Effect.sleep("1200 millis")
      expect(env.standIn.abandoned).toBe(0)
      const made = [...env.standIn.keys.values()].find((k) => k["key_alias"] === "left-behind")
      expect(made).toBeDefined()
    }))
})
