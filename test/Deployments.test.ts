import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { RELEASES } from "../src/sandbox/Sandbox.js"
import { call, connect, expectFailure, expectOnlyToken, expectSuccess, TestEnv, InProcessEnv } from "./support/Harness.js"

const PROVIDER_SECRET = "sk-provider-secret-openai-1234"

const setup = Effect.gen(function*() {
  const env = yield* TestEnv
  env.standIn.reset()
  env.standIn.enterprise = false
  env.standIn.storeModelInDb = true
  env.standIn.models.length = 0
  env.standIn.teams.clear()
  env.standIn.models.push(
    {
      model_name: "gpt-4o",
      litellm_params: { model: "openai/gpt-4o", api_key: PROVIDER_SECRET, rpm: 100 },
      model_info: { id: "db-1", mode: "chat", db_model: true }
    },
    {
      model_name: "claude-sonnet",
      litellm_params: { model: "anthropic/claude-sonnet-4" },
      model_info: { id: "config-1", db_model: false }
    }
  )
  return { env, client: yield* connect(env.adminKey) }
})

type Deployment = { model_name: string; litellm_params: Record<string, unknown>; model_info: Record<string, unknown> }

layer(InProcessEnv())("deployment tools", (it) => {
  it.scoped("litellm_model_info: one deployment, credentials redacted; an unknown id is a 404, not LiteLLM's 400", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const d = expectSuccess(yield* call(client, "litellm_model_info", { model_id: "db-1" })) as Deployment
      expect(d.litellm_params).toEqual({ model: "openai/gpt-4o", api_key: "[redacted]", rpm: 100 })
      expect(Object.fromEntries(env.standIn.requestsTo("/model/info")[0]!.query)).toEqual({ litellm_model_id: "db-1" })
      const missing = expectFailure(yield* call(client, "litellm_model_info", { model_id: "ghost" }), 404)
      expect(missing.message).toContain("ghost")
      expectFailure(yield* call(client, "litellm_model_info", { model_id: "a/b" }), 400)
      expectOnlyToken(env.standIn, env.adminKey)
    }))

  it.scoped("litellm_model_create: the deployment as LiteLLM serves it, never the encrypted echo", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const created = expectSuccess(yield* call(client, "litellm_model_create", {
        model_name: "gpt-4o-mini",
        litellm_params: { model: "openai/gpt-4o-mini", api_key: PROVIDER_SECRET },
        model_info: { id: "new-1", mode: "chat" }
      })) as { model_id: string; deployment: Deployment }
      expect(created.model_id).toBe("new-1")
      expect(created.deployment.litellm_params).toEqual({ model: "openai/gpt-4o-mini", api_key: "[redacted]" })
      expect(JSON.stringify(created)).not.toContain("bmFjbDo")
      expect(env.standIn.models.map((m) => m.model_info.id)).toContain("new-1")
      // Read back after the write: /model/new, then /model/info.
      expect(env.standIn.requests.map((r) => `${r.method} ${r.path}`).filter((r) => r.includes("/model/"))).toEqual([
        "POST /model/new",
        "GET /model/info"
      ])
    }))

  it.scoped("litellm_model_create without litellm_params.model is refused before anything is sent", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const error = expectFailure(yield* call(client, "litellm_model_create", { model_name: "x", litellm_params: { api_base: "http://h" } }), 400)
      expect(error.message).toContain("litellm_params.model")
      expect(env.standIn.requestsTo("/model/new")).toEqual([])
    }))

  it.scoped("a proxy without STORE_MODEL_IN_DB: create, update and delete say so (501) and change nothing", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.storeModelInDb = false
      for (
        const [tool, args] of [
          ["litellm_model_create", { model_name: "m", litellm_params: { model: "openai/m" } }],
          ["litellm_model_update", { model_id: "db-1", litellm_params: { rpm: 5 } }],
          ["litellm_model_delete", { model_id: "db-1" }]
        ] as const
      ) {
        const error = expectFailure(yield* call(client, tool, args), 501)
        expect({ tool, message: error.message }).toMatchObject({ tool, message: expect.stringContaining("STORE_MODEL_IN_DB") })
      }
      expect(env.standIn.models.map((m) => m.model_info.id)).toEqual(["db-1", "config-1"])
      expect(env.standIn.models[0]!.litellm_params["rpm"]).toBe(100)
    }))

  it.scoped("litellm_model_update: only the fields given change, read back; null is refused, as LiteLLM keeps the field", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const updated = expectSuccess(yield* call(client, "litellm_model_update", {
        model_id: "db-1",
        litellm_params: { rpm: 500 },
        model_info: { mode: "completion" }
      })) as { deployment: Deployment; not_applied?: Array<string> }
      expect(updated.deployment.litellm_params).toEqual({ model: "openai/gpt-4o", api_key: "[redacted]", rpm: 500 })
      expect(updated.deployment.model_info["mode"]).toBe("completion")
      expect(updated.not_applied).toBeUndefined()
      expect(env.standIn.models[0]!.litellm_params["api_key"]).toBe(PROVIDER_SECRET)
      expect(env.standIn.requestsTo("/model/db-1/update")[0]!.body).toEqual({ litellm_params: { rpm: 500 }, model_info: { mode: "completion", id: "db-1" } })

      env.standIn.reset()
      const error = expectFailure(yield* call(client, "litellm_model_update", { model_id: "db-1", litellm_params: { rpm: null } }), 400)
      expect(error.message).toContain("litellm_params.rpm")
      expect(env.standIn.requests).toEqual([])
      expectFailure(yield* call(client, "litellm_model_update", { model_id: "db-1" }), 400)
    }))

  it.scoped("litellm_model_update names in not_applied what LiteLLM answered success for but did not keep", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.injectFault("/model/db-1/update", { kind: "status", status: 200, body: JSON.stringify({ model_id: "db-1" }) })
      const updated = expectSuccess(yield* call(client, "litellm_model_update", {
        model_id: "db-1",
        litellm_params: { rpm: 7, api_key: "sk-new-provider-key-5678" }
      })) as { not_applied: Array<string>; note: string }
      // The secret cannot be compared (it reads back redacted); the rest can.
      expect(updated.not_applied).toEqual(["litellm_params.rpm"])
      expect(updated.note).toContain("#35842")
    }))

  it.scoped("a config-file deployment cannot be updated or deleted: said before anything is written", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      for (const [tool, args] of [["litellm_model_update", { model_id: "config-1", model_name: "c" }], ["litellm_model_delete", { model_id: "config-1" }]] as const) {
        const error = expectFailure(yield* call(client, tool, args), 501)
        expect(error.message).toContain("config file")
      }
      expect(env.standIn.requests.filter((r) => r.method !== "GET")).toEqual([])
    }))

  it.scoped("litellm_model_delete: gone from the router; an unknown id is a 404 before any write", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const done = expectSuccess(yield* call(client, "litellm_model_delete", { model_id: "db-1" })) as { message: string }
      expect(done.message).toContain("deleted successfully")
      expect(env.standIn.models.map((m) => m.model_info.id)).toEqual(["config-1"])
      expect(env.standIn.requestsTo("/model/delete")[0]!.body).toEqual({ id: "db-1" })
      expectFailure(yield* call(client, "litellm_model_delete", { model_id: "db-1" }), 404)
      expect(env.standIn.requestsTo("/model/delete")).toHaveLength(1)
    }))

  it.scoped("team models: LiteLLM Enterprise only (501); with it, a team admin adds one and the team gets its name", () =>
    Effect.gen(function*() {
      const { env } = yield* setup
      const teamAdmin = env.standIn.addCaller("internal_user", "tadmin", [{ team_id: "t-1", role: "admin" }])
      const client = yield* connect(teamAdmin)
      const args = { model_name: "team-gpt", litellm_params: { model: "openai/gpt-4o" }, model_info: { id: "team-1", team_id: "t-1" } }
      expectFailure(yield* call(client, "litellm_model_create", args), 501)
      env.standIn.enterprise = true
      const created = expectSuccess(yield* call(client, "litellm_model_create", args)) as { deployment: Deployment }
      expect(created.deployment.model_info["team_public_model_name"]).toBe("team-gpt")
      expect(env.standIn.teams.get("t-1")!["models"]).toEqual(["team-gpt"])
      expectSuccess(yield* call(client, "litellm_model_delete", { model_id: "team-1" }))
      expect(env.standIn.teams.get("t-1")!["models"]).toEqual([])
    }))

  it.scoped("roles: an internal user or a viewer is refused a model of the proxy's, with LiteLLM's reason", () =>
    Effect.gen(function*() {
      const { env } = yield* setup
      const internal = yield* connect(env.standIn.addCaller("internal_user", "ivan"))
      const refused = expectFailure(yield* call(internal, "litellm_model_update", { model_id: "db-1", litellm_params: { rpm: 1 } }), 403)
      expect(refused.message).toContain("PROXY_ADMIN")
      const viewer = yield* connect(env.standIn.addCaller("proxy_admin_viewer", "vera"))
      expect(expectSuccess(yield* call(viewer, "litellm_model_info", { model_id: "db-1" }))).toMatchObject({ model_name: "gpt-4o" })
      expectFailure(yield* call(viewer, "litellm_model_delete", { model_id: "db-1" }), 403)
      expect(env.standIn.models.map((m) => m.model_info.id)).toEqual(["db-1", "config-1"])
      expect(env.standIn.models[0]!.litellm_params["rpm"]).toBe(100)
    }))

  it.scoped.each(RELEASES)("on %s: create, update and delete as every release read answers them", (release) =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.release = release
      expectSuccess(yield* call(client, "litellm_model_create", { model_name: "r", litellm_params: { model: "openai/r" }, model_info: { id: "r-1" } }))
      const updated = expectSuccess(yield* call(client, "litellm_model_update", { model_id: "r-1", model_name: "r2" })) as { deployment: Deployment }
      expect(updated.deployment.model_name).toBe("r2")
      expectSuccess(yield* call(client, "litellm_model_delete", { model_id: "r-1" }))
      expect(env.standIn.models.map((m) => m.model_info.id)).toEqual(["db-1", "config-1"])
    }))
})
