import { readFileSync } from "node:fs"

// One source of truth for name and version, read from src/ in tests and from dist/ when installed.
export const { name, version } = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8")
) as { readonly name: string; readonly version: string }
