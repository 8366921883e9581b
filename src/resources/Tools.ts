import { Layer } from "effect"
import { make, ToolRegistry } from "../mcp/Tools.js"
import * as Activity from "./Activity.js"
import * as Budgets from "./Budgets.js"
import * as Caller from "./Caller.js"
import * as Customers from "./Customers.js"
import * as Deployments from "./Deployments.js"
import * as Keys from "./Keys.js"
import * as Models from "./Models.js"
import * as Organizations from "./Organizations.js"
import * as Spend from "./Spend.js"
import * as TeamAdmin from "./TeamAdmin.js"
import * as Teams from "./Teams.js"
import * as Users from "./Users.js"
import * as RouteTier from "../routes/RouteTier.js"

const resources = {
  users: Users.tools,
  keys: Keys.tools,
  spend: Spend.tools,
  activity: Activity.tools,
  teams: Teams.tools,
  "team-admin": TeamAdmin.tools,
  models: Models.tools,
  deployments: Deployments.tools,
  budgets: Budgets.tools,
  orgs: Organizations.tools,
  customers: Customers.tools,
  routes: RouteTier.tools
}

/**
 * Every tool, one toolset per LiteLLM resource module; `caller` (litellm_whoami) first, as agents
 * should call it. By default: the caller, the route tier that reaches every management route, and
 * the families most used, so the listing fits a small context; the rest is one toolset away.
 */
export const registry = make(
  { caller: [Caller.whoami(Object.values(resources).flat())], ...resources },
  ["caller", "routes", "keys", "spend"]
)

export const { all, byName, toolsets } = registry

export const layer = Layer.succeed(ToolRegistry, registry)
