import { Context } from "effect"
import type { Tool } from "./Tool.js"

/** The tools this server offers, grouped in toolsets as operators enable them. */
export interface Registry {
  readonly toolsets: Readonly<Record<string, ReadonlyArray<Tool>>>
  readonly all: ReadonlyArray<Tool>
  readonly byName: ReadonlyMap<string, Tool>
  /** The tool that calls each LiteLLM route, by the route it cannot do without. */
  readonly byRoute: ReadonlyMap<string, Tool>
  /** The toolsets served when the operator names none: the daily work, within a small context. */
  readonly defaults: ReadonlyArray<string>
}

/** The name that chooses every toolset. */
export const ALL = "all"

export const make = (
  toolsets: Readonly<Record<string, ReadonlyArray<Tool>>>,
  defaults: ReadonlyArray<string> = Object.keys(toolsets)
): Registry => {
  const all = Object.values(toolsets).flat()
  return {
    toolsets,
    all,
    defaults,
    byName: new Map(all.map((tool) => [tool.name, tool])),
    byRoute: new Map(
      all.flatMap((tool) => tool.needs === null || tool.needs.anyRoute === true ? [] : [[tool.needs.route, tool] as const]).reverse()
    )
  }
}

/** The registry the MCP layer serves; the resources provide it (resources/Tools.ts). */
export class ToolRegistry extends Context.Tag("app/ToolRegistry")<ToolRegistry, Registry>() {}
