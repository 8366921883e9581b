// npm run bench [-- --soak] [-- --quick] [-- --abuse [--dist <dir>] [--case <words>]] [-- --ab <distA> <distB>]
// Starts on 127.0.0.1 a fast LiteLLM stand-in, this server (dist/, with Node's defaults and under
// the Docker image's heap settings), the leanest plain-SDK server
// (lean.ts, issue 20's yardstick) and the usual high-level one (baseline.ts), then measures the
// same tool calls through each, interleaved, at several concurrencies.
import { type ChildProcess, fork } from "node:child_process"
import { Agent, request } from "node:http"
import { freePort, waitFor } from "../test/support/Net.js"
import { runAb } from "./ab.js"
import { runAbuse } from "./abuse.js"
import { printListingSizes } from "./listing.js"
import { callOk, cpuMs, IMAGE_NODE_FLAGS, memoryMb, postMcp, TOKEN, toolCall } from "./Support.js"

const args = new Set(process.argv.slice(2))
const QUICK = args.has("--quick")
const SOAK = args.has("--soak")
const ABUSE = args.has("--abuse")
const argv = process.argv.slice(2)
const DIST = argv.includes("--dist") ? argv[argv.indexOf("--dist") + 1]! : "dist"
const root = new URL("..", import.meta.url).pathname

const startProcess = (script: string, env: Record<string, string>, execArgv: Array<string> = []): ChildProcess =>
  fork(script, [], {
    cwd: root,
    env: { PATH: process.env["PATH"] ?? "", ...env },
    execArgv,
    stdio: ["ignore", "ignore", "inherit", "ipc"]
  })

interface Target {
  readonly name: string
  readonly pid: number
  readonly send: (agent: Agent, n: number) => Promise<void>
}

const get = (agent: Agent, port: number, path: string) =>
  new Promise<void>((resolve, reject) => {
    const req = request({ agent, host: "127.0.0.1", port, path, headers: { authorization: TOKEN } }, (res) => {
      res.resume()
      res.on("end", () => res.statusCode === 200 ? resolve() : reject(new Error(String(res.statusCode))))
    })
    req.on("error", reject)
    req.end()
  })

const KEY_LIST = toolCall("litellm_key_list", {})
const USER_INFO = toolCall("litellm_user_info", { user_id: "bench-user" })

const mcpTarget = (name: string, child: ChildProcess, port: number): Target => ({
  name,
  pid: child.pid!,
  send: (agent, n) => callOk(agent, port, n % 2 === 0 ? KEY_LIST : USER_INFO)
})

interface Segment {
  latencies: Array<number>
  wallMs: number
  cpuMs: number
  rssMb: number
}

/** `calls` calls through `target` from `concurrency` keep-alive workers. */
const runSegment = async (target: Target, agent: Agent, concurrency: number, calls: number): Promise<Segment> => {
  const latencies: Array<number> = []
  let next = 0
  const cpu0 = cpuMs(target.pid)
  const t0 = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < calls) {
      const n = next++
      const started = performance.now()
      await target.send(agent, n)
      latencies.push(performance.now() - started)
    }
  }))
  return { latencies, wallMs: performance.now() - t0, cpuMs: cpuMs(target.pid) - cpu0, rssMb: memoryMb(target.pid, "VmRSS") }
}

