import type { Tool as McpTool } from "@modelcontextprotocol/sdk/types.js"
import { ConfigError, Effect, Option } from "effect"
import { AppConfig } from "../config/AppConfig.js"
import { type KeyAccess, refusal } from "../litellm/Access.js"
import type { Tool } from "./Tool.js"
import { ALL, type Registry, ToolRegistry } from "./Tools.js"

/** What the settings and headers decide a tool by: its name and annotations, known without its schemas. */
type ToolMeta = Pick<Tool, "name" | "annotations">

/**
 * Which tools a caller may see and call, and for each hidden one the setting that hides it, so a
 * call to it can say what to change. The operator's settings decide; a request may only narrow.
 */
export class Policy {
  private shown: ReadonlyArray<McpTool> | undefined

  constructor(readonly registry: Registry, private readonly hidden: ReadonlyMap<string, string> = new Map()) {}

  /** The definitions of the tools not hidden, built at the first listing rather than at start-up. */
  get definitions(): ReadonlyArray<McpTool> {
    return this.shown ??= this.registry.all.filter((t) => !this.hidden.has(t.name)).map((t) => t.definition)
  }

  /** The toolset that holds the tool `name`. */
  toolsetOf(name: string): string | undefined {
    return toolsetOf(this.registry, name)
  }

  /** Why `name` is hidden, or undefined when it may be called. */
  hiddenBy(name: string): string | undefined {
    return this.hidden.get(name)
  }

  /**
   * What a key is offered: the tools LiteLLM may let it use. Never more than the settings allow,
   * and only a listing: a call to a tool left out here still goes to LiteLLM, which decides.
   */
  listedFor(access: KeyAccess | undefined): ReadonlyArray<McpTool> {
    return access === undefined
      ? this.definitions
      : this.definitions.filter((d) => refusal(access, this.registry.byName.get(d.name)!.needs) === undefined)
  }

  /** Hides, besides what is hidden already, every tool `allowed` rules out, each for `reason`. */
  restrict(allowed: (tool: ToolMeta) => boolean, reason: string | ((tool: ToolMeta) => string)): Policy {
    const hidden = new Map(this.hidden)
    for (const tool of this.registry.all) {
      if (!hidden.has(tool.name) && !allowed(tool)) {
        hidden.set(tool.name, typeof reason === "string" ? reason : reason(tool))
      }
    }
    return new Policy(this.registry, hidden)
  }

  /**
   * Narrows by the request headers `X-MCP-Tools` (tool or toolset names) and `X-MCP-Readonly`,
   * every copy of each as sent: they can only take away from what the operator allowed. Each
   * X-MCP-Tools copy narrows further (lists intersect); any X-MCP-Readonly value but `false`
   * means read-only, so a gateway's `true` cannot be undone by an agent's `false`.
   */
  narrow(headers: { readonly tools: ReadonlyArray<string>; readonly readonly: ReadonlyArray<string> }): Policy {
    let policy: Policy = this
    for (const copy of headers.tools) {
      const expanded = chosenTools(this.registry, copy.split(",").map((n) => n.trim()).filter((n) => n !== ""))
      policy = policy.restrict((d) => expanded.has(d.name), "the X-MCP-Tools header of this request")
    }
    const readonly = headers.readonly.flatMap((copy) => copy.split(",")).map((v) => v.trim().toLowerCase())
    if (readonly.length > 0 && !readonly.every((v) => v === "false")) {
      policy = policy.restrict((d) => d.annotations?.readOnlyHint === true, "the X-MCP-Readonly header of this request")
    }
    return policy
  }
}

/** A toolset's tool names, or none: looked up as an own property, never as `constructor` or `__proto__`. */
const toolsetMembers = (registry: Registry, name: string): ReadonlyArray<string> =>
  name === ALL
    ? registry.all.map((t) => t.name)
    : Object.hasOwn(registry.toolsets, name)
    ? registry.toolsets[name]!.map((t) => t.name)
    : []

/**
 * The tools that tool and toolset names choose. Any toolset brings `caller` (litellm_whoami) along:
 * an agent needs to know who it acts as whatever it manages; tool names alone are exact.
 */
const chosenTools = (registry: Registry, names: ReadonlyArray<string>): ReadonlySet<string> => {
  const sets = names.some((n) => toolsetMembers(registry, n).length > 0) ? [...names, "caller"] : names
  return new Set(sets.flatMap((n) => [n, ...toolsetMembers(registry, n)]))
}

const toolsetOf = (registry: Registry, tool: string): string | undefined =>
  Object.entries(registry.toolsets).find(([, tools]) => tools.some((t) => t.name === tool))?.[0]

const unknownNames = (given: ReadonlyArray<string>, known: ReadonlyArray<string>) =>
  given.filter((name) => !known.includes(name))

/** The operator's policy, from LITELLM_MCP_TOOLSETS, LITELLM_MCP_TOOLS and LITELLM_MCP_READ_ONLY. */
export class ToolPolicy extends Effect.Service<ToolPolicy>()("app/ToolPolicy", {
  effect: Effect.gen(function*() {
    const config = yield* AppConfig
    const registry = yield* ToolRegistry
    const toolsetNames = [...Object.keys(registry.toolsets), ALL]
    const toolNames = [...registry.byName.keys()]
    const badSets = unknownNames(Option.getOrElse(config.toolsets, () => []), toolsetNames)
    if (badSets.length > 0) {
      return yield* Effect.fail(ConfigError.InvalidData(
        ["LITELLM_MCP_TOOLSETS"],
        `unknown toolset ${badSets.join(", ")}; the toolsets are ${toolsetNames.join(", ")}`
      ))
    }
    const badTools = unknownNames(Option.getOrElse(config.tools, () => []), toolNames)
    if (badTools.length > 0) {
      return yield* Effect.fail(ConfigError.InvalidData(["LITELLM_MCP_TOOLS"], `unknown tool ${badTools.join(", ")}`))
    }
    // Toolsets and single tools add up; single tools alone choose exactly what they name, and
    // neither set serves the registry's default toolsets.
    const named = [...Option.getOrElse(config.toolsets, () => []), ...Option.getOrElse(config.tools, () => [])]
    const chosen = chosenTools(registry, named.length > 0 ? named : registry.defaults)
    let policy = new Policy(registry).restrict(
      (d) => chosen.has(d.name),
      named.length > 0
        ? () => "LITELLM_MCP_TOOLSETS / LITELLM_MCP_TOOLS"
        : (d) =>
          `the default toolsets (${registry.defaults.join(", ")}): add ${toolsetOf(registry, d.name)} to ` +
          `LITELLM_MCP_TOOLSETS (or --toolsets ${ALL})`
    )
    if (config.readOnly) {
      policy = policy.restrict((d) => d.annotations?.readOnlyHint === true, "LITELLM_MCP_READ_ONLY=true")
    }
    return { policy } as const
  }),
  dependencies: [AppConfig.Default]
}) {}
