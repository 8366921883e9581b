import * as Tools from "../src/resources/Tools.js"
import { describe, expect, it, layer } from "@effect/vitest"
import { ConfigProvider, Layer, Effect, Exit } from "effect"
import { ToolPolicy } from "../src/mcp/ToolPolicy.js"
import { call, connect, expectFailure, expectSuccess, listTools, TestEnv, TestEnvLive } from "./support/Harness.js"
import { DEFAULT_TOOLS, READ_ONLY_TOOLS } from "./support/ToolNames.js"

const READ_ONLY = READ_ONLY_TOOLS
const KEYS = [
  "litellm_key_block",
  "litellm_key_delete",
  "litellm_key_generate",
  "litellm_key_info",
  "litellm_key_list",
  "litellm_key_regenerate",
  "litellm_key_unblock",
  "litellm_key_update",
  "litellm_whoami"
]
const USERS = [
  "litellm_user_create",
  "litellm_user_delete",
  "litellm_user_info",
  "litellm_user_list",
  "litellm_user_update",
  "litellm_whoami"
]

layer(TestEnvLive({ env: { LITELLM_MCP_READ_ONLY: "true" } }))("LITELLM_MCP_READ_ONLY=true", (it) => {
  it.scoped("lists only read-only tools, and a hidden one called by name is a 403 naming the setting", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      const { client, names } = yield* listTools(env.adminKey)
      expect(names).toEqual(READ_ONLY)
      const error = expectFailure(yield* call(client, "litellm_user_delete", { user_ids: ["alice"] }), 403)
      expect(error.message).toContain("LITELLM_MCP_READ_ONLY=true")
      expect(error.detail).toEqual({ tool: "litellm_user_delete", hidden_by: "LITELLM_MCP_READ_ONLY=true" })
      expectSuccess(yield* call(client, "litellm_key_list"))
      // Besides the connect-time question about the key, only the call that was allowed reached LiteLLM.
      expect(env.standIn.requests.map((r) => r.path).filter((p) => p !== "/key/info")).toEqual(["/key/list"])
    }))

  it.scoped("a request header cannot widen what the operator allowed", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const { client, names } = yield* listTools(env.adminKey, { "X-MCP-Tools": "litellm_user_delete,litellm_key_list" })
      expect(names).toEqual(["litellm_key_list"])
      const error = expectFailure(yield* call(client, "litellm_user_delete", { user_ids: ["alice"] }), 403)
      expect(error.message).toContain("LITELLM_MCP_READ_ONLY=true")
    }))
})

layer(TestEnvLive({ env: { LITELLM_MCP_TOOLSETS: "keys" } }))("LITELLM_MCP_TOOLSETS=keys", (it) => {
  it.scoped("exposes the keys toolset only, with litellm_whoami", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const { client, names } = yield* listTools(env.adminKey)
      expect(names).toEqual(KEYS)
      const error = expectFailure(yield* call(client, "litellm_user_list"), 403)
      expect(error.message).toContain("LITELLM_MCP_TOOLSETS")
    }))
})

layer(TestEnvLive({ env: { LITELLM_MCP_TOOLSETS: "spend", LITELLM_MCP_TOOLS: "litellm_user_info, litellm_key_info" } }))(
  "LITELLM_MCP_TOOLSETS and LITELLM_MCP_TOOLS together",
  (it) => {
    it.scoped("add up", () =>
      Effect.gen(function*() {
        const env = yield* TestEnv
        const { names } = yield* listTools(env.adminKey)
        expect(names).toEqual([
          "litellm_key_info",
          "litellm_usage_daily_activity",
          "litellm_usage_spend_logs",
          "litellm_user_info",
          "litellm_whoami"
        ])
      }))
  }
)

