// npm run bench -- --ab <dirA> <dirB>: two builds side by side against one stand-in, alternating
// rounds of 1,000 calls at concurrency 16; prints the median ratio of CPU per call (B / A).
import { type ChildProcess, fork } from "node:child_process"
import { Agent } from "node:http"
import { freePort, waitFor } from "../test/support/Net.js"
import { callOk, cpuMs, toolCall } from "./Support.js"

const root = new URL("..", import.meta.url).pathname
const BODIES = [toolCall("litellm_key_list", {}), toolCall("litellm_user_info", { user_id: "bench-user" })]

export const runAb = async (litellm: string, dirs: ReadonlyArray<string>, rounds = 8) => {
  const servers: Array<{ child: ChildProcess; port: number; agent: Agent }> = []
  for (const dir of dirs) {
    const port = await freePort()
    const child = fork(`${dir}/main.js`, [], { cwd: root, env: { PATH: process.env["PATH"] ?? "", PORT: String(port), LITELLM_BASE_URL: litellm, LOG_FORMAT: "json", LITELLM_MCP_TOOLSETS: "all" }, stdio: ["ignore", "ignore", "inherit", "ipc"] })
    await waitFor(`http://127.0.0.1:${port}/health`)
    servers.push({ child, port, agent: new Agent({ keepAlive: true, maxSockets: 16 }) })
  }
  const segment = async (s: typeof servers[number], calls: number) => {
    let next = 0
    const cpu0 = cpuMs(s.child.pid!)
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < calls) await callOk(s.agent, s.port, BODIES[next++ % 2]!)
    }))
    return (cpuMs(s.child.pid!) - cpu0) / calls
  }
  for (const s of servers) await segment(s, 500)
  const ratios: Array<number> = []
  for (let r = 0; r < rounds; r++) {
    const [a, b] = r % 2 === 0 ? [await segment(servers[0]!, 1000), await segment(servers[1]!, 1000)] : [0, 0]
    if (r % 2 === 1) {
      const bb = await segment(servers[1]!, 1000)
      const aa = await segment(servers[0]!, 1000)
      ratios.push(bb / aa)
    } else ratios.push(b / a)
  }
  ratios.sort((x, y) => x - y)
  console.log(`CPU per call, ${dirs[1]} / ${dirs[0]}: median ${ratios[Math.floor(ratios.length / 2)]!.toFixed(3)} (rounds: ${ratios.map((x) => x.toFixed(2)).join(" ")})`)
  for (const s of servers) s.child.kill("SIGKILL")
}
