// What every benchmark needs: the bearer token, a POST to /mcp, a tool call's body, and a process's
// CPU time and memory as Linux's /proc counts them.
import { readFileSync } from "node:fs"
import { type Agent, request } from "node:http"

export const TOKEN = "Bearer sk-bench-0000000000000000"

export const toolCall = (name: string, args: object) =>
  JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } })

/** POSTs `body` to /mcp on 127.0.0.1: the status (0 if the connection failed) and the answer's text. */
export const postMcp = (agent: Agent, port: number, body: string, authorization: string = TOKEN) =>
  new Promise<{ readonly status: number; readonly text: string }>((resolve) => {
    const req = request({
      agent,
      host: "127.0.0.1",
      port,
      path: "/mcp",
      method: "POST",
      headers: {
        authorization,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "content-length": Buffer.byteLength(body)
      }
    }, (res) => {
      let text = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => text += chunk)
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }))
    })
    req.on("error", (e) => resolve({ status: 0, text: e.message }))
    req.end(body)
  })

/** A tool call that must succeed: anything but a 200 with `success: true` rejects. */
export const callOk = async (agent: Agent, port: number, body: string): Promise<void> => {
  const { status, text } = await postMcp(agent, port, body)
  if (status !== 200 || !text.includes("\"success\":true")) throw new Error(`${status} ${text.slice(0, 300)}`)
}

// utime + stime of a process, in ms (clock ticks are 10 ms on Linux).
export const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** A memory field of /proc/<pid>/status (VmRSS, VmHWM, …) in MB. */
export const memoryMb = (pid: number, field: "VmRSS" | "VmHWM") => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith(`${field}:`))!
  return Number(line.replace(/\D/g, "")) / 1024
}

/** The heap settings the Docker image runs with (its NODE_OPTIONS), as node flags. */
export const IMAGE_NODE_FLAGS: ReadonlyArray<string> = readFileSync(new URL("../Dockerfile", import.meta.url), "utf8")
  .match(/NODE_OPTIONS="([^"]+)"/)![1]!.split(" ")
