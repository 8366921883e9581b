import { HttpClient, HttpClientError, type HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { ConfigProvider, Effect, Layer } from "effect"
import { AppConfig } from "../config/AppConfig.js"
import { LiteLlm } from "../litellm/LiteLlm.js"
import type { LiteLlmSandbox } from "./Sandbox.js"

const decoder = new TextDecoder()

const bodyText = (request: HttpClientRequest.HttpClientRequest): string => {
  const body = request.body
  switch (body._tag) {
    case "Uint8Array":
      return decoder.decode(body.body)
    case "Raw":
      return typeof body.body === "string" ? body.body : ""
    default:
      return ""
  }
}

/**
 * An HttpClient whose requests the sandbox answers in process, with no socket: what
 * `layerTest` runs on. Socket-level faults (resets, stalls, truncated bodies) become transport
 * errors here; the HTTP end-to-end tests exercise them on a real connection.
 */
export const httpClient = (sandbox: LiteLlmSandbox): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    Effect.tryPromise({
      try: async () => {
        const answer = await sandbox.answer({ method: request.method, url, headers: request.headers, text: bodyText(request) })
        if (answer._tag === "Json") {
          return new Response(JSON.stringify(answer.body), {
            status: answer.status,
            headers: { "content-type": "application/json" }
          })
        }
        const fault = answer.fault
        switch (fault.kind) {
          case "status":
            return new Response(fault.body, {
              status: fault.status,
              headers: { "content-type": fault.contentType ?? "application/json" }
            })
          case "chunked":
            return new Response(fault.body, { status: 200, headers: { "content-type": "application/json" } })
          case "redirect":
            return new Response(null, { status: 302, headers: { location: fault.location } })
          case "hang":
            return new Promise<Response>(() => {})
          default:
            throw Object.assign(new Error(`sandbox fault: ${fault.kind}`), { code: "ECONNRESET" })
        }
      },
      catch: (cause) => new HttpClientError.RequestError({ request, reason: "Transport", cause })
    }).pipe(Effect.map((web) => HttpClientResponse.fromWeb(request, web)))
  )

/**
 * The LiteLLM client against a sandbox in process, with no socket and default settings: for
 * testing resources with `it.effect`, where TestClock drives time. The caller's key is set with
 * `Effect.locally(CallerToken, …)`, as the HTTP edge does.
 */
export const layerTest = (sandbox: LiteLlmSandbox) =>
  LiteLlm.DefaultWithoutDependencies.pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, httpClient(sandbox))),
    Layer.provide(AppConfig.Default.pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map())))))
  )
