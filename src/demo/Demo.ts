import { ConfigProvider, Console, Effect, Layer, Option, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import { appConfig } from "../config/AppConfig.js"
import { HttpLive } from "../http/Http.js"
import { sha256Hex } from "../litellm/KeyHash.js"
import { LiteLlmSandbox } from "../sandbox/Sandbox.js"
import * as Stdio from "../stdio/Stdio.js"

const DAY = 86_400_000

/**
 * Sample users, keys and a week of spend, so every tool has something to show. Returns Bob's key:
 * not an admin's, so connecting with it shows a list tailored to what LiteLLM lets him do.
 */
export const seed = (sandbox: LiteLlmSandbox): string => {
  sandbox.seedUser({ user_id: "alice", user_email: "alice@example.com", user_alias: "Alice", user_role: "proxy_admin", teams: ["platform"] })
  sandbox.seedUser({ user_id: "bob", user_email: "bob@example.com", user_alias: "Bob", teams: ["research"], max_budget: 50, spend: 12.4 })
  sandbox.seedUser({ user_id: "carol", user_email: "carol@example.com", user_role: "internal_user_viewer", teams: ["research"] })
  const keys = [
    sandbox.seedKey({ key_alias: "platform-ci", user_id: "alice", team_id: "platform", max_budget: 100, spend: 37.2 }),
    sandbox.seedKey({ key_alias: "bob-notebook", user_id: "bob", team_id: "research", max_budget: 25, models: ["gpt-4o-mini"] }),
    sandbox.seedKey({ key_alias: "carol-readonly", user_id: "carol", team_id: "research", blocked: true })
  ]
  sandbox.seedTeam({
    team_id: "platform",
    team_alias: "Platform",
    members_with_roles: [{ user_id: "alice", user_email: "alice@example.com", role: "admin" }],
    models: [],
    max_budget: 500,
    spend: 37.2
  })
  sandbox.seedTeam({
    team_id: "research",
    team_alias: "Research",
    members_with_roles: [
      { user_id: "bob", user_email: "bob@example.com", role: "admin" },
      { user_id: "carol", user_email: "carol@example.com", role: "user" }
    ],
    models: ["gpt-4o-mini", "claude-sonnet"],
    max_budget: 200,
    spend: 12.4
  })
  const models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet"]
  const providers: Record<string, { model: string; input: number; output: number; context: number }> = {
    "gpt-4o": { model: "openai/gpt-4o", input: 2.5e-6, output: 1e-5, context: 128_000 },
    "gpt-4o-mini": { model: "openai/gpt-4o-mini", input: 1.5e-7, output: 6e-7, context: 128_000 },
    "claude-sonnet": { model: "anthropic/claude-sonnet-4", input: 3e-6, output: 1.5e-5, context: 200_000 }
  }
  for (const [name, p] of Object.entries(providers)) {
    sandbox.models.push({
      model_name: name,
      // A made-up credential: the tool shows that provider secrets never reach an agent.
      litellm_params: { model: p.model, api_key: `demo-provider-secret-${name}` },
      model_info: {
        id: `demo-${name}`,
        mode: "chat",
        input_cost_per_token: p.input,
        output_cost_per_token: p.output,
        max_input_tokens: p.context,
        // One from the config file, which the API cannot change: the deployment tools say so.
        db_model: name !== "claude-sonnet"
      }
    })
  }
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
  return keys[1]!.raw
}

/** The URL a client on this machine uses: a wildcard address is no URL, loopback reaches it. */
export const endpointOf = (host: string, port: number) => {
  const wildcard = host === "0.0.0.0" || host === "::"
  const urlHost = wildcard ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host
  return { url: `http://${urlHost}:${port}/mcp`, wildcard }
}

/** What --demo prints: where things are, and configs to paste into the clients people use. */
const clientConfigs = (sandboxUrl: string, url: string, key: string, bobKey: string, beyondLoopback: boolean) =>
  [
    "",
    `Demo: a LiteLLM sandbox with sample users, teams, keys, models and spend is at ${sandboxUrl}; nothing reaches a real LiteLLM.`,
    `MCP endpoint: ${url}   header: Authorization: Bearer ${key}`,
    ...(beyondLoopback ? [`  (that URL is for clients on this machine; from others, use this machine's address instead of ${new URL(url).hostname})`] : []),
    "",
    "Claude Code:",
    `  claude mcp add --transport http litellm-admin ${url} --header "Authorization: Bearer ${key}"`,
    "Cursor (.cursor/mcp.json) or VS Code (.vscode/mcp.json, under \"servers\" with \"type\": \"http\"):",
    `  {"mcpServers": {"litellm-admin": {"url": "${url}", "headers": {"Authorization": "Bearer ${key}"}}}}`,
    "Claude Desktop and other stdio-only clients, through mcp-remote:",
    `  {"mcpServers": {"litellm-admin": {"command": "npx", "args": ["-y", "mcp-remote", "${url}", "--transport", "http-only", "--header", "Authorization:Bearer ${key}"]}}}`,
    "Codex (~/.codex/config.toml), with LITELLM_KEY set to the key alone:",
    "  [mcp_servers.litellm-admin]",
    `  url = "${url}"`,
    "  bearer_token_env_var = \"LITELLM_KEY\"",
    "MCP Inspector:",
    `  npx @modelcontextprotocol/inspector --cli ${url} --transport http --header "Authorization: Bearer ${key}" --stored-auth-only --method tools/list`,
    "",
    "The value must be Bearer followed by the key. Set LITELLM_MCP_DEMO_KEY=sk-… to keep the same key across restarts.",
    "An agent should call litellm_whoami first: who the key acts as, and which tools LiteLLM will let it use.",
    "Listed unless --toolsets says otherwise: caller, routes, keys and spend (the route tier reaches the rest); --toolsets all lists every tool.",
    `Bob's key (an internal_user who administers team Research) is offered fewer tools: Bearer ${bobKey}`,
    ""
  ].join("\n")

/**
 * The server as it runs, against a seeded sandbox on 127.0.0.1 instead of a LiteLLM Proxy:
 * whatever LITELLM_BASE_URL says, nothing reaches a real LiteLLM.
 */
const startSandbox = Effect.acquireRelease(
  Effect.promise(async () => {
    const sandbox = new LiteLlmSandbox()
    await sandbox.start()
    return { sandbox, bobKey: seed(sandbox) }
  }),
  ({ sandbox }) => Effect.promise(() => sandbox.stop())
)

export const DemoLive = Layer.unwrapScoped(Effect.gen(function*() {
  const { sandbox, bobKey } = yield* startSandbox
  const { host, port, demoKey } = yield* appConfig
  // A sandbox key, good for nothing but this sandbox: printing it is the point of --demo. A fixed
  // one (LITELLM_MCP_DEMO_KEY) lets a saved client config survive a restart.
  const key = sandbox.addAdminKey(
    Option.match(demoKey, { onNone: () => `sk-demo-${randomBytes(9).toString("base64url")}`, onSome: Redacted.value })
  )
  const endpoint = endpointOf(host, port)
  yield* Console.log(clientConfigs(sandbox.url, endpoint.url, key, bobKey, endpoint.wildcard))
  const provider = yield* Effect.configProviderWith(Effect.succeed)
  return HttpLive.pipe(
    Layer.provide(Layer.setConfigProvider(
      ConfigProvider.fromMap(new Map([["LITELLM_BASE_URL", sandbox.url]])).pipe(ConfigProvider.orElse(() => provider))
    ))
  )
}))

/**
 * --demo --stdio: the same sandbox behind the stdio server, for desktop clients that start a
 * command. What --demo prints goes to stderr here: stdout carries the protocol.
 */
export const runStdio = Effect.gen(function*() {
  const { sandbox } = yield* startSandbox
  const { demoKey } = yield* appConfig
  const key = sandbox.addAdminKey(
    Option.match(demoKey, { onNone: () => `sk-demo-${randomBytes(9).toString("base64url")}`, onSome: Redacted.value })
  )
  yield* Console.error(`Demo: serving on stdio against a LiteLLM sandbox at ${sandbox.url}; nothing reaches a real LiteLLM.`)
  const provider = yield* Effect.configProviderWith(Effect.succeed)
  return yield* Stdio.run.pipe(
    Effect.withConfigProvider(
      ConfigProvider.fromMap(new Map([["LITELLM_BASE_URL", sandbox.url], ["LITELLM_API_KEY", key]])).pipe(
        ConfigProvider.orElse(() => provider)
      )
    )
  )
}).pipe(Effect.scoped)
