import { Config, ConfigError, Duration, Effect, Either, LogLevel, Option, Redacted } from "effect"

// An admin proxy must be exposed on purpose: the default is loopback, the Docker image opts out.
const DEFAULT_HOST = "127.0.0.1"

const litellmBaseUrl = Config.url("LITELLM_BASE_URL").pipe(
  Config.withDefault(new URL("http://localhost:4000")),
  Config.mapOrFail((url) => {
    const problem = url.protocol !== "http:" && url.protocol !== "https:"
      ? `must be an http(s) URL, got "${url.protocol}"`
      : url.username !== "" || url.password !== ""
      ? "must not contain user info; LiteLLM authenticates each caller by bearer token"
      : url.search !== "" || url.hash !== ""
      ? "must not contain a query or a fragment"
      : undefined
    return problem === undefined
      ? Either.right(url.href.replace(/\/+$/, ""))
      : Either.left(ConfigError.InvalidData(["LITELLM_BASE_URL"], problem))
  })
)

/** "PORT: Expected a network port value but received abc", one line for all that is wrong. */
export const formatConfigError = (error: ConfigError.ConfigError): string => {
  switch (error._op) {
    case "And":
    case "Or":
      return `${formatConfigError(error.left)}; ${formatConfigError(error.right)}`
    default:
      return `${error.path.join("_")}: ${error.message}`
  }
}

const positiveInt = (name: string, fallback: number, unit: string) =>
  Config.integer(name).pipe(
    Config.withDefault(fallback),
    Config.mapOrFail((n) =>
      n > 0 ? Either.right(n) : Either.left(ConfigError.InvalidData([name], `must be a positive number of ${unit}`))
    )
  )

const items = (name: string) =>
  Config.array(Config.string(), name).pipe(
    Config.map((items) => items.map((item) => item.trim()).filter((item) => item !== ""))
  )

const list = (name: string) => items(name).pipe(Config.withDefault([]))

/** Every setting, read from the environment (or, from the command line, flags first). */
export const appConfig = Config.all({
  litellmBaseUrl,
  litellmTimeout: positiveInt("LITELLM_TIMEOUT_MS", 30_000, "milliseconds").pipe(Config.map(Duration.millis)),
  port: Config.port("PORT").pipe(Config.withDefault(3100)),
  host: Config.string("HOST").pipe(Config.withDefault(DEFAULT_HOST)),
  maxBodyBytes: positiveInt("MAX_BODY_BYTES", 1024 * 1024, "bytes"),
  maxResultBytes: positiveInt("MAX_RESULT_BYTES", 256 * 1024, "bytes"),
  // One tool call's LiteLLM requests together: no request starts after it.
  toolTimeoutMs: positiveInt("TOOL_TIMEOUT_MS", 60_000, "milliseconds"),
  // An answer from LiteLLM is read up to this many bytes, then the call is a 502.
  maxLitellmResponseBytes: positiveInt("MAX_LITELLM_RESPONSE_BYTES", 8 * 1024 * 1024, "bytes"),
  // How long a client may take to send a request's headers, and the whole request.
  headersTimeoutMs: positiveInt("HEADERS_TIMEOUT_MS", 10_000, "milliseconds"),
  requestTimeoutMs: positiveInt("REQUEST_TIMEOUT_MS", 30_000, "milliseconds"),
  shutdownGrace: positiveInt("SHUTDOWN_GRACE_MS", 10_000, "milliseconds").pipe(Config.map(Duration.millis)),
  allowedOrigins: list("ALLOWED_ORIGINS"),
  allowedHosts: list("ALLOWED_HOSTS"),
  logFormat: Config.literal("pretty", "json")("LOG_FORMAT").pipe(Config.withDefault("pretty" as const)),
  logLevel: Config.logLevel("LOG_LEVEL").pipe(Config.withDefault(LogLevel.Info)),
  otelEndpoint: Config.option(Config.string("OTEL_EXPORTER_OTLP_ENDPOINT")),
  toolsets: Config.option(items("LITELLM_MCP_TOOLSETS")),
  tools: Config.option(items("LITELLM_MCP_TOOLS")),
  readOnly: Config.boolean("LITELLM_MCP_READ_ONLY").pipe(Config.withDefault(false)),
  // Only for --stdio, where no request carries a header; see Stdio.ts and Http.ts.
  litellmApiKey: Config.option(Config.redacted("LITELLM_API_KEY")).pipe(
    Config.mapOrFail((key) =>
      Option.isSome(key) && !Redacted.value(key.value).startsWith("sk-")
        ? Either.left(ConfigError.InvalidData(["LITELLM_API_KEY"], "must be a LiteLLM key starting with sk-"))
        : Either.right(key)
    )
  )
})

export class AppConfig extends Effect.Service<AppConfig>()("app/AppConfig", { effect: appConfig }) {}
