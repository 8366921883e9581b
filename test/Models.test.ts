import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { RELEASES } from "../src/sandbox/Sandbox.js"
import { call, connect, expectFailure, expectSuccess, TestEnv, InProcessEnv } from "./support/Harness.js"
import { proxyError } from "./support/StandIn.js"

const setup = Effect.gen(function*() {
  const env = yield* TestEnv
  env.standIn.reset()
  env.standIn.models.length = 0
  env.standIn.models.push(
    {
      model_name: "gpt-4o",
      litellm_params: { model: "openai/gpt-4o", api_key: "sk-provider-secret-openai", api_base: "https://api.openai.com" },
      model_info: { id: "dep-1", mode: "chat" }
    },
    {
      model_name: "claude-sonnet",
      litellm_params: { model: "bedrock/claude", aws_secret_access_key: "AKIA-secret", aws_region_name: "us-east-1" },
      model_info: { id: "dep-2", mode: "chat" }
    }
  )
  return { env, client: yield* connect(env.adminKey) }
})

layer(InProcessEnv())("litellm_model_list", (it) => {
  it.scoped("lists deployments through /v2/model/info with every provider credential redacted", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const data = expectSuccess(yield* call(client, "litellm_model_list", { search: "gpt", page: 1, size: 10 })) as {
        data: Array<{ model_name: string; litellm_params: Record<string, unknown> }>
      }
      expect(data.data.map((m) => m.model_name)).toEqual(["gpt-4o"])
      expect(data.data[0]!.litellm_params).toEqual({
        model: "openai/gpt-4o",
        api_key: "[redacted]",
        api_base: "https://api.openai.com"
      })
      expect(Object.fromEntries(env.standIn.requestsTo("/v2/model/info")[0]!.query)).toEqual({ search: "gpt", page: "1", size: "10" })
    }))

  it.scoped("falls back to /model/info when /v2/model/info is 404 (older LiteLLM), still redacted", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.injectFault("/v2/model/info", { kind: "status", status: 404, body: JSON.stringify({ detail: "Not Found" }) })
      const data = expectSuccess(yield* call(client, "litellm_model_list", { search: "claude" })) as {
        data: Array<{ model_name: string; litellm_params: Record<string, unknown> }>
        total_pages: number
      }
      expect(data.data.map((m) => m.model_name)).toEqual(["claude-sonnet"])
      expect(data.data[0]!.litellm_params["aws_secret_access_key"]).toBe("[redacted]")
      expect(data.total_pages).toBe(1)
      expect(JSON.stringify(data)).not.toContain("secret-openai")
      expect(env.standIn.requestsTo("/model/info")).toHaveLength(1)
    }))

  for (const release of RELEASES) {
    it.scoped(`${release}: search and paging hold whether LiteLLM pages (current) or answers every deployment (before January 2026)`, () =>
      Effect.gen(function*() {
        const { client, env } = yield* setup
        env.standIn.release = release
        for (let i = 0; i < 5; i++) {
          env.standIn.models.push({ model_name: `gpt-4o-mini-${i}`, litellm_params: { model: "openai/gpt-4o-mini" }, model_info: { id: `m-${i}` } })
        }
        const page = expectSuccess(yield* call(client, "litellm_model_list", { search: "GPT-4o-mini", page: 2, size: 2 })) as {
          data: Array<{ model_name: string }>
          total_count: number
          total_pages: number
        }
        expect(page.data.map((m) => m.model_name)).toEqual(["gpt-4o-mini-2", "gpt-4o-mini-3"])
        expect([page.total_count, page.total_pages]).toEqual([5, 3])
        const one = expectSuccess(yield* call(client, "litellm_model_list", { modelId: "dep-2" })) as { data: Array<{ model_name: string }> }
        expect(one.data.map((m) => m.model_name)).toEqual(["claude-sonnet"])
        const team = yield* call(client, "litellm_model_list", { teamId: "t1" })
        if (env.standIn.traits.modelInfoPaged) expectSuccess(team)
        else expect(expectFailure(team, 501).message).toContain("teamId")
      }))
  }

  it.scoped("another LiteLLM failure is passed on, not masked by the fallback", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.injectFault("/v2/model/info", proxyError(500, "boom"))
      expectFailure(yield* call(client, "litellm_model_list", {}), 500)
      expect(env.standIn.requestsTo("/model/info")).toHaveLength(0)
    }))
})
