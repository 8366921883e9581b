import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { call, connect, expectFailure, TestEnv, TestEnvLive } from "./support/Harness.js"
import { proxyError } from "./support/StandIn.js"

// Texts that reach an agent by a side door: a gateway's redirect, a key with delimiters LiteLLM
// quotes whole, an argument echoed back in a refusal. None may carry a key or a key's hash.

const sha256 = (raw: string) => createHash("sha256").update(raw).digest("hex")

layer(TestEnvLive(), { excludeTestServices: true })("no key or hash by a side door", (it) => {
  it.scoped("a login redirect's Location, which quotes the path and the key's hash this server sent, reaches no one", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      const victim = env.standIn.seedKey({ key_alias: "victim" })
      const hash = sha256(victim.raw)
      const client = yield* connect(env.adminKey)
      env.standIn.injectFault("/key/info", {
        kind: "redirect",
        location: `https://sso.example/start?rd=%2Fkey%2Finfo%3Fkey%3D${hash}&token=${env.adminKey}`
      })
      const envelope = yield* call(client, "litellm_key_info", { key: victim.raw })
      const text = JSON.stringify(expectFailure(envelope, 502))
      expect(text).toContain("redirect")
      expect(text).not.toContain(hash)
      expect(text).not.toContain(env.adminKey)
    }))

  it.scoped("a caller's key holding delimiters is hidden whole when LiteLLM quotes it", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      const key = env.standIn.addAdminKey(`sk-ops,team"(alpha){beta}'gamma\\delta`)
      env.standIn.injectFault("/key/list", proxyError(400, `Bad key ${key} (sent as ${encodeURIComponent(key)})`))
      const client = yield* connect(key)
      const text = JSON.stringify(expectFailure(yield* call(client, "litellm_key_list"), 400))
      for (const piece of ["team", "alpha", "beta", "gamma", "delta"]) expect({ piece, text }).not.toEqual({ piece, text: expect.stringContaining(piece) })
    }))

  it.scoped("a hash in a bad argument is not echoed back", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      env.standIn.reset()
      const hash = sha256("sk-someone-elses-key")
      const client = yield* connect(env.adminKey)
      env.standIn.requests.length = 0
      const text = JSON.stringify(expectFailure(yield* call(client, "litellm_key_delete", { keys: [`${hash}z`] }), 400))
      expect(text).not.toContain(hash)
      expect(env.standIn.requests).toHaveLength(0)
    }))
})