const percentile = (sorted: Array<number>, p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!

const main = async () => {
  const [standInPort, serverPort, baselinePort, leanPort, imagePort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()]
  const tsx = ["--import", "tsx"]
  const standIn = startProcess("bench/standin.ts", { PORT: String(standInPort) }, tsx)
  const litellm = `http://127.0.0.1:${standInPort}`
  await waitFor(`${litellm}/health`, (status) => status < 500)
  // Logging one JSON line per request, as the Docker image does.
  // Every tool, as the benchmark calls tools of several toolsets (the defaults leave users out).
  const serverEnv = { LITELLM_BASE_URL: litellm, LOG_FORMAT: "json", LITELLM_MCP_TOOLSETS: "all" }
  const server = startProcess("dist/main.js", { ...serverEnv, PORT: String(serverPort) })
  // The same bundle under the heap settings the Docker image and the Kubernetes manifest set.
  const serverImage = startProcess("dist/main.js", { ...serverEnv, PORT: String(imagePort) }, [...IMAGE_NODE_FLAGS])
  const baseline = startProcess("bench/baseline.ts", { PORT: String(baselinePort), LITELLM_BASE_URL: litellm }, tsx)
  const lean = startProcess("bench/lean.ts", { PORT: String(leanPort), LITELLM_BASE_URL: litellm }, tsx)
  const children = [standIn, server, baseline, lean, serverImage]
  const stopAll = () => children.forEach((c) => c.kill("SIGKILL"))
  process.on("exit", stopAll)
  await waitFor(`http://127.0.0.1:${serverPort}/health`)
  await waitFor(`http://127.0.0.1:${imagePort}/health`)
  // The baseline answers GET /mcp with 405: any answer means it is up.
  await waitFor(`http://127.0.0.1:${baselinePort}/mcp`, (status) => status < 500)
  await waitFor(`http://127.0.0.1:${leanPort}/mcp`, (status) => status < 500)

  const direct: Target = {
    name: "direct",
    pid: standIn.pid!,
    send: (agent, n) => get(agent, standInPort, n % 2 === 0 ? "/key/list?return_full_object=true" : "/user/info?user_id=bench-user")
  }
  const ours = mcpTarget("this server", server, serverPort)
  const base = mcpTarget("baseline", baseline, baselinePort)
  const leanest = mcpTarget("lean reference", lean, leanPort)
  const oursImage = mcpTarget("this server, image heap", serverImage, imagePort)
  const targets = [direct, ours, leanest, base, oursImage]

  console.log(`node ${process.version}, ${(await import("node:os")).cpus().length} cores; same tools/call mix (key_list, user_info) through each`)
  printListingSizes()

  if (args.has("--ab")) {
    const [a, b] = argv.slice(argv.indexOf("--ab") + 1)
    await runAb(litellm, [a!, b!])
    stopAll()
    return
  }

  if (ABUSE) {
    await runAbuse(litellm, DIST, 5, argv.includes("--case") ? argv[argv.indexOf("--case") + 1] : undefined)
    stopAll()
    return
  }

  if (SOAK) {
    const agent = new Agent({ keepAlive: true, maxSockets: 16 })
    await runSegment(ours, agent, 16, 5_000)
    const rss0 = memoryMb(ours.pid, "VmRSS")
    console.log(`soak: RSS after warm-up ${rss0.toFixed(1)} MB`)
    for (let done = 0; done < 100_000; done += 20_000) {
      const s = await runSegment(ours, agent, 16, 20_000)
      console.log(`soak: ${done + 20_000} calls, RSS ${s.rssMb.toFixed(1)} MB, ${(20_000 / (s.wallMs / 1000)).toFixed(0)} calls/s`)
    }
    await new Promise((r) => setTimeout(r, 3_000))
    const rss1 = memoryMb(ours.pid, "VmRSS")
    console.log(`soak: RSS after 100,000 calls and 3 s idle ${rss1.toFixed(1)} MB (${(((rss1 - rss0) / rss0) * 100).toFixed(1)}% vs warm-up)`)
    stopAll()
    return
  }

  const rounds = QUICK ? 2 : 5
  const perSegment = (c: number) => (QUICK ? 150 : 400) * Math.max(1, Math.log2(c))
  const goals: Array<{ goal: string; measured: string; met: boolean }> = []
  for (const concurrency of [1, 32, 64]) {
    const agents = new Map(targets.map((t) => [t, new Agent({ keepAlive: true, maxSockets: concurrency })]))
    for (const t of targets) await runSegment(t, agents.get(t)!, concurrency, 300)
    const results = new Map<Target, Array<Segment>>(targets.map((t) => [t, []]))
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so drift in machine load hits every target alike.
      for (let i = 0; i < targets.length; i++) {
        const t = targets[(round + i) % targets.length]!
        results.get(t)!.push(await runSegment(t, agents.get(t)!, concurrency, perSegment(concurrency)))
      }
    }
    const summary = targets.map((t) => {
      const segments = results.get(t)!
      const latencies = segments.flatMap((s) => s.latencies).sort((a, b) => a - b)
      const calls = latencies.length
      const wall = segments.reduce((a, s) => a + s.wallMs, 0)
      return {
        target: t.name,
        p50: percentile(latencies, 0.5),
        p99: percentile(latencies, 0.99),
        throughput: calls / (wall / 1000),
        cpuPerCall: segments.reduce((a, s) => a + s.cpuMs, 0) / calls,
        rss: Math.max(...segments.map((s) => s.rssMb))
      }
    })
    console.log(`\nconcurrency ${concurrency} (${rounds} rounds × ${perSegment(concurrency)} calls per target)`)
    console.table(summary.map((s) => ({
      target: s.target,
      "p50 ms": s.p50.toFixed(2),
      "p99 ms": s.p99.toFixed(2),
      "calls/s": s.throughput.toFixed(0),
      "CPU ms/call": s.cpuPerCall.toFixed(3),
      "RSS MB": s.rss.toFixed(1)
    })))
    const [d, o, l, b, img] = summary
    console.log(
      `this − direct: p50 +${(o!.p50 - d!.p50).toFixed(2)} ms, p99 +${(o!.p99 - d!.p99).toFixed(2)} ms | ` +
        `throughput to direct: this ${(o!.throughput / d!.throughput).toFixed(2)}, lean ${(l!.throughput / d!.throughput).toFixed(2)}, ` +
        `baseline ${(b!.throughput / d!.throughput).toFixed(2)} | this / lean: throughput ${(o!.throughput / l!.throughput).toFixed(2)}×, ` +
        `CPU/call ${(o!.cpuPerCall / l!.cpuPerCall).toFixed(2)}×, p50 ${(o!.p50 / l!.p50).toFixed(2)}×`
    )
    console.log(
      `under the image's heap settings (${IMAGE_NODE_FLAGS.join(" ")}): RSS ${img!.rss.toFixed(1)} MB ` +
        `(${o!.rss.toFixed(1)} MB with Node's defaults), CPU/call ${(img!.cpuPerCall / o!.cpuPerCall).toFixed(2)}× and ` +
        `throughput ${(img!.throughput / o!.throughput).toFixed(2)}× the defaults'`
    )
    // Issue 20's goals, against the lean reference in this same run.
    if (concurrency === 1) {
      goals.push({ goal: "added p50 at c=1 ≤ 1.5 ms", measured: `+${(o!.p50 - d!.p50).toFixed(2)} ms`, met: o!.p50 - d!.p50 <= 1.5 })
    }
    if (concurrency === 32) {
      goals.push({
        goal: "throughput at c=32 ≥ the lean reference's",
        measured: `${(o!.throughput / l!.throughput).toFixed(2)}×`,
        met: o!.throughput >= l!.throughput
      })
      goals.push({ goal: "CPU per call at c=32 ≤ the lean reference's", measured: `${(o!.cpuPerCall / l!.cpuPerCall).toFixed(2)}×`, met: o!.cpuPerCall <= l!.cpuPerCall })
      goals.push({
        goal: "peak RSS under c=32 ≤ 90 MB",
        measured: `${o!.rss.toFixed(1)} MB, ${img!.rss.toFixed(1)} MB under the image's heap settings (lean ${l!.rss.toFixed(1)} MB)`,
        met: Math.max(o!.rss, img!.rss) <= 90
      })
    }
  }
  console.log("\nissue 20's goals, this run:")
  console.table(goals.map((g) => ({ goal: g.goal, measured: g.measured, met: g.met ? "yes" : "no" })))

  // What connecting costs (tools/list, as initialize: LiteLLM is asked about the key first): a
  // key asked about within CALLER_CHECK_TTL_MS, and a key never seen (two LiteLLM requests).
  const connectAgent = new Agent({ keepAlive: true, maxSockets: 1 })
  const listing = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
  const connects = async (token: (i: number) => string) => {
    const times: Array<number> = []
    for (let i = 0; i < (QUICK ? 200 : 500); i++) {
      const started = performance.now()
      const { status } = await postMcp(connectAgent, serverPort, listing, token(i))
      if (status !== 200) throw new Error(`tools/list answered ${status}`)
      times.push(performance.now() - started)
    }
    return times.sort((a, b) => a - b)
  }
  const known = await connects(() => TOKEN)
  const fresh = await connects((i) => `Bearer sk-bench-new-${i}-0000000000`)
  console.log("\ntools/list (what a connecting client asks), p50 / p99 ms:")
  console.table({
    "key asked about before (kept)": { p50: percentile(known, 0.5).toFixed(2), p99: percentile(known, 0.99).toFixed(2) },
    "key never seen (LiteLLM asked twice)": { p50: percentile(fresh, 0.5).toFixed(2), p99: percentile(fresh, 0.99).toFixed(2) }
  })

  const colds: Array<number> = []
  for (let i = 0; i < 5; i++) {
    const port = await freePort()
    const started = performance.now()
    const child = startProcess("dist/main.js", { PORT: String(port), LITELLM_BASE_URL: litellm })
    await waitFor(`http://127.0.0.1:${port}/health`)
    colds.push(performance.now() - started)
    child.kill("SIGKILL")
  }
  colds.sort((a, b) => a - b)
  console.log(`\ncold start (spawn → first 200 from /health), median of 5: ${colds[2]!.toFixed(0)} ms`)
  await runAbuse(litellm, DIST, QUICK ? 2 : 5)
  stopAll()
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
