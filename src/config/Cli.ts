import { ConfigProvider, Effect } from "effect"
import { parseArgs } from "node:util"
import { appConfig, flags } from "./AppConfig.js"
import * as Package from "../Package.js"

const help = (): string => {
  const defaults = Effect.runSync(Effect.withConfigProvider(appConfig, ConfigProvider.fromMap(new Map())))
  const rows = [
    ...flags.map((f) => [`  --${f.name} ${f.value}`, f.env, `${f.description} (default: ${f.show(defaults)})`]),
    ["  --read-only", "LITELLM_MCP_READ_ONLY", "Expose only tools that change nothing (default: false)"],
    [
      "  --no-tailor",
      "LITELLM_MCP_TAILOR",
      "List every allowed tool to every key, not only those LiteLLM would let it use (variable default: true)"
    ],
    ["  --stdio", "", "Serve one client on stdin/stdout instead of HTTP; needs LITELLM_API_KEY (refused over HTTP)"],
    [
      "  --demo",
      "",
      "Try it without LiteLLM: serve against a built-in sandbox with sample data, and print a key (with --stdio: on stdio)"
    ],
    ["  -h, --help", "", "Show this text"],
    ["  -v, --version", "", "Show the version"]
  ]
  const width = (i: number) => Math.max(...rows.map((r) => r[i]!.length))
  return [
    `${Package.name} ${Package.version}: an MCP server that lets AI agents administer a LiteLLM Proxy`,
    "with the caller's own key (Authorization: Bearer sk-… on every request to /mcp).",
    "",
    `Usage: ${Package.name} [options]`,
    "",
    "Options, each also settable by its environment variable (a flag wins):",
    ...rows.map((r) => `${r[0]!.padEnd(width(0))}  ${r[1]!.padEnd(width(1))}  ${r[2]}`),
    ""
  ].join("\n")
}

export type Command =
  | {
    readonly _tag: "Serve"
    readonly mode: "http" | "stdio" | "demo" | "demo-stdio"
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
        ...Object.fromEntries(flags.map((f) => [f.name, { type: "string" as const }])),
        stdio: { type: "boolean" },
        "read-only": { type: "boolean" },
        "no-tailor": { type: "boolean" },
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
  if (values["version"] === true) return { _tag: "Print", text: `${Package.version}\n` }
  const fromEnv = Object.entries(env).flatMap(([name, value]) => value === undefined ? [] : [[name, value] as const])
  const fromFlags = flags.flatMap((f) => typeof values[f.name] === "string" ? [[f.env, values[f.name] as string] as const] : [])
  const readOnly = values["read-only"] === true ? [["LITELLM_MCP_READ_ONLY", "true"] as const] : []
  const tailor = values["no-tailor"] === true ? [["LITELLM_MCP_TAILOR", "false"] as const] : []
  return {
    _tag: "Serve",
    mode: values["demo"] === true
      ? (values["stdio"] === true ? "demo-stdio" : "demo")
      : values["stdio"] === true
      ? "stdio"
      : "http",
    configProvider: ConfigProvider.fromMap(new Map([...fromEnv, ...fromFlags, ...readOnly, ...tailor]))
  }
}
