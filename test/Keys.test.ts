import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import {
  call,
  connect,
  expectFailure,
  expectOnlyToken,
  expectSuccess,
  TestEnv,
  InProcessEnv
} from "./support/Harness.js"
import { proxyError } from "./support/StandIn.js"

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex")

const setup = Effect.gen(function*() {
  const env = yield* TestEnv
  env.standIn.reset()
  env.standIn.keys.clear()
  env.standIn.users.clear()
  env.standIn.seedUser({ user_id: "alice" })
  env.standIn.seedUser({ user_id: "bob" })
  const ci = env.standIn.seedKey({ key_alias: "ci-bot", user_id: "alice", team_id: "t1", max_budget: 10 })
  const dev = env.standIn.seedKey({ key_alias: "dev", user_id: "bob" })
  return { env, ci, dev, client: yield* connect(env.adminKey) }
})

layer(InProcessEnv())("key tools", (it) => {
  it.scoped("a bad argument's error says what the field takes: every allowed value, the bound in words, never its description", () =>
    Effect.gen(function*() {
      const { client } = yield* setup
      const problem = (envelope: Parameters<typeof expectFailure>[0]) => expectFailure(envelope, 400).message
      expect(problem(yield* call(client, "litellm_key_generate", { max_budget: -3 }))).toBe("Invalid arguments: max_budget: must be 0 or more")
      expect(problem(yield* call(client, "litellm_usage_spend_logs", { status_filter: "bad" })))
        .toBe("Invalid arguments: status_filter: Expected one of \"success\", \"failure\", actual \"bad\"")
      expect(problem(yield* call(client, "litellm_key_list", { size: 500 }))).toBe("Invalid arguments: size: must be from 1 to 100")
      expect(problem(yield* call(client, "litellm_key_list", { user_id: "" }))).toBe("Invalid arguments: user_id: must not be empty")
    }))

  it.scoped("a LiteLLM message that names a route also names the tool that calls it; a refused spend-log read points to daily activity", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.injectFault("/key/list", proxyError(401, "Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin.", "auth_error"))
      expect(expectFailure(yield* call(client, "litellm_key_list"), 401).message)
        .toBe("Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin. (with this server: litellm_key_unblock calls /key/unblock)")
      env.standIn.injectFault("/spend/logs/v2", {
        kind: "status",
        status: 403,
        body: JSON.stringify({ detail: "Virtual key is not allowed to call this route. Only allowed to call routes: ['/key/list']. Tried to call route: /spend/logs/v2" })
      })
      expect(expectFailure(yield* call(client, "litellm_usage_spend_logs"), 403).message).toContain("litellm_usage_daily_activity")
    }))

  it.scoped("an update that only names what to update is a 400 saying so, never a success that changed nothing", () =>
    Effect.gen(function*() {
      const { client, env, ci } = yield* setup
      env.standIn.seedTeam({ team_id: "t1" })
      for (const [tool, args, hint] of [
        ["litellm_key_update", { key_alias: "ci-bot" }, "to rename, give key and the new key_alias"],
        ["litellm_key_update", { key: ci.raw }, "to rename"],
        ["litellm_user_update", { user_id: "alice" }, "to change the email, give user_id and the new user_email"],
        ["litellm_user_update", { user_email: "a@example.com" }, "to change the email"],
        ["litellm_team_update", { team_id: "t1" }, "besides team_id"]
      ] as const) {
        const error = expectFailure(yield* call(client, tool, args), 400)
        expect({ tool, message: error.message }).toEqual({ tool, message: expect.stringContaining(`nothing to change; `) })
        expect(error.message).toContain(hint)
      }
      expect(env.standIn.requests.filter((r) => r.method === "POST")).toHaveLength(0)
      // A rename names both, and is a change.
      expect(expectSuccess(yield* call(client, "litellm_key_update", { key: ci.raw, key_alias: "ci-bot-2" }))).toMatchObject({ key_alias: "ci-bot-2" })
    }))

  it.scoped("litellm_key_list returns full objects by default and sends the filters", () =>
    Effect.gen(function*() {
      const { client, env, ci } = yield* setup
      const data = expectSuccess(yield* call(client, "litellm_key_list", {
        user_id: "alice",
        team_id: "t1",
        size: 100,
        page: 1,
        sort_by: "created_at",
        sort_order: "asc",
        expand: ["user"]
      })) as { keys: Array<{ token: string; key_alias: string }>; total_count: number }
      expect(data.keys).toEqual([expect.objectContaining({ token: ci.row["token"], key_alias: "ci-bot" })])
      const query = env.standIn.requestsTo("/key/list")[0]!.query
      expect(query.get("return_full_object")).toBe("true")
      expect(query.getAll("expand")).toEqual(["user"])
      expect(query.get("size")).toBe("100")
      expectOnlyToken(env.standIn, env.adminKey)
    }))

  it.scoped("litellm_key_list: hashes only on request; a raw key_hash is hashed first; size over 100 refused", () =>
    Effect.gen(function*() {
      const { client, env, dev } = yield* setup
      const hashes = expectSuccess(yield* call(client, "litellm_key_list", { return_full_object: false })) as {
        keys: Array<string>
      }
      expect(hashes.keys.every((k) => /^[0-9a-f]{64}$/.test(k))).toBe(true)
      const one = expectSuccess(yield* call(client, "litellm_key_list", { key_hash: dev.raw })) as { keys: Array<unknown> }
      expect(one.keys).toHaveLength(1)
      expect(env.standIn.requestsTo("/key/list")[1]!.query.get("key_hash")).toBe(sha256(dev.raw))
      expectFailure(yield* call(client, "litellm_key_list", { size: 101 }), 400)
    }))

  it.scoped("litellm_key_generate returns the new raw key once, and the key works", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const data = expectSuccess(yield* call(client, "litellm_key_generate", {
        key_alias: "new-one",
        duration: "30d",
        models: ["gpt-4o"],
        max_budget: 5,
        budget_duration: "1mo",
        user_id: "alice",
        team_id: "t1",
        tpm_limit: 1000,
        rpm_limit: 10,
        metadata: { purpose: "test" },
        key_type: "llm_api",
        blocked: false
      })) as { key: string; token: string }
      expect(data.key).toMatch(/^sk-/)
      env.standIn.secrets.add(data.key)
      expect(data.token).toBe(sha256(data.key))
      expect(env.standIn.keys.get(sha256(data.key))).toMatchObject({ key_alias: "new-one", max_budget: 5 })
    }))

  it.scoped("litellm_key_generate: an owner that does not exist is 404 and no key is made; tags without Enterprise are 501", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const orphan = expectFailure(yield* call(client, "litellm_key_generate", { user_id: "nobody" }), 404)
      expect(orphan.message).toBe("No user has the id nobody.")
      expect(env.standIn.requestsTo("/key/generate")).toHaveLength(0)
      const moved = expectFailure(yield* call(client, "litellm_key_update", { key_alias: "dev", user_id: "nobody" }), 404)
      expect(moved.message).toBe("No user has the id nobody.")
      expect(env.standIn.requestsTo("/key/update")).toHaveLength(0)
      env.standIn.enterprise = false
      const tags = expectFailure(yield* call(client, "litellm_key_generate", { tags: ["team-a"] }), 501)
      expect(tags.message).toContain("Enterprise")
    }))

  it.scoped("litellm_key_generate: custom key must start sk-; a duplicate alias is LiteLLM's 400", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      expectFailure(yield* call(client, "litellm_key_generate", { key: "pk-123" }), 400)
      expect(env.standIn.requests).toHaveLength(0)
      const dup = expectFailure(yield* call(client, "litellm_key_generate", { key_alias: "dev" }), 400)
      expect(dup.message).toContain("Key with alias 'dev' already exists")
      const custom = "sk-custom-key-for-test-0001"
      env.standIn.secrets.add(custom)
      const data = expectSuccess(yield* call(client, "litellm_key_generate", { key: custom })) as { key: string }
      expect(data.key).toBe(custom)
    }))

  it.scoped("litellm_key_update by raw key sends the hash, never the raw key", () =>
    Effect.gen(function*() {
      const { client, env, ci } = yield* setup
      const data = expectSuccess(yield* call(client, "litellm_key_update", {
        key: ci.raw,
        max_budget: null,
        duration: null,
        key_alias: "ci-bot-renamed"
      })) as { token: string; key_alias: string }
      // The hash is `token` in every result; `key` is only ever a raw key, returned once.
      expect(data.token).toBe(ci.row["token"])
      expect(data).not.toHaveProperty("key")
      expect(data.key_alias).toBe("ci-bot-renamed")
      expect(env.standIn.requestsTo("/key/update")[0]!.body).toEqual({
        key: ci.row["token"],
        key_alias: "ci-bot-renamed",
        max_budget: null,
        // LiteLLM ignores a null duration: "-1" is its "never expires".
        duration: "-1"
      })
      expect(ci.row["max_budget"]).toBeNull()
      expect(ci.row["expires"]).toBeNull()
    }))

  it.scoped("litellm_key_update by alias resolves the hash through /key/list first", () =>
    Effect.gen(function*() {
      const { client, env, dev } = yield* setup
      expectSuccess(yield* call(client, "litellm_key_update", { key_alias: "dev", rpm_limit: 7 }))
      expect(env.standIn.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /key/list", "POST /key/update"])
      expect(env.standIn.requestsTo("/key/list")[0]!.query.get("key_alias")).toBe("dev")
      expect(env.standIn.requestsTo("/key/update")[0]!.body).toEqual({ key: dev.row["token"], rpm_limit: 7 })
      expect(dev.row["rpm_limit"]).toBe(7)
    }))

  it.scoped("litellm_key_update: unknown alias or key is 404 with a truthful message", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const byAlias = expectFailure(yield* call(client, "litellm_key_update", { key_alias: "nope", rpm_limit: 1 }), 404)
      expect(byAlias.message).toBe("No key that you can manage has the alias nope.")
      expect(env.standIn.requestsTo("/key/update")).toHaveLength(0)
      const byKey = expectFailure(yield* call(client, "litellm_key_update", { key: "a".repeat(64), rpm_limit: 1 }), 404)
      expect(byKey.message).toBe("No key matches the given key.")
      expectFailure(yield* call(client, "litellm_key_update", { key: "not-a-key", rpm_limit: 1 }), 400)
      expectFailure(yield* call(client, "litellm_key_update", { rpm_limit: 1 }), 400)
    }))

  it.scoped("a bad argument is one problem per field, and a misspelt one names the closest arguments", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const wrongType = expectFailure(yield* call(client, "litellm_key_update", { key_alias: "dev", max_budget: "twenty" }), 400)
      expect(wrongType.detail).toEqual([{ path: "max_budget", message: "Expected number or null, actual \"twenty\"" }])
      expect(wrongType.message).not.toContain("undefined")
      const misspelt = expectFailure(yield* call(client, "litellm_key_update", { key_alias: "dev", max_bugdet: 5 }), 400)
      expect(misspelt.message).toBe("Invalid arguments: max_bugdet: is not an argument of this tool; did you mean max_budget?")
      expect(env.standIn.requests).toHaveLength(0)
    }))

  it.scoped("litellm_key_update: several keys with one alias is 409", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      // LiteLLM enforces unique aliases; rows written around it (older releases, direct DB edits) need not be.
      env.standIn.seedKey({ key_alias: "dev" })
      const error = expectFailure(yield* call(client, "litellm_key_update", { key_alias: "dev", rpm_limit: 1 }), 409)
      expect(error.detail).toHaveLength(2)
      expect(env.standIn.requestsTo("/key/update")).toHaveLength(0)
    }))

  it.scoped("litellm_key_delete by keys and aliases together deletes all of them", () =>
    Effect.gen(function*() {
      const { client, env, ci, dev } = yield* setup
      const data = expectSuccess(yield* call(client, "litellm_key_delete", { keys: [ci.raw], key_aliases: ["dev"] })) as {
        deleted_keys: Array<string>
      }
      expect(data.deleted_keys).toEqual([ci.row["token"], dev.row["token"]])
      expect(env.standIn.keys.size).toBe(0)
      expect(JSON.stringify(env.standIn.requestsTo("/key/delete")[0]!.body)).not.toContain(ci.raw)
    }))

  it.scoped("litellm_key_delete is all or nothing: one missing key deletes none", () =>
    Effect.gen(function*() {
      const { client, env, ci } = yield* setup
      const error = expectFailure(yield* call(client, "litellm_key_delete", { keys: [ci.raw, "b".repeat(64)] }), 404)
      expect(error.message).toContain("nothing was deleted")
      expect(env.standIn.keys.size).toBe(2)
      expect(env.standIn.requestsTo("/key/delete")).toHaveLength(0)
      expectFailure(yield* call(client, "litellm_key_delete", {}), 400)
      expectFailure(yield* call(client, "litellm_key_delete", { keys: [] }), 400)
      expectFailure(yield* call(client, "litellm_key_delete", { key_aliases: [""] }), 400)
    }))

  it.scoped("litellm_key_delete passes LiteLLM's own 404 on, unwrapped", () =>
    Effect.gen(function*() {
      const { client, env, ci } = yield* setup
      env.standIn.injectFault("/key/delete", {
        kind: "status",
        status: 404,
        body: JSON.stringify({ error: { message: "{'error': 'No keys found'}", type: "internal_server_error", param: "None", code: "404" } })
      })
      const error = expectFailure(yield* call(client, "litellm_key_delete", { keys: [ci.raw] }), 404)
      expect(error.message).toBe("No keys found")
    }))

  it.scoped("litellm_key_info by raw key, by hash and by alias", () =>
    Effect.gen(function*() {
      const { client, env, ci } = yield* setup
      for (const args of [{ key: ci.raw }, { key: ci.row["token"] }, { key_alias: "ci-bot" }]) {
        const data = expectSuccess(yield* call(client, "litellm_key_info", args)) as {
          token: string
          info: { key_alias: string }
        }
        expect(data.token).toBe(ci.row["token"])
        expect(data).not.toHaveProperty("key")
        expect(data.info.key_alias).toBe("ci-bot")
      }
      for (const r of env.standIn.requestsTo("/key/info")) expect(r.query.get("key")).toBe(ci.row["token"])
      const aliasLookup = env.standIn.requestsTo("/key/list")[0]!.query
      expect(aliasLookup.get("key_alias")).toBe("ci-bot")
      expect(aliasLookup.get("return_full_object")).toBe("true")
    }))

  it.scoped("litellm_key_info: unknown key is LiteLLM's 404; both or neither identifier is 400", () =>
    Effect.gen(function*() {
      const { client } = yield* setup
      const error = expectFailure(yield* call(client, "litellm_key_info", { key: "c".repeat(64) }), 404)
      expect(error.message).toBe("Key not found in database")
      expectFailure(yield* call(client, "litellm_key_info", { key_alias: "nope" }), 404)
      expectFailure(yield* call(client, "litellm_key_info", {}), 400)
      expectFailure(yield* call(client, "litellm_key_info", { key: "sk-x1", key_alias: "dev" }), 400)
    }))

  it.scoped("an unknown caller key: LiteLLM's 401 reaches the agent with the key material redacted", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      const stranger = "sk-stranger-0123456789abcdef"
      env.standIn.secrets.add(stranger)
      const client = yield* connect(stranger)
      const error = expectFailure(yield* call(client, "litellm_key_list", {}), 401)
      expect(error.message).toContain("Invalid proxy server token passed")
      const text = JSON.stringify(error)
      expect(text).not.toMatch(/sk-[A-Za-z0-9.]/)
      expect(text).not.toContain(sha256(stranger))
      expectOnlyToken(env.standIn, stranger)
    }))

  it.scoped("litellm_key_block and litellm_key_unblock, by alias or raw key; LiteLLM gets the hash", () =>
    Effect.gen(function*() {
      const { client, env, ci } = yield* setup
      const blocked = expectSuccess(yield* call(client, "litellm_key_block", { key_alias: "ci-bot" })) as { blocked: boolean }
      expect(blocked.blocked).toBe(true)
      expect(ci.row["blocked"]).toBe(true)
      const unblocked = expectSuccess(yield* call(client, "litellm_key_unblock", { key: ci.raw })) as { blocked: boolean }
      expect(unblocked.blocked).toBe(false)
      expect(env.standIn.requestsTo("/key/block")[0]!.body).toEqual({ key: ci.row["token"] })
      expect(env.standIn.requestsTo("/key/unblock")[0]!.body).toEqual({ key: ci.row["token"] })
      expectFailure(yield* call(client, "litellm_key_block", { key_alias: "nope" }), 404)
      expectFailure(yield* call(client, "litellm_key_block", { key: "d".repeat(64) }), 404)
      expectFailure(yield* call(client, "litellm_key_unblock", {}), 400)
    }))

  it.scoped("litellm_key_regenerate without Enterprise rotates by copy (test/Rotation.test.ts has each step's failure)", () =>
    Effect.gen(function*() {
      const { client, env, dev } = yield* setup
      env.standIn.enterprise = false
      const data = expectSuccess(yield* call(client, "litellm_key_regenerate", { key_alias: "dev" })) as {
        key: string
        rotation: { method: string }
      }
      env.standIn.secrets.add(data.key)
      expect(data.rotation.method).toBe("copy")
      expect(env.standIn.keys.has(dev.row["token"] as string)).toBe(false)
    }))

  it.scoped("litellm_key_regenerate with Enterprise: a new raw key once, the old one gone", () =>
    Effect.gen(function*() {
      const { client, env, dev } = yield* setup
      env.standIn.enterprise = true
      try {
        const data = expectSuccess(yield* call(client, "litellm_key_regenerate", { key: dev.raw, grace_period: "24h" })) as {
          key: string
          key_alias: string
        }
        env.standIn.secrets.add(data.key)
        expect(data.key).toMatch(/^sk-/)
        expect(data.key).not.toBe(dev.raw)
        expect(data.key_alias).toBe("dev")
        expect(env.standIn.keys.has(String(dev.row["token"]))).toBe(false)
        expect(env.standIn.requestsTo("/key/regenerate")[0]!.body).toEqual({ key: dev.row["token"], grace_period: "24h" })
        expectFailure(yield* call(client, "litellm_key_regenerate", { key: "sk-x", new_key: "sk-short" }), 400)
      } finally {
        env.standIn.enterprise = false
      }
    }))

})
