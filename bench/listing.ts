// What a tools/list costs an agent: the whole listing, and the part clients put in the model's
// context (each tool's name, title, description and inputSchema), for all tools and per toolset.
import * as Tools from "../src/resources/Tools.js"

// A rough count: about four bytes a token for JSON and English alike.
const tokens = (bytes: number) => Math.round(bytes / 4)

const sizes = (tools: ReadonlyArray<(typeof Tools.all)[number]>) => {
  const defs = tools.map((t) => t.definition)
  const whole = Buffer.byteLength(JSON.stringify({ tools: defs }))
  const model = Buffer.byteLength(
    JSON.stringify(defs.map((d) => ({ name: d.name, title: d.title, description: d.description, inputSchema: d.inputSchema })))
  )
  return { tools: defs.length, "listing bytes": whole, "listing ~tokens": tokens(whole), "model-facing bytes": model, "model-facing ~tokens": tokens(model) }
}

export const printListingSizes = () => {
  console.log("\ntools/list sizes (all tools, then each toolset as --toolsets would expose it):")
  console.table({
    all: sizes(Tools.all),
    ...Object.fromEntries(Object.entries(Tools.toolsets).map(([name, tools]) => [name, sizes(tools)])),
    "read-only": sizes(Tools.all.filter((t) => t.definition.annotations?.readOnlyHint === true))
  })
}
