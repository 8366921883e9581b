// What a tools/list costs an agent: the whole listing, and the part clients put in the model's
// context (each tool's name, title, description and inputSchema), for all tools and per toolset.
import type { KeyAccess } from "../src/litellm/Access.js"
import { Policy } from "../src/mcp/ToolPolicy.js"
import * as Tools from "../src/resources/Tools.js"

// A rough count: about four bytes a token for JSON and English alike.
const tokens = (bytes: number) => Math.round(bytes / 4)

type Definition = (typeof Tools.all)[number]["definition"]

const sizes = (defs: ReadonlyArray<Definition>) => {
  const whole = Buffer.byteLength(JSON.stringify({ tools: defs }))
  const model = Buffer.byteLength(
    JSON.stringify(defs.map((d) => ({ name: d.name, title: d.title, description: d.description, inputSchema: d.inputSchema })))
  )
  return { tools: defs.length, "listing bytes": whole, "listing ~tokens": tokens(whole), "model-facing bytes": model, "model-facing ~tokens": tokens(model) }
}

// What a key of each kind is listed when the list is tailored to it (LITELLM_MCP_TAILOR, the default).
const asKey = (role: KeyAccess["role"], teamAdminOf: ReadonlyArray<string> = []) =>
  sizes(new Policy(Tools.registry).listedFor({ role, allowedRoutes: [], teamAdminOf, orgAdmin: false }))

export const printListingSizes = () => {
  const definitionsOf = (tools: ReadonlyArray<(typeof Tools.all)[number]>) => tools.map((t) => t.definition)
  console.log(
    "\ntools/list sizes (the default toolsets, all tools, each toolset as --toolsets would expose it, then as listed to each kind of key):"
  )
  console.table({
    [`default (${Tools.registry.defaults.join(",")})`]: sizes(definitionsOf(Tools.registry.defaults.flatMap((s) => Tools.toolsets[s]!))),
    all: sizes(definitionsOf(Tools.all)),
    ...Object.fromEntries(Object.entries(Tools.toolsets).map(([name, tools]) => [name, sizes(definitionsOf(tools))])),
    "read-only": sizes(definitionsOf(Tools.all.filter((t) => t.definition.annotations?.readOnlyHint === true))),
    "key: team admin": asKey("internal_user", ["t"]),
    "key: internal_user": asKey("internal_user"),
    "key: proxy_admin_viewer": asKey("proxy_admin_viewer"),
    "key: internal_user_viewer": asKey("internal_user_viewer")
  })
}
