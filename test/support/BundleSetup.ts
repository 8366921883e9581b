import { execFileSync } from "node:child_process"
import { copyFileSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    /** The built bundle's entry point, as `npm run build` makes it and the package ships it. */
    readonly bundle: string
  }
}

/**
 * Builds the bundle once for the whole run: the process tests start what people run, not the
 * TypeScript source (a bundle-only failure, such as a CommonJS export lost in a chunk, shows).
 */
export default function setup(project: TestProject) {
  const root = new URL("../..", import.meta.url).pathname
  const dir = mkdtempSync(join(tmpdir(), "litellm-admin-mcp-bundle-"))
  execFileSync(process.execPath, ["build.mjs"], { cwd: root, env: { ...process.env, OUT_DIR: join(dir, "dist") } })
  // The bundle reads its name and version from the package.json beside dist/, as when installed.
  copyFileSync(join(root, "package.json"), join(dir, "package.json"))
  project.provide("bundle", join(dir, "dist", "main.js"))
  return () => rmSync(dir, { recursive: true, force: true })
}
