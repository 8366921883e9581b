// npm run bench -- --abuse [--dist <dir>]
// The worst requests the hardening review found, each repeated for a few seconds against this
// server (the built bundle, under the image's and the Kubernetes manifest's heap settings), while
// /health is asked every 20 ms: its latency, the server's CPU and peak RSS, and whether it lived.
import { type ChildProcess, fork } from "node:child_process"
import { Agent, request } from "node:http"
import { freePort, waitFor } from "../test/support/Net.js"
import { cpuMs, IMAGE_NODE_FLAGS, memoryMb, postMcp, toolCall } from "./Support.js"

const root = new URL("..", import.meta.url).pathname

const cases: ReadonlyArray<{ readonly name: string; readonly body: string; readonly concurrency: number }> = [
  {
    name: "1 MB call, 500,000 invalid items",
    body: toolCall("litellm_user_delete", { user_ids: Array(500_000).fill(1) }),
    concurrency: 4
  },
  {
    name: "metadata with 25,000 entries, 20 at once",
    body: toolCall("litellm_key_generate", { metadata: Object.fromEntries(Array.from({ length: 25_000 }, (_, i) => [`k${i}`, i])) }),
    concurrency: 20
  },
  {
    name: "metadata with 15,000 entries, 20 at once",
    body: toolCall("litellm_key_generate", { metadata: Object.fromEntries(Array.from({ length: 15_000 }, (_, i) => [`k${i}`, i])) }),
    concurrency: 20
  },
  {
    name: "largest valid: 1,000 metadata entries and 1,000 models, 20 at once",
    body: toolCall("litellm_key_generate", {
      metadata: Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`k${i}`, "v".repeat(100)])),
      models: Array.from({ length: 1_000 }, (_, i) => `model-${i}-${"m".repeat(100)}`)
    }),
    concurrency: 20
  },
  { name: "a 100 MB LiteLLM answer", body: toolCall("litellm_user_list", {}), concurrency: 4 },
  { name: "10 at once, each a 7.9 MiB LiteLLM error of hex runs", body: toolCall("litellm_model_list", {}), concurrency: 10 },
  { name: "100 calls at once, each a valid 7.9 MiB LiteLLM answer", body: toolCall("litellm_team_list", {}), concurrency: 100 },
  { name: "2,000 calls at once, LiteLLM taking 5 s", body: toolCall("litellm_team_info", { team_id: "t" }), concurrency: 2_000 }
]

const startServer = async (litellm: string, dist: string) => {
  const port = await freePort()
  const server: ChildProcess = fork(`${dist}/main.js`, [], {
    cwd: root,
    env: { PATH: process.env["PATH"] ?? "", PORT: String(port), LITELLM_BASE_URL: litellm, LOG_LEVEL: "warn", LITELLM_MCP_TOOLSETS: "all" },
    execArgv: [...IMAGE_NODE_FLAGS],
    // A heap exhausted prints V8's report on stderr: the table says it died, which is enough.
    stdio: ["ignore", "ignore", "ignore", "ipc"]
  })
  const state = { died: undefined as string | undefined }
  server.on("exit", (code, signal) => state.died = `exit ${code ?? signal}`)
  await waitFor(`http://127.0.0.1:${port}/health`)
  return { server, port, state }
}

/** Each case against a fresh server, so one that kills it does not hide the others. */
export const runAbuse = async (litellm: string, dist: string, seconds = 5, only?: string) => {
  const rows = []
  for (const c of cases.filter((c) => only === undefined || c.name.includes(only))) {
    const { server, port, state } = await startServer(litellm, dist)
    const agent = new Agent({ keepAlive: true, maxSockets: c.concurrency })
    const health: Array<number> = []
    const statuses = new Map<string, number>()
    const cpu0 = cpuMs(server.pid!)
    const until = Date.now() + seconds * 1000
    let done = false
    const poll = (async () => {
      const healthAgent = new Agent({ keepAlive: true, maxSockets: 1 })
      while (!done) {
        const started = performance.now()
        await new Promise<void>((resolve) =>
          request({ agent: healthAgent, host: "127.0.0.1", port, path: "/health" }, (res) => {
            res.resume()
            res.on("end", () => resolve())
          }).on("error", () => resolve()).end()
        )
        health.push(performance.now() - started)
        await new Promise((r) => setTimeout(r, 20))
      }
    })()
    let calls = 0
    await Promise.all(Array.from({ length: c.concurrency }, async () => {
      while (Date.now() < until && state.died === undefined) {
        const { status, text } = await postMcp(agent, port, c.body)
        // A tool's own failure travels in a 200: its envelope's status is what the caller met.
        const outcome = status !== 200 || text.includes("\"success\":true")
          ? String(status)
          : `200/${/"status\\?":(\d+)/.exec(text)?.[1] ?? "?"}`
        statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1)
        calls++
      }
    }))
    done = true
    await poll
    health.sort((a, b) => a - b)
    const alive = state.died === undefined
    rows.push({
      case: c.name,
      calls,
      statuses: [...statuses].map(([s, n]) => `${s}×${n}`).join(" "),
      "CPU ms/call": alive ? ((cpuMs(server.pid!) - cpu0) / Math.max(1, calls)).toFixed(1) : "-",
      "/health p99 ms": health[Math.floor(0.99 * (health.length - 1))]?.toFixed(1) ?? "-",
      "/health max ms": health.at(-1)?.toFixed(1) ?? "-",
      "peak RSS MB": alive ? memoryMb(server.pid!, "VmHWM").toFixed(0) : "-",
      alive: state.died ?? "yes"
    })
    agent.destroy()
    server.kill("SIGKILL")
  }
  console.log(`\nhostile requests against ${dist}/main.js (${IMAGE_NODE_FLAGS.join(" ")}), ${seconds} s each, a fresh server each:`)
  console.table(rows)
}