layer(TestEnvLive())("narrowing headers on a server that allows everything", (it) => {
  it.scoped("X-MCP-Tools takes tool and toolset names (a toolset brings litellm_whoami); X-MCP-Readonly keeps read-only tools", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      expect((yield* listTools(env.adminKey, { "X-MCP-Tools": "users" })).names).toEqual(USERS)
      expect((yield* listTools(env.adminKey, { "X-MCP-Readonly": "true" })).names).toEqual(READ_ONLY)
      const both = yield* listTools(env.adminKey, { "X-MCP-Tools": "users,litellm_key_list", "X-MCP-Readonly": "true" })
      expect(both.names).toEqual(["litellm_key_list", "litellm_user_info", "litellm_user_list", "litellm_whoami"])
      expect((yield* listTools(env.adminKey, { "X-MCP-Tools": "litellm_key_list" })).names).toEqual(["litellm_key_list"])
      const error = expectFailure(yield* call(both.client, "litellm_user_create", {}), 403)
      expect(error.message).toContain("X-MCP-Readonly")
      expect((yield* listTools(env.adminKey)).names).toHaveLength(Tools.all.length)
    }))
})

// The listing an agent pays for in every context: the model-facing part (what clients put in the
// model's context) and the whole, as an admin is listed them.
const MODEL_FACING_BUDGET = 24_000
const WHOLE_BUDGET = 36_000

layer(TestEnvLive({ defaultToolsets: true }))("a server whose operator names no toolset", (it) => {
  it.scoped("lists the caller, the route tier, keys and spend, within the listing budget", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const { client, names } = yield* listTools(env.adminKey)
      expect(names).toEqual(DEFAULT_TOOLS)
      const { tools } = yield* Effect.promise(() => client.listTools())
      const modelFacing = tools.map((t) => ({ name: t.name, title: t.title, description: t.description, inputSchema: t.inputSchema }))
      expect(Buffer.byteLength(JSON.stringify(modelFacing))).toBeLessThanOrEqual(MODEL_FACING_BUDGET)
      expect(Buffer.byteLength(JSON.stringify({ tools }))).toBeLessThanOrEqual(WHOLE_BUDGET)
    }))

  it.scoped("a tool of another toolset, called by name, is a 403 naming the toolset to add", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      const client = yield* connect(env.adminKey)
      const error = expectFailure(yield* call(client, "litellm_team_list"), 403)
      expect(error.message).toContain("add teams to LITELLM_MCP_TOOLSETS")
      expect(env.standIn.requests.filter((r) => r.path.includes("team"))).toEqual([])
    }))

  it.scoped("the route tier still reaches what the hidden toolsets would", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.seedTeam({ team_id: "t-1", team_alias: "Research" })
      const client = yield* connect(env.adminKey)
      const read = expectSuccess(yield* call(client, "litellm_route_read", { method: "GET", path: "/team/info", query: { team_id: "t-1" } }))
      expect(read).toMatchObject({ route: "GET /team/info", answer: { team_id: "t-1" } })
      // Where a hidden toolset has the curated tool, the row says which: the operator may list it.
      const found = expectSuccess(yield* call(client, "litellm_route_search", { query: "organization new" })) as {
        routes: Array<{ path: string; tool?: string; curated?: string }>
      }
      expect(found.routes.find((r) => r.path === "/organization/new")).toMatchObject({
        curated: "litellm_org_create (toolset orgs), not enabled here"
      })
      expect(found.routes.find((r) => r.path === "/organization/new")).not.toHaveProperty("tool")
    }))
})

describe("operator settings", () => {
  it.effect.each([
    [{ LITELLM_MCP_TOOLSETS: "users,billing" }, "LITELLM_MCP_TOOLSETS", "billing"],
    [{ LITELLM_MCP_TOOLS: "litellm_user_nuke" }, "LITELLM_MCP_TOOLS", "litellm_user_nuke"]
  ])("an unknown name in %j stops start-up naming it", ([env, variable, name]) =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Effect.provide(ToolPolicy, ToolPolicy.Default.pipe(Layer.provide(Tools.layer))).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(String(exit)).toContain(variable)
      expect(String(exit)).toContain(name)
    }))
})
