import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { Agent, request } from "node:http"
import { call, connect, expectSuccess, TestEnv, TestEnvLive } from "./support/Harness.js"

const post = (url: string, init: { headers?: Record<string, string>; body?: string }) =>
  Effect.promise(() =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...init.headers },
      body: init.body ?? JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
    })
  )

layer(TestEnvLive())("HTTP surface", (it) => {
  it.effect("GET /health answers ok without auth", () =>
    Effect.gen(function*() {
      const { mcpUrl } = yield* TestEnv
      const res = yield* Effect.promise(() => fetch(new URL("/health", mcpUrl)))
      expect(res.status).toBe(200)
      expect(yield* Effect.promise(() => res.json())).toEqual({ status: "ok" })
    }))

  it.effect("GET /ready is 200 while LiteLLM is alive, asks it without any key, and at most every few seconds", () =>
    Effect.gen(function*() {
      const { mcpUrl, standIn } = yield* TestEnv
      standIn.reset()
      for (let i = 0; i < 3; i++) {
        const res = yield* Effect.promise(() => fetch(new URL("/ready", mcpUrl)))
        expect(res.status).toBe(200)
        expect(yield* Effect.promise(() => res.json())).toEqual({ status: "ready" })
      }
      const probes = standIn.requestsTo("/health/liveliness")
      expect(probes).toHaveLength(1)
      expect(probes[0]!.authorization).toBeUndefined()
    }))

  it.effect("an idle connection is kept past a load balancer's 60 s, so the client closes it, never the server mid-request", () =>
    Effect.gen(function*() {
      const { mcpUrl } = yield* TestEnv
      const agent = new Agent({ keepAlive: true, maxSockets: 1 })
      const keepAlive = yield* Effect.async<unknown>((resume) => {
        const req = request(new URL("/health", mcpUrl), { agent }, (res) => {
          res.resume()
          res.on("end", () => resume(Effect.succeed(res.headers["keep-alive"])))
        })
        req.end()
      }).pipe(Effect.ensuring(Effect.sync(() => agent.destroy())))
      expect(keepAlive).toBe("timeout=65")
    }))

  it.effect("unknown paths are 404 with a JSON body", () =>
    Effect.gen(function*() {
      const { mcpUrl } = yield* TestEnv
      for (const path of ["/nope", "/mcp/extra"]) {
        const res = yield* Effect.promise(() => fetch(new URL(path, mcpUrl)))
        expect(res.status).toBe(404)
        expect(res.headers.get("content-type")).toContain("application/json")
        expect(yield* Effect.promise(() => res.json())).toEqual({ error: "not found" })
      }
    }))

  it.effect("where a client looks for OAuth after a 401, a 404 says there is none and what the 401 meant", () =>
    Effect.gen(function*() {
      const { mcpUrl } = yield* TestEnv
      const probes = [
        ["GET", "/.well-known/oauth-protected-resource/mcp"],
        ["GET", "/.well-known/oauth-authorization-server"],
        ["POST", "/register"],
        ["GET", "/authorize"],
        ["POST", "/token"]
      ] as const
      for (const [method, path] of probes) {
        const res = yield* Effect.promise(() => fetch(new URL(path, mcpUrl), { method }))
        expect(res.status).toBe(404)
        const body = (yield* Effect.promise(() => res.json())) as { error: string; error_description: string }
        expect(body.error).toBe("invalid_request")
        expect(body.error_description).toMatch(/^litellm-admin-mcp has no OAuth: send Authorization: Bearer sk-… .*LiteLLM refused the key/)
      }
    }))

  it.effect("GET, DELETE and PUT /mcp are 405 with Allow: POST", () =>
    Effect.gen(function*() {
      const { mcpUrl } = yield* TestEnv
      for (const method of ["GET", "DELETE", "PUT"]) {
        const res = yield* Effect.promise(() => fetch(mcpUrl, { method }))
        expect(res.status).toBe(405)
        expect(res.headers.get("allow")).toBe("POST")
        const body = yield* Effect.promise(() => res.json())
        expect(body).toMatchObject({ jsonrpc: "2.0", error: { code: -32000 }, id: null })
      }
    }))

  it.effect("a POST without a usable bearer is 401 and never reaches LiteLLM", () =>
    Effect.gen(function*() {
      const { mcpUrl, standIn } = yield* TestEnv
      standIn.reset()
      const headers: Array<Record<string, string>> = [
        {},
        { authorization: "" },
        { authorization: "Bearer " },
        { authorization: "Bearer sk-" },
        { authorization: "Basic c2stYWJj" },
        { authorization: "bearer sk-lowercase-scheme" },
        { authorization: "Bearer not-a-litellm-key" },
        { authorization: "Bearer sk-with space" },
        { authorization: "sk-no-scheme" }
      ]
      for (const h of headers) {
        const res = yield* post(mcpUrl, {
          headers: h,
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "litellm_key_list", arguments: {} } })
        })
        expect(res.status).toBe(401)
        expect(res.headers.get("www-authenticate")).toBe("Bearer")
        expect(yield* Effect.promise(() => res.json())).toMatchObject({ jsonrpc: "2.0", error: { code: -32001 }, id: null })
      }
      expect(standIn.requests).toHaveLength(0)
    }))

  it.scoped("the SDK client initializes, lists every tool and calls one", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const client = yield* connect(env.adminKey)
      expect(client.getServerVersion()?.name).toBe("litellm-admin-mcp")
      const { tools } = yield* Effect.promise(() => client.listTools())
      expect(tools.map((t) => t.name).sort()).toEqual([
        "litellm_budget_create",
        "litellm_budget_delete",
        "litellm_budget_info",
        "litellm_budget_list",
        "litellm_budget_update",
        "litellm_customer_block",
        "litellm_customer_create",
        "litellm_customer_delete",
        "litellm_customer_info",
        "litellm_customer_list",
        "litellm_customer_unblock",
        "litellm_customer_update",
        "litellm_key_block",
        "litellm_key_delete",
        "litellm_key_generate",
        "litellm_key_info",
        "litellm_key_list",
        "litellm_key_regenerate",
        "litellm_key_unblock",
        "litellm_key_update",
        "litellm_model_create",
        "litellm_model_delete",
        "litellm_model_info",
        "litellm_model_list",
        "litellm_model_update",
        "litellm_org_create",
        "litellm_org_delete",
        "litellm_org_info",
        "litellm_org_list",
        "litellm_org_member_add",
        "litellm_org_member_delete",
        "litellm_org_member_update",
        "litellm_org_update",
        "litellm_route_change",
        "litellm_route_describe",
        "litellm_route_read",
        "litellm_route_search",
        "litellm_team_block",
        "litellm_team_create",
        "litellm_team_delete",
        "litellm_team_info",
        "litellm_team_list",
        "litellm_team_member_add",
        "litellm_team_member_delete",
        "litellm_team_member_update",
        "litellm_team_model_add",
        "litellm_team_model_remove",
        "litellm_team_unblock",
        "litellm_team_update",
        "litellm_usage_activity",
        "litellm_usage_daily_activity",
        "litellm_usage_spend_logs",
        "litellm_user_create",
        "litellm_user_delete",
        "litellm_user_info",
        "litellm_user_list",
        "litellm_user_update",
        "litellm_whoami"
      ])
      for (const tool of tools) {
        expect(tool.inputSchema.type).toBe("object")
        expect(JSON.stringify(tool.inputSchema)).not.toContain("$ref")
        expect(tool.outputSchema?.type).toBe("object")
        expect(JSON.stringify(tool.outputSchema)).not.toMatch(/\$ref|\$id/)
        expect(tool.description!.length).toBeGreaterThan(80)
        expect(tool.annotations).toMatchObject({
          readOnlyHint: expect.any(Boolean),
          destructiveHint: expect.any(Boolean),
          idempotentHint: expect.any(Boolean),
          openWorldHint: expect.any(Boolean)
        })
      }
      expectSuccess(yield* call(client, "litellm_key_list"))
    }))

  it.effect("tools/call works without initialize, statelessly, as a bare JSON response", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const res = yield* post(env.mcpUrl, {
        headers: { authorization: `Bearer ${env.adminKey}` },
        body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "litellm_user_list", arguments: {} } })
      })
      expect(res.status).toBe(200)
      expect(res.headers.get("mcp-session-id")).toBeNull()
      expect(res.headers.get("content-type")).toContain("application/json")
      expect(res.headers.get("cache-control")).toBe("no-store")
      const body = yield* Effect.promise(() => res.json())
      expect(body).toMatchObject({ jsonrpc: "2.0", id: 7, result: { structuredContent: { success: true } } })
    }))

  it.effect("a body that is not JSON is 400 with JSON-RPC -32700", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const res = yield* post(env.mcpUrl, { headers: { authorization: `Bearer ${env.adminKey}` }, body: "{not json" })
      expect(res.status).toBe(400)
      expect(yield* Effect.promise(() => res.json())).toMatchObject({ error: { code: -32700 } })
    }))

  it.scoped("an unknown tool is a JSON-RPC invalid-params error, and LiteLLM is not called", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      const client = yield* connect(env.adminKey)
      const error = yield* Effect.flip(Effect.tryPromise(() => client.callTool({ name: "litellm_nope", arguments: {} })))
      expect(String(error.cause)).toContain("Unknown tool: litellm_nope")
      expect(env.standIn.requests).toHaveLength(0)
    }))

  it.effect("the SDK transport's refusals stand: an Accept without both types is 406, a message not JSON-RPC is -32700", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      for (const accept of ["application/json", "text/event-stream", "*/*"]) {
        const res = yield* post(env.mcpUrl, { headers: { authorization: `Bearer ${env.adminKey}`, accept } })
        expect({ accept, status: res.status }).toEqual({ accept, status: 406 })
        expect(yield* Effect.promise(() => res.json())).toMatchObject({ error: { code: -32000, message: expect.stringContaining("Not Acceptable") } })
      }
      for (const message of [{ jsonrpc: "1.0", id: 1, method: "tools/list" }, { jsonrpc: "2.0", id: {}, method: "tools/list" }]) {
        const res = yield* post(env.mcpUrl, { headers: { authorization: `Bearer ${env.adminKey}` }, body: JSON.stringify(message) })
        expect({ message, status: res.status }).toEqual({ message, status: 400 })
        expect(yield* Effect.promise(() => res.json())).toEqual({ jsonrpc: "2.0", error: { code: -32700, message: "Parse error: Invalid JSON-RPC message" }, id: null })
      }
      expect(env.standIn.requestsTo("/key/list")).toHaveLength(0)
    }))

  it.effect("what the SDK refuses in a tools/call it still answers, with the client's id: a task, a name not a text", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      const ask = (id: unknown, params: unknown) =>
        Effect.flatMap(
          post(env.mcpUrl, { headers: { authorization: `Bearer ${env.adminKey}` }, body: JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params }) }),
          (res) => Effect.promise(() => res.json() as Promise<{ id: unknown; error?: { code: number; message: string } }>)
        )
      const task = yield* ask("t-1", { name: "litellm_key_list", arguments: {}, task: { ttl: 1000 } })
      expect(task).toMatchObject({ id: "t-1", error: { message: expect.stringContaining("task") } })
      const odd = yield* ask(9, { name: 5 })
      expect(odd).toMatchObject({ id: 9, error: { code: -32603 } })
      expect(env.standIn.requestsTo("/key/list")).toHaveLength(0)
    }))

  it.effect("requests of two callers with the same id, at once, each get their own answer with that id", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const viewer = env.standIn.addCaller("proxy_admin_viewer", "same-id-viewer")
      const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
      const list = (key: string) =>
        Effect.flatMap(
          post(env.mcpUrl, { headers: { authorization: `Bearer ${key}` }, body }),
          (res) => Effect.promise(() => res.json() as Promise<{ id: number; result: { tools: Array<{ name: string }> } }>)
        )
      const answers = yield* Effect.all(Array.from({ length: 20 }, (_, i) => list(i % 2 === 0 ? env.adminKey : viewer)), {
        concurrency: "unbounded"
      })
      const names = answers.map((a) => a.result.tools.map((t) => t.name))
      for (const [i, answer] of answers.entries()) {
        expect(answer.id).toBe(1)
        // The admin is listed every change tool; the viewer none.
        expect(names[i]!.includes("litellm_key_generate")).toBe(i % 2 === 0)
      }
    }))

  it.scoped("notifications are accepted with 202", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const res = yield* post(env.mcpUrl, {
        headers: { authorization: `Bearer ${env.adminKey}` },
        body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })
      })
      expect(res.status).toBe(202)
    }))

})

