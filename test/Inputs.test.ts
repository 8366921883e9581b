import { expect, layer } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as Envelope from "../src/mcp/Envelope.js"
import * as Tools from "../src/resources/Tools.js"
import { call, connect, InProcessEnv, TestEnv } from "./support/Harness.js"

// Any input its Schema accepts must decode on the server and leave as a request LiteLLM 1.96.0's
// OpenAPI document accepts (`call` fails on any contract violation the stand-in saw). In process:
// the HTTP edge adds nothing to what a tool sends, and has its own tests.
layer(InProcessEnv(), { excludeTestServices: true })("Schema-valid inputs", (it) => {
  for (const tool of Tools.all) {
    const encode = Schema.encodeSync(tool.input)
    it.effect.prop(
      `${tool.definition.name}: decodes and reaches LiteLLM as a valid request`,
      [tool.input],
      ([input]) =>
        Effect.scoped(Effect.gen(function*() {
          const env = yield* TestEnv
          env.standIn.reset()
          env.standIn.seedUser({ user_id: "u1", user_email: "u1@example.com" })
          env.standIn.seedKey({ key_alias: "k1" })
          const client = yield* connect(env.adminKey)
          const args = JSON.parse(JSON.stringify(encode(input))) as Record<string, unknown>
          const envelope = yield* call(client, tool.definition.name, args)
          if (!envelope.success && envelope.error.message.startsWith("Invalid arguments")) {
            // The checks no Schema states: a spend window must not end before it starts, an update
            // must change something, a deployment's field cannot be removed by null, tags take no exclusions.
            expect(envelope.error.message).toMatch(/start_date: must not be after end_date|nothing to change; |null cannot remove a field|takes no exclusions/)
          }
          // Never this server's own defect (LiteLLM may answer 500 itself, e.g. Enterprise-only routes).
          expect(envelope).not.toEqual(Envelope.internalError)
        })),
      { fastCheck: { numRuns: 25 } }
    )
  }
})
