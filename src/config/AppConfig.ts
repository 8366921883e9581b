import { getHeapStatistics } from "node:v8"
import { Config, ConfigError, Duration, Effect, Either, LogLevel, Option, Redacted } from "effect"

// An admin proxy must be exposed on purpose: the default is loopback, the Docker image opts out.
const DEFAULT_HOST = "127.0.0.1"

const EXAMPLE_URL = "e.g. http://localhost:4000 or https://litellm.example.com"

const litellmBaseUrl = Config.string("LITELLM_BASE_URL").pipe(
  Config.withDefault("http://localhost:4000"),
  Config.mapOrFail((text) => {
    const url = URL.canParse(text) ? new URL(text) : undefined
    const problem = url === undefined
      ? "must be a URL"
      : url.protocol !== "http:" && url.protocol !== "https:"
      ? `must be an http(s) URL, got "${url.protocol}"`
      : url.username !== "" || url.password !== ""
      ? "must not contain user info; LiteLLM authenticates each caller by bearer token"
      // An empty ? or # parses to no query at all, yet every call would then go to the root.
      : text.includes("?") || text.includes("#")
      ? "must not contain a query or a fragment"
      // The OpenAI-compatible routes live under /v1; the admin API this server calls does not.
      : /\/v1\/*$/.test(url.pathname)
      ? "must be the proxy's root URL, without /v1: LiteLLM serves its admin API (/key/info, /user/list, …) there, not under /v1"
      : undefined
    return problem === undefined
      ? Either.right(url!.href.replace(/\/+$/, ""))
      : Either.left(ConfigError.InvalidData(["LITELLM_BASE_URL"], `${problem} (${EXAMPLE_URL})`))
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

/**
 * A call in flight holds about 110 KB of heap (measured under a 192 MB heap: 1,400 survived,
 * 2,000 did not); a quarter of the heap for them leaves room for their answers.
 */
const callsInFlightForHeap = () => Math.max(16, Math.min(2_000, Math.floor(getHeapStatistics().heap_size_limit / 4 / 110_000)))

/**
 * An answer being read and checked costs about five times its bytes (the body, its text, the
 * parsed values, the result cut from them): an eighth of the heap for answers keeps them under
 * two thirds of it. Never less than one largest answer at the default MAX_LITELLM_RESPONSE_BYTES.
 */
const answerBytesForHeap = () => Math.max(8 * 1024 * 1024, Math.floor(getHeapStatistics().heap_size_limit / 8))

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

/**
 * One setting: its environment variable, how it is read, and how the command line offers it
 * (`flag`, unless it has none: a key on a command line is visible to every user of the machine).
 */
interface Setting<A> {
  readonly env: string
  readonly config: Config.Config<A>
  readonly flag?: { readonly name: string; readonly value: string; readonly description: string; readonly show: (a: A) => string }
}

const setting = <A>(
  env: string,
  read: (env: string) => Config.Config<A>,
  flag?: Setting<A>["flag"]
): Setting<A> => (flag === undefined ? { env, config: read(env) } : { env, config: read(env), flag })

const ms = (d: Duration.Duration) => String(Duration.toMillis(d))
const orNone = (list: ReadonlyArray<string>) => list.join(",") || "none"

/**
 * Every setting, in the order `--help` lists them. The config and the command line's table of
 * flags are both made from this one list: a setting is named once.
 */
const settings = {
  litellmBaseUrl: setting("LITELLM_BASE_URL", () => litellmBaseUrl, {
    name: "litellm-base-url",
    value: "<url>",
    description: "The LiteLLM Proxy every call goes to",
    show: String
  }),
  port: setting("PORT", (env) => Config.port(env).pipe(Config.withDefault(3100)), {
    name: "port",
    value: "<port>",
    description: "Port to listen on",
    show: String
  }),
  host: setting("HOST", (env) => Config.string(env).pipe(Config.withDefault(DEFAULT_HOST)), {
    name: "host",
    value: "<address>",
    description: "Address to listen on",
    show: String
  }),
  litellmTimeout: setting("LITELLM_TIMEOUT_MS", (env) => positiveInt(env, 30_000, "milliseconds").pipe(Config.map(Duration.millis)), {
    name: "litellm-timeout-ms",
    value: "<ms>",
    description: "Wait this long for LiteLLM to answer a read, then answer 504",
    show: ms
  }),
  litellmWriteTimeout: setting(
    "LITELLM_WRITE_TIMEOUT_MS",
    (env) => positiveInt(env, 30_000, "milliseconds").pipe(Config.map(Duration.millis)),
    {
      name: "litellm-write-timeout-ms",
      value: "<ms>",
      description: "Wait this long for LiteLLM to answer a change; past it the change's outcome is unknown",
      show: ms
    }
  ),
  maxBodyBytes: setting("MAX_BODY_BYTES", (env) => positiveInt(env, 1024 * 1024, "bytes"), {
    name: "max-body-bytes",
    value: "<bytes>",
    description: "Largest request body; larger is 413",
    show: String
  }),
  maxResultBytes: setting("MAX_RESULT_BYTES", (env) => positiveInt(env, 256 * 1024, "bytes"), {
    name: "max-result-bytes",
    value: "<bytes>",
    description: "Largest tool result; a longer page is cut, with the next page named",
    show: String
  }),
  maxLitellmResponseBytes: setting("MAX_LITELLM_RESPONSE_BYTES", (env) => positiveInt(env, 8 * 1024 * 1024, "bytes"), {
    name: "max-litellm-response-bytes",
    value: "<bytes>",
    description: "Largest answer read from LiteLLM; larger is 502",
    show: String
  }),
  maxLitellmResponseBytesHeld: setting("MAX_LITELLM_RESPONSE_BYTES_HELD", (env) => positiveInt(env, answerBytesForHeap(), "bytes"), {
    name: "max-litellm-response-bytes-held",
    value: "<bytes>",
    description: "Most bytes of LiteLLM answers read and checked at once; a read past it waits a moment, then 503 (default: from the heap limit)",
    show: String
  }),
  // Under the 60 s the MCP TypeScript SDK's clients wait for an answer by default.
  toolTimeoutMs: setting("TOOL_TIMEOUT_MS", (env) => positiveInt(env, 55_000, "milliseconds"), {
    name: "tool-timeout-ms",
    value: "<ms>",
    description: "One tool call's time for all its LiteLLM requests, each started only if its own timeout fits",
    show: String
  }),
  headersTimeoutMs: setting("HEADERS_TIMEOUT_MS", (env) => positiveInt(env, 10_000, "milliseconds"), {
    name: "headers-timeout-ms",
    value: "<ms>",
    description: "Time a client has to send a request's headers",
    show: String
  }),
  requestTimeoutMs: setting("REQUEST_TIMEOUT_MS", (env) => positiveInt(env, 30_000, "milliseconds"), {
    name: "request-timeout-ms",
    value: "<ms>",
    description: "Time a client has to send a whole request",
    show: String
  }),
  shutdownGrace: setting("SHUTDOWN_GRACE_MS", (env) => positiveInt(env, 10_000, "milliseconds").pipe(Config.map(Duration.millis)), {
    name: "shutdown-grace-ms",
    value: "<ms>",
    description: "On SIGTERM, time for calls in flight to finish",
    show: ms
  }),
  allowedOrigins: setting("ALLOWED_ORIGINS", list, {
    name: "allowed-origins",
    value: "<list>",
    description: "Browser origins allowed besides loopback, comma-separated",
    show: orNone
  }),
  logFormat: setting("LOG_FORMAT", (env) => Config.literal("pretty", "json")(env).pipe(Config.withDefault("pretty" as const)), {
    name: "log-format",
    value: "<pretty|json>",
    description: "Log lines for people or for collectors",
    show: String
  }),
  logLevel: setting("LOG_LEVEL", (env) => Config.logLevel(env).pipe(Config.withDefault(LogLevel.Info)), {
    name: "log-level",
    value: "<level>",
    description: "Least severe level logged: debug, info, warn, error or off",
    show: (level) => level.label.toLowerCase()
  }),
  otelEndpoint: setting("OTEL_EXPORTER_OTLP_ENDPOINT", (env) => Config.option(Config.string(env)), {
    name: "otel-exporter-otlp-endpoint",
    value: "<url>",
    description: "Send OpenTelemetry traces there over OTLP/HTTP",
    show: Option.getOrElse(() => "off")
  }),
  toolsets: setting("LITELLM_MCP_TOOLSETS", (env) => Config.option(items(env)), {
    name: "toolsets",
    value: "<list>",
    description: "Toolsets to expose (routes, keys, spend, activity, users, teams, team-admin, models, deployments, " +
      "budgets, orgs, customers) or all; caller, with litellm_whoami, comes with any",
    show: Option.match({ onNone: () => "caller,routes,keys,spend", onSome: (l) => l.join(",") })
  }),
  tools: setting("LITELLM_MCP_TOOLS", (env) => Config.option(items(env)), {
    name: "tools",
    value: "<list>",
    description: "Single tools to expose, adding to --toolsets",
    show: Option.match({ onNone: () => "none", onSome: (l) => l.join(",") })
  }),
  routeClasses: setting("LITELLM_MCP_ROUTE_CLASSES", list, {
    name: "route-classes",
    value: "<list>",
    description: "Excluded route classes the route tier may call anyway: spend-reset, cache, config, model-serving",
    show: orNone
  }),
  allowedHosts: setting("ALLOWED_HOSTS", list, {
    name: "allowed-hosts",
    value: "<list>",
    description: "Host names allowed besides loopback, comma-separated",
    show: orNone
  }),
  callerCheckTtl: setting("CALLER_CHECK_TTL_MS", (env) => positiveInt(env, 30_000, "milliseconds").pipe(Config.map(Duration.millis)), {
    name: "caller-check-ttl-ms",
    value: "<ms>",
    description: "How long LiteLLM's answer about a caller's key is reused at connect and for the tool list",
    show: ms
  }),
  maxCallsInFlight: setting("MAX_CALLS_IN_FLIGHT", (env) => positiveInt(env, callsInFlightForHeap(), "calls"), {
    name: "max-calls-in-flight",
    value: "<calls>",
    description: "Most MCP requests served at once; past it 503 with Retry-After (default: from the heap limit)",
    show: String
  }),
  maxLitellmConnections: setting("MAX_LITELLM_CONNECTIONS", (env) => positiveInt(env, 64, "connections"), {
    name: "max-litellm-connections",
    value: "<n>",
    description: "Most connections open to LiteLLM at once; more requests wait for one",
    show: String
  }),
  callerCheckCacheSize: setting("CALLER_CHECK_CACHE_SIZE", (env) => positiveInt(env, 10_000, "keys"), {
    name: "caller-check-cache-size",
    value: "<keys>",
    description: "Most keys whose answer is kept (by the key's hash, never the key)",
    show: String
  }),
  // Boolean flags of their own (--read-only, --no-tailor), so no flag here.
  readOnly: setting("LITELLM_MCP_READ_ONLY", (env) => Config.boolean(env).pipe(Config.withDefault(false))),
  tailor: setting("LITELLM_MCP_TAILOR", (env) => Config.boolean(env).pipe(Config.withDefault(true))),
  // Only for --demo: the sandbox's admin key, fixed so a saved client config survives a restart.
  demoKey: setting("LITELLM_MCP_DEMO_KEY", (env) =>
    Config.option(Config.redacted(env)).pipe(
      Config.mapOrFail((key) =>
        Option.isSome(key) && !/^sk-[\x21-\x7e]{8,}$/.test(Redacted.value(key.value))
          ? Either.left(ConfigError.InvalidData([env], "must be a key starting with sk- and at least 11 characters long"))
          : Either.right(key)
      )
    )),
  // Only for --stdio, where no request carries a header (see requireMode).
  litellmApiKey: setting("LITELLM_API_KEY", (env) =>
    Config.option(Config.redacted(env)).pipe(
      Config.mapOrFail((key) =>
        Option.isSome(key) && !Redacted.value(key.value).startsWith("sk-")
          ? Either.left(ConfigError.InvalidData([env], "must be a LiteLLM key starting with sk-"))
          : Either.right(key)
      )
    ))
}

type Settings = typeof settings

/**
 * Every setting, read from the environment (or, from the command line, flags first). A LiteLLM
 * request starts only when its own timeout fits in the call's, so a timeout longer than
 * TOOL_TIMEOUT_MS would make every such request fail unsent: refused at start-up instead.
 */
export const appConfig = Config.all(
  Object.fromEntries(Object.entries(settings).map(([key, s]) => [key, s.config])) as {
    readonly [K in keyof Settings]: Settings[K]["config"]
  }
).pipe(Config.mapOrFail((values) => {
  for (const [env, timeout] of [["LITELLM_TIMEOUT_MS", values.litellmTimeout], ["LITELLM_WRITE_TIMEOUT_MS", values.litellmWriteTimeout]] as const) {
    if (Duration.toMillis(timeout) > values.toolTimeoutMs) {
      return Either.left(ConfigError.InvalidData(
        [env],
        `must not be longer than TOOL_TIMEOUT_MS (${values.toolTimeoutMs}): a LiteLLM request starts only when its own timeout fits in the call's`
      ))
    }
  }
  return Either.right(values)
}))

export type Values = Config.Config.Success<typeof appConfig>

/** The command line's flags, each its environment variable's other name, as `--help` shows them. */
export const flags: ReadonlyArray<{
  readonly env: string
  readonly name: string
  readonly value: string
  readonly description: string
  readonly show: (values: Values) => string
}> = Object.entries(settings).flatMap(([key, s]) => {
  const flag = (s as Setting<unknown>).flag
  return flag === undefined
    ? []
    : [{ env: s.env, name: flag.name, value: flag.value, description: flag.description, show: (v: Values) => flag.show(v[key as keyof Values]) }]
})

/**
 * Which settings each mode allows: a key in the server's own environment would, over HTTP, be a
 * key for whoever can reach it; stdio has no request to carry one, so it needs it.
 */
export const requireMode = (values: Values, mode: "http" | "stdio"): Effect.Effect<void, ConfigError.ConfigError> =>
  mode === "http" && Option.isSome(values.litellmApiKey)
    ? Effect.fail(ConfigError.InvalidData(["LITELLM_API_KEY"], "is only for --stdio; over HTTP each caller sends its own key"))
    : mode === "stdio" && Option.isNone(values.litellmApiKey)
    ? Effect.fail(ConfigError.MissingData(["LITELLM_API_KEY"], "is required with --stdio: the LiteLLM key this client acts with"))
    : Effect.void

export class AppConfig extends Effect.Service<AppConfig>()("app/AppConfig", { effect: appConfig }) {}
