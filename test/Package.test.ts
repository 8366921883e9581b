import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { inject } from "vitest"

// The bundle as npm packs it and the image copies it (built once per run by BundleSetup.ts).
const dist = dirname(inject("bundle"))
const files = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)])

describe("the shipped package", () => {
  it("has complete licence notices, no dangling source-map reference, and one copy of each chunk", () => {
    const notices = readFileSync(join(dist, "THIRD_PARTY_NOTICES.txt"), "utf8")
    for (const bundled of ["effect@", "@effect/platform@", "@modelcontextprotocol/sdk@", "@opentelemetry/exporter-trace-otlp-http@"]) {
      expect(notices).toContain(`\n${bundled}`)
    }
    expect(notices).toContain("Apache License")
    const scripts = files(dist).filter((f) => f.endsWith(".js"))
    for (const script of scripts) expect(readFileSync(script, "utf8")).not.toContain("sourceMappingURL")
    // A module bundled twice (two versions of one dependency) shows as two named chunks.
    const names = scripts.map((f) => f.split("/").pop()!.replace(/-[A-Z0-9]{8}\.js$/, "")).filter((n) => n !== "chunk")
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([])
  })

  it("package.json ships the bundle, its notices and the licence, and no source maps", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { files: Array<string>; license: string }
    expect(pkg.license).toBe("MIT")
    expect(pkg.files).toEqual(expect.arrayContaining(["dist/**/*.js", "dist/THIRD_PARTY_NOTICES.txt", "LICENSE"]))
    expect(pkg.files.some((f) => f.endsWith(".map"))).toBe(false)
  })
})
