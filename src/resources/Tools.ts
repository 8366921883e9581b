import { Layer } from "effect"
import { make, ToolRegistry } from "../mcp/Tools.js"
import * as Keys from "./Keys.js"
import * as Models from "./Models.js"
import * as Spend from "./Spend.js"
import * as Teams from "./Teams.js"
import * as Users from "./Users.js"

/** Every tool, one toolset per LiteLLM resource module. */
export const registry = make({
  users: Users.tools,
  keys: Keys.tools,
  spend: Spend.tools,
  teams: Teams.tools,
  models: Models.tools
})

export const { all, byName, toolsets } = registry

export const layer = Layer.succeed(ToolRegistry, registry)
