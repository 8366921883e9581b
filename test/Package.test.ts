import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
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

  it("is ASCII, and holds of undici its Agent alone", () => {
    // What the server keeps in its heap from start-up: a non-ASCII character anywhere in a chunk
    // makes V8 keep that chunk's source at two bytes a character, and undici's package root
    // brings fetch, its mocks and its caches (build.mjs).
    for (const script of files(dist).filter((f) => f.endsWith(".js"))) {
      const text = readFileSync(script, "utf8")
      expect(/[^\x00-\x7f]/.test(text), script).toBe(false)
      expect(text, script).not.toContain("MockAgent")
      expect(text, script).not.toContain("fetch failed")
    }
  })

  it("package.json ships the bundle, its notices and the licence, and no source maps", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { files: Array<string>; license: string }
    expect(pkg.license).toBe("MIT")
    expect(pkg.files).toEqual(expect.arrayContaining(["dist/**/*.js", "dist/THIRD_PARTY_NOTICES.txt", "LICENSE"]))
    expect(pkg.files.some((f) => f.endsWith(".map"))).toBe(false)
  })
})

describe("the Docker image's build stage", () => {
  it("builds from exactly the files the Dockerfile copies into it", () => {
    // Every file build.mjs reads must be COPY'd before `npm run build`, or the image fails to build
    // while every check on a checkout passes.
    const dockerfile = readFileSync(new URL("../Dockerfile", import.meta.url), "utf8")
    const buildStage = dockerfile.split(/^FROM /m)[1]!
    const copied = [...buildStage.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/))
    expect(copied).toContain("build.mjs")
    const root = fileURLToPath(new URL("..", import.meta.url))
    const stage = mkdtempSync(join(tmpdir(), "image-build-"))
    try {
      for (const entry of copied) cpSync(join(root, entry), join(stage, entry), { recursive: true })
      symlinkSync(join(root, "node_modules"), join(stage, "node_modules"))
      const run = spawnSync(process.execPath, ["build.mjs"], { cwd: stage, encoding: "utf8" })
      expect(run.stderr).toBe("")
      expect(run.status).toBe(0)
      expect(readFileSync(join(stage, "dist", "THIRD_PARTY_NOTICES.txt"), "utf8")).toContain("MIT License")
    } finally {
      rmSync(stage, { recursive: true, force: true })
    }
  }, 60_000)
})
