import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { RELEASES } from "../src/sandbox/Sandbox.js"
import { proxyError } from "./support/StandIn.js"
import { call, connect, emptyProxy, expectFailure, expectSuccess, TestEnv, TestEnvLive } from "./support/Harness.js"

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex")
const DAY = 86_400_000

interface Rotated {
  readonly key: string
  readonly token: string
  readonly key_alias?: string | null
  readonly warning?: string
  readonly rotation: { readonly method: string; readonly old_token: string; readonly done: ReadonlyArray<string>; readonly note: string }
}

// The old key's settings, which the new key must carry.
const SETTINGS = {
  key_alias: "ci-bot",
  user_id: "alice",
  models: ["gpt-4o"],
  max_budget: 25,
  tpm_limit: 1000,
  budget_duration: "30d",
  metadata: { owner: "platform", tags: ["ci"] }
}

const setup = (release: (typeof RELEASES)[number] = "current") =>
  Effect.gen(function*() {
    const env = yield* TestEnv
    emptyProxy(env.standIn, release)
    env.standIn.enterprise = false
    env.standIn.seedUser({ user_id: "alice", user_email: "alice@example.com" })
    const expires = new Date(Date.now() + 10 * DAY).toISOString()
    const old = env.standIn.seedKey({ ...SETTINGS, expires })
    return { env, old, expires, client: yield* connect(env.adminKey) }
  })

/**
 * litellm_key_regenerate where LiteLLM's /key/regenerate is Enterprise-only (regenerate_key_fn's
 * premium check, before any change): the rotation is made of /key/info, /key/generate,
 * /key/delete or /key/update, and /key/update, and its answer says what exists at every step.
 */
layer(TestEnvLive({ timeoutMs: 3_000 }), { excludeTestServices: true })("rotation without Enterprise", (it) => {
  for (const release of RELEASES) {
    it.scoped(`${release}: the new key carries the old one's settings, the old one is deleted, the alias moves, in one call`, () =>
      Effect.gen(function*() {
        const { client, env, old, expires } = yield* setup(release)
        const data = expectSuccess(yield* call(client, "litellm_key_regenerate", { key_alias: "ci-bot" })) as Rotated
        env.standIn.secrets.add(data.key)
        expect(data.warning).toBeUndefined()
        expect(data.token).toBe(sha256(data.key))
        expect(data.key_alias).toBe("ci-bot")
        expect(data.rotation).toMatchObject({ method: "copy", old_token: old.row["token"] })
        expect(data.rotation.note).toContain("spend history stays")
        expect(env.standIn.keys.has(old.row["token"] as string)).toBe(false)
        const fresh = env.standIn.keys.get(data.token)!
        expect(fresh).toMatchObject(SETTINGS)
        expect(Math.abs(Date.parse(fresh["expires"] as string) - Date.parse(expires))).toBeLessThan(5_000)
        const sent = env.standIn.requests.map((r) => `${r.method} ${r.path}`)
        expect(sent.slice(sent.indexOf("POST /key/regenerate"))).toEqual([
          "POST /key/regenerate", "GET /key/info", "POST /key/generate", "POST /key/delete", "POST /key/update"
        ])
        // The raw key never travelled: the old key by its hash, the new one renamed by its hash.
        expect(env.standIn.requestsTo("/key/update")[0]!.body).toEqual({ key: data.token, key_alias: "ci-bot" })
      }))
  }

  it.scoped("with grace_period the old key keeps working until then, under a retired alias", () =>
    Effect.gen(function*() {
      const { client, env, old } = yield* setup()
      const data = expectSuccess(yield* call(client, "litellm_key_regenerate", { key: old.raw, grace_period: "1h" })) as Rotated
      env.standIn.secrets.add(data.key)
      const retired = env.standIn.keys.get(old.row["token"] as string)!
      expect(retired["key_alias"]).toMatch(/^ci-bot-retired-\d{8}T\d{6}$/)
      expect(Math.abs(Date.parse(retired["expires"] as string) - (Date.now() + 3_600_000))).toBeLessThan(5_000)
      expect(env.standIn.keys.get(data.token)!["key_alias"]).toBe("ci-bot")
    }))

  it.scoped("if the old key cannot be stopped, the new raw key is still returned, and the answer says the old one works", () =>
    Effect.gen(function*() {
      const { client, env, old } = yield* setup()
      env.standIn.injectFault("/key/delete", proxyError(500, "database unavailable"))
      const data = expectSuccess(yield* call(client, "litellm_key_regenerate", { key_alias: "ci-bot" })) as Rotated
      env.standIn.secrets.add(data.key)
      expect(data.key).toMatch(/^sk-/)
      expect(env.standIn.keys.has(data.token)).toBe(true)
      expect(env.standIn.keys.has(old.row["token"] as string)).toBe(true)
      expect(data.warning).toContain("The new key exists and works")
      expect(data.warning).toContain("database unavailable")
      expect(data.warning).toContain("The old key still works: stop it with litellm_key_delete (keys: [old_token])")
      expect(env.standIn.keys.get(data.token)!["key_alias"]).toMatch(/^ci-bot-rotated-/)
    }))

  it.scoped("if the old key's deletion gets no answer, the answer says it may or may not be stopped", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup()
      env.standIn.injectFault("/key/delete", { kind: "reset" })
      const data = expectSuccess(yield* call(client, "litellm_key_regenerate", { key_alias: "ci-bot" })) as Rotated
      env.standIn.secrets.add(data.key)
      expect(data.warning).toContain("The old key may or may not be stopped: read it with litellm_key_info")
    }))

  it.scoped("if only the alias could not be moved, the answer names the alias the new key still has", () =>
    Effect.gen(function*() {
      const { client, env, old } = yield* setup()
      env.standIn.injectFault("/key/update", proxyError(500, "database unavailable"))
      const data = expectSuccess(yield* call(client, "litellm_key_regenerate", { key_alias: "ci-bot" })) as Rotated
      env.standIn.secrets.add(data.key)
      expect(env.standIn.keys.has(old.row["token"] as string)).toBe(false)
      expect(data.warning).toMatch(/The old key is stopped; the new key is still named ci-bot-rotated-\d{8}T\d{6}: rename it/)
    }))

  it.scoped("if the copy cannot be made, nothing changed and LiteLLM's refusal is the answer", () =>
    Effect.gen(function*() {
      const { client, env, old } = yield* setup()
      env.standIn.injectFault("/key/generate", proxyError(400, "Budget exceeds the team's max_budget", "bad_request_error"))
      const error = expectFailure(yield* call(client, "litellm_key_regenerate", { key_alias: "ci-bot" }), 400)
      expect(error.message).toContain("Budget exceeds")
      expect(env.standIn.keys.size).toBe(1)
      expect(env.standIn.keys.has(old.row["token"] as string)).toBe(true)
    }))

  it.scoped("with Enterprise LiteLLM's own regeneration is used, and no copy is made", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup()
      env.standIn.enterprise = true
      const data = expectSuccess(yield* call(client, "litellm_key_regenerate", { key_alias: "ci-bot" })) as Rotated
      env.standIn.secrets.add(data.key)
      expect(data).not.toHaveProperty("rotation")
      expect(env.standIn.requestsTo("/key/generate")).toHaveLength(0)
      env.standIn.enterprise = false
    }))
})
