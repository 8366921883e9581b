// One tree-shaken file: Node then loads a fraction of Effect's modules (start-up ~1.2 s → ~0.4 s),
// and neither the npm package nor the Docker image needs node_modules at run time.
import { build } from "esbuild"
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const outdir = process.env["OUT_DIR"] ?? "dist"
rmSync(outdir, { recursive: true, force: true })

// What the bundle takes of undici: its Agent, the one piece this server runs (the LiteLLM transport
// dispatches on it). @effect/platform-node re-exports the whole package (`export * from "undici"`),
// which esbuild cannot shake out of CommonJS: a megabyte of fetch, WebSocket, cache and mock code,
// parsed and kept in the heap from start-up. That re-export's one user, the platform's HTTP
// client, never runs here; it is given the global dispatcher's getter too, without installing one.
const undiciAgentOnly = {
  name: "undici-agent-only",
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: "undici", namespace: "undici-agent-only" }))
    b.onLoad({ filter: /.*/, namespace: "undici-agent-only" }, () => ({
      contents: [
        'import Agent from "undici/lib/dispatcher/agent.js"',
        // undici's own lib/global.js would install an Agent as Node's global dispatcher on load.
        'const getGlobalDispatcher = () => globalThis[Symbol.for("undici.globalDispatcher.1")]',
        "export { Agent, getGlobalDispatcher }",
        "export default { Agent, getGlobalDispatcher }"
      ].join("\n"),
      resolveDir: process.cwd()
    }))
  }
}

const result = await build({
  plugins: [undiciAgentOnly],
  entryPoints: ["src/main.ts"],
  outdir,
  // Code reached only by import() (OpenTelemetry) goes to chunks that load only when used.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Maps beside the files, without a sourceMappingURL comment: the package and the image ship
  // none, and a comment would point at a file that is not there.
  sourcemap: "external",
  minifySyntax: true,
  // Without comments the bundle is ASCII, which V8 keeps at a byte a character: one comment's
  // curly quote (zod's, undici's) doubles the heap a whole chunk's source takes. Names stay.
  minifyWhitespace: true,
  // Licence texts go, whole, into THIRD_PARTY_NOTICES.txt (below), not as extracted comments.
  legalComments: "none",
  metafile: true,
  // CommonJS dependencies bundled into ESM still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: "warning"
})

// Every package whose code is in the bundle, with its licence text: the notices its licence asks
// to ship with copies of it (Apache-2.0 NOTICE files included).
const packageRoot = (file) => {
  const parts = file.split("/")
  const at = parts.lastIndexOf("node_modules")
  if (at < 0) return undefined
  return parts.slice(0, at + (parts[at + 1]?.startsWith("@") ? 3 : 2)).join("/")
}
const roots = [...new Set(Object.keys(result.metafile.inputs).map(packageRoot).filter((r) => r !== undefined))].sort()
const notices = roots.map((root) => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
  const texts = existsSync(root)
    ? readdirSync(root).filter((f) => /^(licen[cs]e|notice|copying)/i.test(f)).map((f) => readFileSync(join(root, f), "utf8").trim())
    : []
  const license = typeof pkg.license === "string" ? pkg.license : "see below"
  return [`${pkg.name}@${pkg.version} (${license})`, ...(texts.length > 0 ? texts : [`No licence file ships with ${pkg.name}; its package.json says ${license}.`])].join("\n\n")
})
const own = readFileSync("LICENSE", "utf8").trim()
writeFileSync(
  join(outdir, "THIRD_PARTY_NOTICES.txt"),
  [`litellm-admin-mcp bundles the following packages. Its own licence:\n\n${own}`, ...notices].join(`\n\n${"-".repeat(78)}\n\n`) + "\n"
)

