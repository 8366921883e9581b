import { expect, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Layer } from "effect"
import { AppConfig } from "../src/config/AppConfig.js"
import { call, connect, expectFailure, expectSuccess, TestEnv, TestEnvLive } from "./support/Harness.js"

// A change LiteLLM may have made is never reported as one that did not happen: it has a deadline
// of its own that a slow but working LiteLLM meets, and past it, or when the connection breaks
// after the request went out, its outcome is unknown and the agent is told how to find it.

const setup = Effect.gen(function*() {
  const env = yield* TestEnv
  env.standIn.reset()
  return { env, client: yield* connect(env.adminKey) }
})

type Unknown = { status: number; outcome?: string; message: string; detail: { route: string; sent: Record<string, unknown> } }

layer(
  TestEnvLive({ timeoutMs: 300, env: { LITELLM_WRITE_TIMEOUT_MS: "1500", TOOL_TIMEOUT_MS: "5000" } }),
  { excludeTestServices: true }
)("a change and its deadline", (it) => {
  it.scoped("a write slower than a read's timeout but within its own succeeds, and the raw key reaches the caller", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.injectFault("/key/generate", { kind: "delay", ms: 600 })
      const made = expectSuccess(yield* call(client, "litellm_key_generate", { key_alias: "slow-but-fine" })) as { key: string }
      env.standIn.secrets.add(made.key)
      expect(made.key).toMatch(/^sk-/)
      // A read as slow is still cut at its own timeout.
      env.standIn.injectFault("/key/list", { kind: "delay", ms: 600 })
      expectFailure(yield* call(client, "litellm_key_list"), 504)
    }))

  it.scoped("a write past its deadline is outcome unknown, naming what to look for, while LiteLLM made the change", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.injectFault("/key/generate", { kind: "delay", ms: 2_000 })
      const error = expectFailure(yield* call(client, "litellm_key_generate", { key_alias: "maybe-made" }), 202) as unknown as Unknown
      expect(error.outcome).toBe("unknown")
      expect(error.message).toContain("may or may not have made this change")
      expect(error.message).toContain("LITELLM_WRITE_TIMEOUT_MS")
      expect(error.detail).toEqual({ route: "POST /key/generate", sent: { key_alias: "maybe-made" } })
      // LiteLLM carries the change out after the caller has gone, as it does.
      yield* Effect.sleep("700 millis")
      const made = [...env.standIn.keys.values()].find((k) => k["key_alias"] === "maybe-made")
      expect(made).toBeDefined()
    }))

  it.scoped("a connection that breaks after a write went out is outcome unknown; one never made is a plain failure", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.injectFault("/user/new", { kind: "reset" })
      const broken = expectFailure(yield* call(client, "litellm_user_create", { user_id: "maybe" }), 202) as unknown as Unknown
      expect([broken.outcome, broken.detail.sent]).toEqual(["unknown", { user_id: "maybe" }])
      expect(broken.message).toContain("connection broke")
    }))
})

layer(TestEnvLive(), { excludeTestServices: true })("a change that cannot have been sent", (it) => {
  it.scoped("LiteLLM refusing the connection is a failure, not an unknown outcome", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      yield* Effect.promise(() => env.standIn.stop())
      const refused = expectFailure(yield* call(client, "litellm_user_create", { user_id: "never" }), 502)
      expect(refused.message).toContain("ECONNREFUSED")
      expect((refused as { outcome?: string }).outcome).toBeUndefined()
    }))
})

const configWith = (env: Record<string, string>) =>
  Effect.either(Effect.provide(AppConfig, AppConfig.Default.pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))))))

layer(Layer.empty)("timeouts that cannot fit", (it) => {
  it.effect("a LiteLLM timeout longer than TOOL_TIMEOUT_MS stops start-up, naming both", () =>
    Effect.gen(function*() {
      const refused = yield* configWith({ LITELLM_BASE_URL: "http://127.0.0.1:4000", TOOL_TIMEOUT_MS: "10000", LITELLM_TIMEOUT_MS: "5000", LITELLM_WRITE_TIMEOUT_MS: "20000" })
      expect(Either.isLeft(refused) && String(refused.left)).toContain("LITELLM_WRITE_TIMEOUT_MS")
      expect(Either.isLeft(refused) && String(refused.left)).toContain("TOOL_TIMEOUT_MS")
      const fine = yield* configWith({ LITELLM_BASE_URL: "http://127.0.0.1:4000" })
      expect(Either.isRight(fine)).toBe(true)
    }))
})
