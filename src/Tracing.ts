import { HttpClient, HttpMiddleware } from "@effect/platform"
import { Effect, Layer, Option } from "effect"
import { AppConfig } from "./AppConfig.js"
import * as Package from "./Package.js"

// With nowhere to send them, spans are pure cost: every request, tool and LiteLLM call would
// still build one (URL parsing, header redaction, a stack trace each).
const untraced = Layer.mergeAll(
  Layer.setTracerEnabled(false),
  Layer.locallyScoped(HttpMiddleware.currentTracerDisabledWhen, () => true),
  Layer.locallyScoped(HttpClient.currentTracerDisabledWhen, () => true)
)

/**
 * OpenTelemetry, only when OTEL_EXPORTER_OTLP_ENDPOINT is set: then every request, tool
 * (`Effect.fn` names) and LiteLLM call is a span sent there over OTLP/HTTP. Unset, the exporter
 * code is never even loaded (a separate chunk of the bundle).
 */
export const layer = Layer.unwrapEffect(Effect.gen(function*() {
  const { otelEndpoint } = yield* AppConfig
  if (Option.isNone(otelEndpoint)) return untraced
  const [{ NodeSdk }, { OTLPTraceExporter }, { BatchSpanProcessor }] = yield* Effect.promise(() =>
    Promise.all([
      import("@effect/opentelemetry"),
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/sdk-trace-base")
    ])
  )
  const url = `${otelEndpoint.value.replace(/\/+$/, "")}/v1/traces`
  return NodeSdk.layer(() => ({
    resource: { serviceName: Package.name, serviceVersion: Package.version },
    spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter({ url }))
  }))
}))
