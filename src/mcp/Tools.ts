import * as Keys from "../resources/Keys.js"
import * as Models from "../resources/Models.js"
import * as Spend from "../resources/Spend.js"
import * as Teams from "../resources/Teams.js"
import * as Users from "../resources/Users.js"
import type { Tool } from "./Tool.js"

/** Tools grouped as operators enable them: one toolset per LiteLLM resource module. */
export const toolsets: Readonly<Record<string, ReadonlyArray<Tool>>> = {
  users: Users.tools,
  keys: Keys.tools,
  spend: Spend.tools,
  teams: Teams.tools,
  models: Models.tools
}

export const all: ReadonlyArray<Tool> = Object.values(toolsets).flat()

export const byName: ReadonlyMap<string, Tool> = new Map(all.map((tool) => [tool.definition.name, tool]))
