import { Config, ConfigProvider, Duration, Effect, Option } from "effect"
import { parseArgs } from "node:util"
import { appConfig } from "./AppConfig.js"
import * as Package from "../Package.js"

type Settings = Config.Config.Success<typeof appConfig>

interface Setting {
  readonly env: string
  readonly flag: string
  readonly value: string
  readonly description: string
  readonly show: (settings: Settings) => string
}

// Each flag is its environment variable's other name: both feed the one AppConfig.
const settings: ReadonlyArray<Setting> = [
  {
    env: "LITELLM_BASE_URL",
    flag: "litellm-base-url",
    value: "<url>",
    description: "The LiteLLM Proxy every call goes to",
    show: (s) => s.litellmBaseUrl
  },
  { env: "PORT", flag: "port", value: "<port>", description: "Port to listen on", show: (s) => String(s.port) },
  { env: "HOST", flag: "host", value: "<address>", description: "Address to listen on", show: (s) => s.host },
  {
    env: "LITELLM_TIMEOUT_MS",
    flag: "litellm-timeout-ms",
    value: "<ms>",
    description: "Wait this long for LiteLLM, then answer 504",
    show: (s) => String(Duration.toMillis(s.litellmTimeout))
  },
  {
    env: "MAX_BODY_BYTES",
    flag: "max-body-bytes",
    value: "<bytes>",
    description: "Largest request body; larger is 413",
    show: (s) => String(s.maxBodyBytes)
  },
  {
    env: "MAX_RESULT_BYTES",
    flag: "max-result-bytes",
    value: "<bytes>",
    description: "Largest tool result; a longer page is cut, with the next page named",
    show: (s) => String(s.maxResultBytes)
  },
  {
    env: "MAX_LITELLM_RESPONSE_BYTES",
    flag: "max-litellm-response-bytes",
    value: "<bytes>",
    description: "Largest answer read from LiteLLM; larger is 502",
    show: (s) => String(s.maxLitellmResponseBytes)
  },
  {
    env: "TOOL_TIMEOUT_MS",
    flag: "tool-timeout-ms",
    value: "<ms>",
    description: "One tool call's time for all its LiteLLM requests",
    show: (s) => String(s.toolTimeoutMs)
  },
  {
    env: "HEADERS_TIMEOUT_MS",
    flag: "headers-timeout-ms",
    value: "<ms>",
    description: "Time a client has to send a request's headers",
    show: (s) => String(s.headersTimeoutMs)
  },
  {
    env: "REQUEST_TIMEOUT_MS",
    flag: "request-timeout-ms",
    value: "<ms>",
    description: "Time a client has to send a whole request",
    show: (s) => String(s.requestTimeoutMs)
  },
  {
    env: "SHUTDOWN_GRACE_MS",
    flag: "shutdown-grace-ms",
    value: "<ms>",
    description: "On SIGTERM, time for calls in flight to finish",
    show: (s) => String(Duration.toMillis(s.shutdownGrace))
  },
  {
    env: "ALLOWED_ORIGINS",
    flag: "allowed-origins",
    value: "<list>",
    description: "Browser origins allowed besides loopback, comma-separated",
    show: (s) => s.allowedOrigins.join(",") || "none"
  },
  {
    env: "LOG_FORMAT",
    flag: "log-format",
    value: "<pretty|json>",
    description: "Log lines for people or for collectors",
    show: (s) => s.logFormat
  },
  {
    env: "LOG_LEVEL",
    flag: "log-level",
    value: "<level>",
    description: "Least severe level logged: debug, info, warn, error or off",
    show: (s) => s.logLevel.label.toLowerCase()
  },
  {
    env: "OTEL_EXPORTER_OTLP_ENDPOINT",
    flag: "otel-exporter-otlp-endpoint",
    value: "<url>",
    description: "Send OpenTelemetry traces there over OTLP/HTTP",
    show: (s) => Option.getOrElse(s.otelEndpoint, () => "off")
  },
  {
    env: "LITELLM_MCP_TOOLSETS",
    flag: "toolsets",
    value: "<list>",
    description: "Toolsets to expose: users, keys, spend, teams, models",
    show: (s) => Option.match(s.toolsets, { onNone: () => "all", onSome: (l) => l.join(",") })
  },
  {
    env: "LITELLM_MCP_TOOLS",
    flag: "tools",
    value: "<list>",
    description: "Single tools to expose, adding to --toolsets",
    show: (s) => Option.match(s.tools, { onNone: () => "none", onSome: (l) => l.join(",") })
  },
  {
    env: "ALLOWED_HOSTS",
    flag: "allowed-hosts",
    value: "<list>",
    description: "Host names allowed besides loopback, comma-separated",
    show: (s) => s.allowedHosts.join(",") || "none"
  }
]

