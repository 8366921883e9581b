import { ConfigProvider, Console, Effect, Layer } from "effect"
import { randomBytes } from "node:crypto"
import { appConfig } from "../config/AppConfig.js"
import { HttpLive } from "../http/Http.js"
import { sha256Hex } from "../litellm/KeyHash.js"
import { LiteLlmSandbox } from "../sandbox/Sandbox.js"

const DAY = 86_400_000

/** Sample users, keys and a week of spend, so every tool has something to show. */
export const seed = (sandbox: LiteLlmSandbox): void => {
  sandbox.seedUser({ user_id: "alice", user_email: "alice@example.com", user_alias: "Alice", user_role: "proxy_admin", teams: ["platform"] })
  sandbox.seedUser({ user_id: "bob", user_email: "bob@example.com", user_alias: "Bob", teams: ["research"], max_budget: 50, spend: 12.4 })
  sandbox.seedUser({ user_id: "carol", user_email: "carol@example.com", user_role: "internal_user_viewer", teams: ["research"] })
  const keys = [
    sandbox.seedKey({ key_alias: "platform-ci", user_id: "alice", team_id: "platform", max_budget: 100, spend: 37.2 }),
    sandbox.seedKey({ key_alias: "bob-notebook", user_id: "bob", team_id: "research", max_budget: 25, models: ["gpt-4o-mini"] }),
    sandbox.seedKey({ key_alias: "carol-readonly", user_id: "carol", team_id: "research", blocked: true })
  ]
  const models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet"]
  for (let i = 0; i < 30; i++) {
    const key = keys[i % keys.length]!
    const started = Date.now() - (i * 5.3 * 3_600_000) % (7 * DAY)
    const tokens = 200 + (i * 137) % 3_000
    sandbox.seedSpendLog({
      api_key: sha256Hex(key.raw),
      user: key.row["user_id"],
      team_id: key.row["team_id"],
      model: models[i % models.length],
      total_tokens: tokens,
      prompt_tokens: Math.round(tokens * 0.7),
      completion_tokens: tokens - Math.round(tokens * 0.7),
      spend: Math.round(tokens * 0.00002 * 1e6) / 1e6,
      startTime: new Date(started).toISOString(),
      endTime: new Date(started + 1_800).toISOString(),
      status: i % 11 === 0 ? "failure" : "success",
      metadata: { user_api_key_alias: key.row["key_alias"] }
    })
  }
}

/**
 * The server as it runs, against a seeded sandbox on 127.0.0.1 instead of a LiteLLM Proxy:
 * whatever LITELLM_BASE_URL says, nothing reaches a real LiteLLM.
 */
export const DemoLive = Layer.unwrapScoped(Effect.gen(function*() {
  const sandbox = yield* Effect.acquireRelease(
    Effect.promise(async () => {
      const sandbox = new LiteLlmSandbox()
      await sandbox.start()
      seed(sandbox)
      return sandbox
    }),
    (sandbox) => Effect.promise(() => sandbox.stop())
  )
  // A sandbox key, good for nothing but this sandbox: printing it is the point of --demo.
  const key = sandbox.addAdminKey(`sk-demo-${randomBytes(9).toString("base64url")}`)
  const { host, port } = yield* appConfig
  yield* Console.log(
    [
      "",
      `Demo: a LiteLLM sandbox with sample users, keys and spend is at ${sandbox.url}; nothing reaches a real LiteLLM.`,
      `Point an MCP client at http://${host}:${port}/mcp with the header`,
      `  Authorization: Bearer ${key}`,
      ""
    ].join("\n")
  )
  const provider = yield* Effect.configProviderWith(Effect.succeed)
  return HttpLive.pipe(
    Layer.provide(Layer.setConfigProvider(
      ConfigProvider.fromMap(new Map([["LITELLM_BASE_URL", sandbox.url]])).pipe(ConfigProvider.orElse(() => provider))
    ))
  )
}))
