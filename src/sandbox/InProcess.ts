import { ConfigProvider, Effect, Layer } from "effect"
import { AppConfig } from "../config/AppConfig.js"
import { LiteLlm } from "../litellm/LiteLlm.js"
import { type Answer, Transport } from "../litellm/Transport.js"
import type { LiteLlmSandbox } from "./Sandbox.js"

const answered = (status: number, text: string, headers: Answer["headers"] = { "content-type": "application/json" }): Answer => ({
  status,
  headers,
  text: Effect.succeed(text),
  discard: () => {}
})

/**
 * A transport whose requests the sandbox answers in process, with no socket: what `layerTest`
 * runs on. Socket-level faults (resets, stalls, truncated bodies) become transport errors here;
 * the HTTP end-to-end tests exercise them on a real connection.
 */
export const transport = (sandbox: LiteLlmSandbox): Transport["Type"] => ({
  send: (request) =>
    Effect.flatMap(
      Effect.tryPromise({
        try: () => sandbox.answer({ method: request.method, url: request.url, headers: request.headers, text: request.body ?? "" }),
        catch: (cause) => cause
      }),
      (answer): Effect.Effect<Answer, unknown> => {
        if (answer._tag === "Json") return Effect.succeed(answered(answer.status, JSON.stringify(answer.body)))
        const fault = answer.fault
        switch (fault.kind) {
          case "status":
            return Effect.succeed(answered(fault.status, fault.body, { "content-type": fault.contentType ?? "application/json" }))
          case "chunked":
            return Effect.succeed(answered(200, fault.body))
          case "redirect":
            return Effect.succeed(answered(302, "", { location: fault.location }))
          case "hang":
            return Effect.never
          default:
            return Effect.fail(Object.assign(new Error(`sandbox fault: ${fault.kind}`), { code: "ECONNRESET" }))
        }
      }
    )
})

/**
 * The LiteLLM client against a sandbox in process, with no socket and default settings: for
 * testing resources with `it.effect`, where TestClock drives time. The caller's key is set with
 * `Effect.locally(CallerToken, …)`, as the HTTP edge does.
 */
export const layerTest = (sandbox: LiteLlmSandbox) =>
  LiteLlm.DefaultWithoutDependencies.pipe(
    Layer.provide(Layer.succeed(Transport, transport(sandbox))),
    Layer.provide(AppConfig.Default.pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map())))))
  )
