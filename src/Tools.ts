import * as Keys from "./resources/Keys.js"
import * as Spend from "./resources/Spend.js"
import * as Users from "./resources/Users.js"
import type { Tool } from "./Tool.js"

export const all: ReadonlyArray<Tool> = [...Users.tools, ...Keys.tools, ...Spend.tools]

export const byName: ReadonlyMap<string, Tool> = new Map(all.map((tool) => [tool.definition.name, tool]))
