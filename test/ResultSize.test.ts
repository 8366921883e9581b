import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, FastCheck } from "effect"
import * as ResultSize from "../src/mcp/ResultSize.js"
import { call, connect, expectFailure, expectSuccess, TestEnv, TestEnvLive } from "./support/Harness.js"

const MAX = 4_000

interface KeyPage {
  readonly keys: Array<{ key_alias: string }>
  readonly truncated?: boolean
  readonly returned?: number
  readonly next?: { page: number; size: number }
}

layer(TestEnvLive({ env: { MAX_RESULT_BYTES: String(MAX) } }))("MAX_RESULT_BYTES", (it) => {
  const setup = Effect.gen(function*() {
    const env = yield* TestEnv
    env.standIn.reset()
    env.standIn.keys.clear()
    for (let i = 0; i < 30; i++) {
      env.standIn.seedKey({ key_alias: `k-${String(i).padStart(2, "0")}`, metadata: { note: "x".repeat(200) } })
    }
    return { env, client: yield* connect(env.adminKey) }
  })

  it.scoped("a page too large is cut to what fits, and next continues exactly where it stopped", () =>
    Effect.gen(function*() {
      const { client } = yield* setup
      const seen: Array<string> = []
      let cuts = 0
      let request: Record<string, unknown> = { page: 1, size: 20, sort_by: "key_alias", sort_order: "asc" }
      for (let guard = 0; guard < 40; guard++) {
        const envelope = yield* call(client, "litellm_key_list", request)
        expect(Buffer.byteLength(JSON.stringify(envelope))).toBeLessThanOrEqual(MAX)
        const page = expectSuccess(envelope) as KeyPage
        seen.push(...page.keys.map((k) => k.key_alias))
        if (page.truncated !== true) {
          if (page.keys.length < (request["size"] as number)) break
          request = { ...request, page: (request["page"] as number) + 1 }
          continue
        }
        cuts++
        expect(page.returned).toBe(page.keys.length)
        request = { ...request, ...page.next }
      }
      expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `k-${String(i).padStart(2, "0")}`))
      expect(cuts).toBeGreaterThanOrEqual(1)
    }))

  it.scoped("a result that has no pages to cut is a 413 saying how to ask for less", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      env.standIn.seedUser({ user_id: "big", metadata: { blob: "y".repeat(MAX) } })
      const error = expectFailure(yield* call(client, "litellm_user_info", { user_id: "big" }), 413)
      expect(error.message).toContain("MAX_RESULT_BYTES")
    }))

  it.scoped("a write whose answer is too large still succeeds: its short fields, the new raw key among them, and a warning", () =>
    Effect.gen(function*() {
      const { client, env } = yield* setup
      const data = expectSuccess(yield* call(client, "litellm_key_generate", {
        key_alias: "big-one",
        metadata: { blob: "y".repeat(MAX) }
      })) as { key: string; token: string; key_alias: string; warning: string }
      env.standIn.secrets.add(data.key)
      expect(data.warning).toContain("carried out the change")
      expect(data.key_alias).toBe("big-one")
      expect([...env.standIn.keys.values()].some((k) => k["token"] === data.token)).toBe(true)
      expect(data.key).toMatch(/^sk-/)
    }))
})

describe("ResultSize.fit", () => {
  const paging = { items: "keys", page: "page", size: "size", defaultSize: 50 }
  const Item = FastCheck.record({ key_alias: FastCheck.string({ unit: "binary", maxLength: 40 }), spend: FastCheck.double({ noNaN: true, noDefaultInfinity: true }) })
  it.prop(
    "a cut page is the longest prefix that fits, measured in UTF-8 bytes",
    [FastCheck.array(Item, { minLength: 2, maxLength: 60 }), FastCheck.integer({ min: 300, max: 4_000 })],
    ([keys, max]) => {
      const envelope = { success: true as const, data: { keys, total: keys.length } }
      const fitted = ResultSize.fit(envelope, max, paging, { page: 1, size: 50 })
      expect(fitted.text).toBe(JSON.stringify(fitted.envelope))
      expect(Buffer.byteLength(fitted.text)).toBeLessThanOrEqual(max)
      const data = fitted.envelope.success
        ? fitted.envelope.data as { keys: Array<unknown>; truncated?: boolean; returned?: number }
        : { ...envelope.data, keys: [], truncated: true, returned: 0 }
      const k = data.truncated === true ? data.returned! : keys.length
      expect(data.keys).toEqual(keys.slice(0, k))
      if (k === keys.length) return true
      expect(data.keys).toEqual(keys.slice(0, k))
      // One more item would not have fit (page 1: every length divides its offset, 0).
      const longer = { ...data, keys: keys.slice(0, k + 1), returned: k + 1, next: { page: 2, size: k + 1 } }
      return Buffer.byteLength(JSON.stringify({ success: true, data: longer })) > max
    }
  )
})