const help = (): string => {
  const defaults = Effect.runSync(Effect.withConfigProvider(appConfig, ConfigProvider.fromMap(new Map())))
  const rows = settings.map((s) => [`  --${s.flag} ${s.value}`, s.env, `${s.description} (default: ${s.show(defaults)})`])
  const width = (i: number) => Math.max(...rows.map((r) => r[i]!.length))
  return [
    `${Package.name} ${Package.version}: an MCP server that lets AI agents administer a LiteLLM Proxy`,
    "with the caller's own key (Authorization: Bearer sk-… on every request to /mcp).",
    "",
    `Usage: ${Package.name} [options]`,
    "",
    "Options, each also settable by its environment variable (a flag wins):",
    ...rows.map((r) => `${r[0]!.padEnd(width(0))}  ${r[1]!.padEnd(width(1))}  ${r[2]}`),
    "  --read-only".padEnd(width(0)) + "  " + "LITELLM_MCP_READ_ONLY".padEnd(width(1)) +
    "  Expose only tools that change nothing (default: false)",
    "  --stdio".padEnd(width(0)) + "  " + "".padEnd(width(1)) +
    "  Serve one client on stdin/stdout instead of HTTP; needs LITELLM_API_KEY (refused over HTTP)",
    "  --demo".padEnd(width(0)) + "  " + "".padEnd(width(1)) +
    "  Try it without LiteLLM: serve against a built-in sandbox with sample data, and print a key",
    "  -h, --help".padEnd(width(0)) + "  " + "".padEnd(width(1)) + "  Show this text",
    "  -v, --version".padEnd(width(0)) + "  " + "".padEnd(width(1)) + "  Show the version",
    ""
  ].join("\n")
}

export type Command =
  | {
    readonly _tag: "Serve"
    readonly mode: "http" | "stdio" | "demo"
    readonly configProvider: ConfigProvider.ConfigProvider
  }
  | { readonly _tag: "Print"; readonly text: string }
  | { readonly _tag: "Invalid"; readonly message: string }

/**
 * What the command line asks for. Flags overlay the environment in one config source, so an
 * invalid flag is an error, never a silent fall-back to the variable it overrides.
 */
export const parse = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Command => {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: [...args],
      options: {
        ...Object.fromEntries(settings.map((s) => [s.flag, { type: "string" as const }])),
        stdio: { type: "boolean" },
        "read-only": { type: "boolean" },
        demo: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" }
      },
      strict: true,
      allowPositionals: false
    }).values
  } catch (error) {
    return { _tag: "Invalid", message: (error as Error).message }
  }
  if (values["help"] === true) return { _tag: "Print", text: help() }
  if (values["demo"] === true && values["stdio"] === true) {
    return { _tag: "Invalid", message: "--demo serves over HTTP; it cannot be combined with --stdio" }
  }
  if (values["version"] === true) return { _tag: "Print", text: `${Package.version}\n` }
  const fromEnv = Object.entries(env).flatMap(([name, value]) => value === undefined ? [] : [[name, value] as const])
  const fromFlags = settings.flatMap((s) =>
    typeof values[s.flag] === "string" ? [[s.env, values[s.flag] as string] as const] : []
  )
  const readOnly = values["read-only"] === true ? [["LITELLM_MCP_READ_ONLY", "true"] as const] : []
  return {
    _tag: "Serve",
    mode: values["demo"] === true ? "demo" : values["stdio"] === true ? "stdio" : "http",
    configProvider: ConfigProvider.fromMap(new Map([...fromEnv, ...fromFlags, ...readOnly]))
  }
}
