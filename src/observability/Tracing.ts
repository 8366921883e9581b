import { HttpMiddleware } from "@effect/platform"
import { Effect, Layer, Option } from "effect"
import { AppConfig } from "../config/AppConfig.js"
import * as Package from "../Package.js"

// The platform's own server spans record whole URLs (a key or hash in a query string) and headers
// (Proxy-Authorization, x-litellm-api-key): the HTTP edge makes spans of its own instead, with the
// path only (AccessLog.ts), as the LiteLLM client does for its requests (LiteLlm.ts).
const noPlatformHttpSpans = Layer.locallyScoped(HttpMiddleware.currentTracerDisabledWhen, () => true)

// With nowhere to send them, spans are pure cost: every request, tool and LiteLLM call would
// still build one (a stack trace each).
const untraced = Layer.merge(Layer.setTracerEnabled(false), noPlatformHttpSpans)

/**
 * A CommonJS package loaded with import(): from the TypeScript source its exports arrive named,
 * from the ESM bundle (Node's interop) only as `default`. Both are accepted.
 */
const commonJs = <M extends object>(module: M): M =>
  "default" in module && typeof module.default === "object" && module.default !== null ? module.default as M : module

/**
 * OpenTelemetry, only when OTEL_EXPORTER_OTLP_ENDPOINT is set: then every request, tool
 * (`Effect.fn` names) and LiteLLM call is a span sent there over OTLP/HTTP. Unset, the exporter
 * code is never even loaded (a separate chunk of the bundle).
 */
export const layer = Layer.unwrapEffect(Effect.gen(function*() {
  const { otelEndpoint } = yield* AppConfig
  if (Option.isNone(otelEndpoint)) return untraced
  const [{ NodeSdk }, exporter, traceBase] = yield* Effect.promise(() =>
    Promise.all([
      import("@effect/opentelemetry"),
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/sdk-trace-base")
    ])
  )
  const { OTLPTraceExporter } = commonJs(exporter)
  const { BatchSpanProcessor } = commonJs(traceBase)
  const url = `${otelEndpoint.value.replace(/\/+$/, "")}/v1/traces`
  return Layer.merge(
    NodeSdk.layer(() => ({
      resource: { serviceName: Package.name, serviceVersion: Package.version },
      spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter({ url }))
    })),
    noPlatformHttpSpans
  )
}))
