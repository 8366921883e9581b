import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import {
  call,
  connect,
  expectFailure,
  expectNoSecretsLogged,
  expectOnlyToken,
  expectSuccess,
  TestEnv,
  InProcessEnv
} from "./support/Harness.js"

const setup = Effect.gen(function*() {
  const env = yield* TestEnv
  env.standIn.reset()
  env.standIn.users.clear()
  env.standIn.keys.clear()
  env.standIn.seedUser({ user_id: "alice", user_email: "Alice@Example.com", user_role: "proxy_admin", teams: ["t1"] })
  env.standIn.seedUser({ user_id: "alice-2", user_email: "alice@example.com.au" })
  env.standIn.seedUser({ user_id: "bob", user_email: "bob@example.com", teams: ["t1"] })
  env.standIn.seedKey({ user_id: "alice", key_alias: "alice-key" })
  return { env, client: yield* connect(env.adminKey) }
})

layer(InProcessEnv())("user tools", (it) => {
  it.scoped("litellm_user_list sends every filter under LiteLLM's names, user_ids comma-joined", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const data = expectSuccess(yield* call(client, "litellm_user_list", {
        user_ids: ["alice", "bob"],
        role: "internal_user",
        team: "t1",
        page: 1,
        page_size: 100,
        sort_by: "user_email",
        sort_order: "desc"
      })) as { users: Array<{ user_id: string; key_count: number }>; total: number }
      expect(data.users.map((u) => u.user_id)).toEqual(["bob"])
      expect(data.total).toBe(1)
      const [request] = env.standIn.requestsTo("/user/list")
      expect(Object.fromEntries(request!.query)).toEqual({
        user_ids: "alice,bob",
        role: "internal_user",
        team: "t1",
        page: "1",
        page_size: "100",
        sort_by: "user_email",
        sort_order: "desc"
      })
      expectOnlyToken(env.standIn, env.adminKey)
    }))

  it.scoped("litellm_user_list keeps LiteLLM's extra fields and refuses out-of-range pages before calling", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const data = expectSuccess(yield* call(client, "litellm_user_list", {})) as {
        users: Array<Record<string, unknown>>
        total_pages: number
      }
      expect(data.users.find((u) => u["user_id"] === "alice")).toMatchObject({ key_count: 1, teams: ["t1"] })
      expect(data.total_pages).toBe(1)
      env.standIn.reset()
      const error = expectFailure(yield* call(client, "litellm_user_list", { page_size: 101, page: 0 }), 400)
      expect(error.message).toContain("page_size")
      expect(error.message).toContain("page")
      expect(error.detail).toEqual(expect.arrayContaining([expect.objectContaining({ path: "page_size" })]))
      const comma = expectFailure(yield* call(client, "litellm_user_list", { user_ids: ["a,b"] }), 400)
      expect(comma.message).toContain("user_ids[0]")
      expect(env.standIn.requests).toHaveLength(0)
    }))

  it.scoped("litellm_user_create creates a user and returns the auto-created key once", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const data = expectSuccess(yield* call(client, "litellm_user_create", {
        user_id: "carol",
        user_email: "carol@example.com",
        user_role: "internal_user_viewer",
        teams: [{ team_id: "t1", user_role: "admin" }],
        max_budget: 25,
        budget_duration: "30d",
        models: ["gpt-4o"],
        metadata: { dept: "research" },
        key_alias: "carol-key"
      })) as { user_id: string; key: string }
      expect(data.user_id).toBe("carol")
      expect(data.key).toMatch(/^sk-/)
      env.standIn.secrets.add(data.key)
      expect(env.standIn.users.get("carol")).toMatchObject({ user_role: "internal_user_viewer", max_budget: 25 })
      const [request] = env.standIn.requestsTo("/user/new")
      expect(request!.body).toMatchObject({ user_id: "carol", teams: [{ team_id: "t1", user_role: "admin" }] })
    }))

  it.scoped("litellm_user_create passes LiteLLM's 409 for a duplicate email or id on", () =>
    Effect.gen(function*() {
      const { client } = yield* setup
      const error = expectFailure(yield* call(client, "litellm_user_create", { user_email: "BOB@example.com" }), 409)
      expect(error.message).toBe("User with email BOB@example.com already exists")
      expect(error.detail).toMatchObject({ error: { code: "409" } })
      expectFailure(yield* call(client, "litellm_user_create", { user_id: "alice" }), 409)
    }))

  it.scoped("litellm_user_create refuses a role LiteLLM would refuse, without calling it", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const error = expectFailure(yield* call(client, "litellm_user_create", { user_role: "team" }), 400)
      expect(error.message).toContain("user_role")
      expect(env.standIn.requests).toHaveLength(0)
    }))

  it.scoped("litellm_user_update by id confirms the user exists, then updates", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const data = expectSuccess(yield* call(client, "litellm_user_update", { user_id: "bob", max_budget: 50 }))
      // The user itself, not LiteLLM's {user_id, data: …}.
      expect(data).toMatchObject({ user_id: "bob", max_budget: 50 })
      expect(data).not.toHaveProperty("data")
      expect(env.standIn.users.get("bob")!["max_budget"]).toBe(50)
      expect(env.standIn.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /user/info", "POST /user/update"])
    }))

  it.scoped("litellm_user_update never upserts: an unknown user is 404 and nothing is created", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      expectFailure(yield* call(client, "litellm_user_update", { user_id: "ghost", max_budget: 1 }), 404)
      expectFailure(yield* call(client, "litellm_user_update", { user_email: "ghost@example.com", max_budget: 1 }), 404)
      expect(env.standIn.requestsTo("/user/update")).toHaveLength(0)
      expect(env.standIn.users.size).toBe(3)
    }))

  it.scoped("litellm_user_update by email resolves the exact user and sends its id", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      expectSuccess(yield* call(client, "litellm_user_update", { user_email: "alice@example.com", user_alias: "Al" }))
      expect(env.standIn.users.get("alice")!["user_alias"]).toBe("Al")
      expect(env.standIn.users.get("alice-2")!["user_alias"]).toBeNull()
      expect(env.standIn.requestsTo("/user/update")[0]!.body).toEqual({ user_id: "alice", user_alias: "Al" })
    }))

  it.scoped("litellm_user_update refuses an empty list LiteLLM would silently ignore", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const error = expectFailure(yield* call(client, "litellm_user_update", { user_id: "bob", models: [] }), 400)
      expect(error.message).toContain("models")
      expectFailure(yield* call(client, "litellm_user_update", { max_budget: 5 }), 400)
      expect(env.standIn.requests).toHaveLength(0)
    }))

  it.scoped("litellm_user_delete turns LiteLLM's bare count into an object", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const data = expectSuccess(yield* call(client, "litellm_user_delete", { user_ids: ["alice", "bob"] }))
      expect(data).toEqual({ deleted_count: 2, user_ids: ["alice", "bob"] })
      expect(env.standIn.users.has("alice")).toBe(false)
      expect(env.standIn.keys.size).toBe(0)
    }))

  it.scoped("litellm_user_delete: an unknown id changes nothing, not even team memberships; [] is refused", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.seedTeam({ team_id: "t-del", members_with_roles: [{ user_id: "alice", role: "user" }] })
      const error = expectFailure(yield* call(client, "litellm_user_delete", { user_ids: ["alice", "ghost"] }), 404)
      expect(error.message).toBe("No user has the id ghost; nothing was deleted.")
      expect(env.standIn.requestsTo("/user/delete")).toHaveLength(0)
      expect(env.standIn.users.has("alice")).toBe(true)
      expect(env.standIn.teams.get("t-del")!["members_with_roles"]).toEqual([{ user_id: "alice", role: "user" }])
      expectFailure(yield* call(client, "litellm_user_delete", { user_ids: [] }), 400)
      expectFailure(yield* call(client, "litellm_user_delete", {}), 400)
    }))

  it.scoped("litellm_user_info by id", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const data = expectSuccess(yield* call(client, "litellm_user_info", { user_id: "alice" })) as {
        user_info: { user_email: string }
        keys: Array<{ token: string }>
      }
      expect(data.user_info.user_email).toBe("Alice@Example.com")
      expect(data.keys[0]!.token).toMatch(/^[0-9a-f]{64}$/)
      expect(env.standIn.requestsTo("/user/info")[0]!.query.get("user_id")).toBe("alice")
    }))

  it.scoped("litellm_user_info by email matches exactly, case-insensitively, among substring hits", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const data = expectSuccess(yield* call(client, "litellm_user_info", { user_email: "ALICE@example.com" })) as {
        user_id: string
      }
      expect(data.user_id).toBe("alice")
      const [list] = env.standIn.requestsTo("/user/list")
      expect(list!.query.get("user_email")).toBe("ALICE@example.com")
    }))

  it.scoped("litellm_user_info by email: none is 404, several are 409 with the candidates", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      expectFailure(yield* call(client, "litellm_user_info", { user_email: "nobody@example.com" }), 404)
      env.standIn.seedUser({ user_id: "alice-dup", user_email: "alice@EXAMPLE.com" })
      const error = expectFailure(yield* call(client, "litellm_user_info", { user_email: "alice@example.com" }), 409)
      expect(error.detail).toEqual([
        expect.objectContaining({ user_id: expect.any(String) }),
        expect.objectContaining({ user_id: expect.any(String) })
      ])
    }))

  it.scoped("litellm_user_info never calls /user/info without user_id", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      expectFailure(yield* call(client, "litellm_user_info", {}), 400)
      expectFailure(yield* call(client, "litellm_user_info", { user_id: "" }), 400)
      expectFailure(yield* call(client, "litellm_user_info", { user_id: "alice", user_email: "a@b.c" }), 400)
      expectFailure(yield* call(client, "litellm_user_info", { user_id: "ghost" }), 404)
      for (const r of env.standIn.requestsTo("/user/info")) expect(r.query.get("user_id")).not.toBeNull()
    }))

  it.scoped("unknown arguments are refused, not dropped", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const error = expectFailure(yield* call(client, "litellm_user_list", { user_emial: "x" }), 400)
      expect(error.message).toContain("user_emial")
      expect(env.standIn.requests).toHaveLength(0)
    }))

  it.scoped("a non-admin key gets LiteLLM's own refusal, passed through: the route check's 401, or the handler's 403 where /user/list is self-managed", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      for (const [release, status, text] of [
        ["legacy", 401, "Only proxy admin"],
        ["current", 403, "Only proxy admins and organization admins can list users."]
      ] as const) {
        env.standIn.reset()
        env.standIn.release = release
        const { raw } = env.standIn.seedKey({ user_id: "bob" })
        const client = yield* connect(raw)
        const error = expectFailure(yield* call(client, "litellm_user_list", {}), status)
        expect(error.message).toContain(text)
        expectOnlyToken(env.standIn, raw)
      }
    }))

  it.effect("nothing secret was logged", () => Effect.map(TestEnv, expectNoSecretsLogged))
})
