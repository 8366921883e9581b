import { DEFAULT_TOOLS } from "./support/ToolNames.js"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { type ChildProcess, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { createServer as createHttpServer, request as httpRequest } from "node:http"
import { connect as netConnect } from "node:net"
import { afterAll, beforeAll, inject } from "vitest"
import { freePort, waitFor } from "./support/Net.js"
import { LiteLlmStandIn } from "./support/StandIn.js"

// The built bundle, as npm ships it and the Docker image runs it (test/support/BundleSetup.ts).
const MAIN = inject("bundle")

/** The bundle in --stdio mode with its pipes, what it wrote so far, and its exit code. */
const stdioProcess = (env: Record<string, string>) => {
  const child = spawn(process.execPath, [MAIN, "--stdio"], { env: { PATH: process.env["PATH"] ?? "", ...env }, stdio: ["pipe", "pipe", "pipe"] })
  const out = { stdout: "", stderr: "" }
  child.stdout!.on("data", (chunk) => out.stdout += chunk)
  child.stderr!.on("data", (chunk) => out.stderr += chunk)
  child.stdin!.on("error", () => {})
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, out, exited }
}

interface Run {
  readonly child: ChildProcess
  readonly output: () => string
  readonly exited: Promise<number | null>
}

const start = (env: Record<string, string>, args: ReadonlyArray<string> = []): Run => {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env["PATH"] ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout!.on("data", (chunk) => output += chunk)
  child.stderr!.on("data", (chunk) => output += chunk)
  return { child, output: () => output, exited: new Promise((resolve) => child.on("exit", (code) => resolve(code))) }
}

describe("the server process", () => {
  it.concurrent.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["LITELLM_BASE_URL", "not a url"],
    ["LITELLM_BASE_URL", "ftp://litellm:4000"],
    ["LITELLM_BASE_URL", "http://admin:pw@litellm:4000"],
    ["LITELLM_TIMEOUT_MS", "soon"],
    ["LITELLM_TIMEOUT_MS", "0"]
  ])("refuses %s=%s with one line naming it, exit code not 0", async (name, value) => {
    const run = start({ [name]: value })
    const code = await run.exited
    expect(code).not.toBe(0)
    const lines = run.output().trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(`invalid configuration: ${name}:`)
  })

  describe("serving", () => {
    const standIn = new LiteLlmStandIn()
    let run: Run
    let base: string

    beforeAll(async () => {
      await standIn.start()
      const port = await freePort()
      base = `http://127.0.0.1:${port}`
      run = start({ LITELLM_BASE_URL: `${standIn.url}/`, PORT: String(port), LOG_FORMAT: "json" })
      await waitFor(`${base}/health`)
    })

    afterAll(async () => {
      run.child.kill("SIGKILL")
      await standIn.stop()
    })

    it("listens on 127.0.0.1 by default, serves a session, stops cleanly on SIGTERM, and never logs a key", async () => {
      expect(run.output()).toContain(`Listening on ${base}`)
      const said = Date.now() + 5_000
      while (!run.output().includes("LiteLLM at") && Date.now() < said) await new Promise((r) => setTimeout(r, 20))
      expect(run.output()).toContain(`LiteLLM at ${standIn.url} answers`)
      const admin = standIn.addAdminKey()
      const { raw: existing } = standIn.seedKey({ key_alias: "existing" })
      const client = new Client({ name: "process-test", version: "0" })
      await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${admin}` } }
      }))
      const generated = await client.callTool({ name: "litellm_key_generate", arguments: { key_alias: "fresh" } })
      const newKey = (generated.structuredContent as { data: { key: string } }).data.key
      expect(newKey).toMatch(/^sk-/)
      standIn.secrets.add(newKey)
      const outcomes = [
        await client.callTool({ name: "litellm_key_info", arguments: { key: existing } }),
        await client.callTool({ name: "litellm_key_update", arguments: { key: newKey, max_budget: 1 } }),
        await client.callTool({ name: "litellm_key_delete", arguments: { keys: [newKey] } }),
        await client.callTool({ name: "litellm_key_generate", arguments: { key: "bad key" } })
      ].map((r) => (r.structuredContent as { success: boolean }).success)
      expect(outcomes).toEqual([true, true, true, false])
      await client.close()
      const stranger = "sk-stranger-9999999999"
      standIn.secrets.add(stranger)
      // A key LiteLLM refuses is refused when the client connects: HTTP 401, as an authentication problem.
      const strangerClient = new Client({ name: "process-test", version: "0" })
      const atConnect = await strangerClient.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${stranger}` } }
      })).then(() => "connected", (e: Error) => e.message)
      expect(atConnect).toMatch(/^Streamable HTTP error: .*"LiteLLM refused this key \(HTTP 401\): Authentication Error, Invalid proxy server token/)
      // Every LiteLLM call carries its caller's key; the start-up check of LiteLLM's public
      // liveness route carries none.
      for (const r of standIn.requests) {
        expect(r.path.startsWith("/health/") ? [undefined] : [`Bearer ${admin}`, `Bearer ${stranger}`]).toContain(r.authorization)
      }
      // The trailing slash of LITELLM_BASE_URL did not double up.
      expect(standIn.requests.every((r) => !r.path.startsWith("//"))).toBe(true)

      run.child.kill("SIGTERM")
      expect(await run.exited).toBe(0)
      const output = run.output()
      // One JSON line per MCP request: request id, JSON-RPC method, tool, LiteLLM statuses, duration.
      const lines = output.trim().split("\n").map((line) => JSON.parse(line) as { message: string; annotations: Record<string, string> })
      // The master key is admitted by LiteLLM's "no such key" 404: the log says so, not a bare 404.
      expect(lines.find((l) => l.annotations["rpc_method"] === "initialize")?.annotations["litellm_status"])
        .toBe("404 (the master key: accepted)")
      expect(lines.find((l) => l.annotations["tool"] === "litellm_key_info")).toMatchObject({
        message: expect.stringMatching(/^POST \/mcp 200 \d+ms$/),
        annotations: { request_id: expect.stringMatching(/^[0-9a-f-]{36}$/), rpc_method: "tools/call", litellm_status: "200" }
      })
      for (const secret of standIn.secrets) expect(output).not.toContain(secret)
      expect(output).not.toMatch(/sk-[A-Za-z0-9_-]{6,}/)
    })
  })

  it("on SIGTERM lets the calls in flight finish, refuses new ones, turns /health 503 for readiness, then exits 0", async () => {
    const standIn = new LiteLlmStandIn()
    await standIn.start()
    const port = await freePort()
    const base = `http://127.0.0.1:${port}`
    const run = start({ LITELLM_BASE_URL: standIn.url, PORT: String(port) })
    try {
      await waitFor(`${base}/health`)
      const admin = standIn.addAdminKey()
      standIn.injectFault("/key/list", { kind: "delay", ms: 1_500 })
      const callTool = () =>
        fetch(`${base}/mcp`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${admin}`,
            "content-type": "application/json",
            accept: "application/json, text/event-stream"
          },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "litellm_key_list", arguments: {} } })
        }).then(async (r) => ({ status: r.status, body: await r.json() as { result?: { structuredContent?: { success: boolean } } } }))
      const inFlight = Array.from({ length: 8 }, callTool)
      while (standIn.requestsTo("/key/list").length < 8) await new Promise((r) => setTimeout(r, 20))
      run.child.kill("SIGTERM")
      await new Promise((r) => setTimeout(r, 200))
      const late = await fetch(`${base}/mcp`, { method: "POST" }).then((r) => r.status, () => "refused")
      expect([503, "refused"]).toContain(late)
      // The readiness probe reads /health: the pod leaves the Service as the drain starts.
      const health = await fetch(`${base}/health`).then((r) => r.status, () => "refused")
      expect([503, "refused"]).toContain(health)
      const results = await Promise.all(inFlight)
      for (const r of results) {
        expect(r.status).toBe(200)
        expect(r.body.result?.structuredContent?.success).toBe(true)
      }
      expect(await run.exited).toBe(0)
      // One line says why it stops, one how long the drain took.
      expect(run.output()).toContain("shutting down (SIGTERM): waiting for 8 request(s) in flight")
      expect(run.output()).toMatch(/shut down: the 8 request\(s\) in flight finished in \d+ ms/)
    } finally {
      run.child.kill("SIGKILL")
      await standIn.stop()
    }
  })

  it("on SIGTERM the exit comes within SHUTDOWN_GRACE_MS and a second, whatever is in flight, and what was abandoned is said", async () => {
    const standIn = new LiteLlmStandIn()
    await standIn.start()
    const port = await freePort()
    const run = start({ LITELLM_BASE_URL: standIn.url, PORT: String(port), SHUTDOWN_GRACE_MS: "1000", LITELLM_TIMEOUT_MS: "15000" })
    try {
      await waitFor(`http://127.0.0.1:${port}/health`)
      const admin = standIn.addAdminKey()
      standIn.injectFault("/key/list", { kind: "delay", ms: 8_000 })
      void fetch(`http://127.0.0.1:${port}/mcp`, {
        method: "POST",
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "litellm_key_list", arguments: {} } })
      }).catch(() => undefined)
      while (standIn.requestsTo("/key/list").length === 0) await new Promise((r) => setTimeout(r, 20))
      const signalled = Date.now()
      run.child.kill("SIGTERM")
      await run.exited
      expect(Date.now() - signalled).toBeLessThan(2_000 + 500)
      expect(run.output()).toContain("shutdown grace period over; stopping anyway, 1 request(s) abandoned")
    } finally {
      run.child.kill("SIGKILL")
      await standIn.stop()
    }
  })

  it("on SIGTERM a client still sending its body does not hold the shutdown", async () => {
    const port = await freePort()
    const run = start({ PORT: String(port), SHUTDOWN_GRACE_MS: "20000" })
    try {
      await waitFor(`http://127.0.0.1:${port}/health`)
      const socket = netConnect(port, "127.0.0.1")
      await new Promise((resolve) => socket.once("connect", resolve))
      socket.on("error", () => {})
      socket.write(
        `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer sk-slow-client\r\n` +
          "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
      )
      const drip = setInterval(() => socket.write(" "), 100)
      await new Promise((r) => setTimeout(r, 300))
      const stopping = Date.now()
      run.child.kill("SIGTERM")
      expect(await run.exited).toBe(0)
      clearInterval(drip)
      socket.destroy()
      expect(Date.now() - stopping).toBeLessThan(5_000)
    } finally {
      run.child.kill("SIGKILL")
    }
  })

  it("--stdio says on stderr why it stops when a line is over the SDK's limit, and exits 1", async () => {
    const { child, out, exited } = stdioProcess({ LITELLM_API_KEY: "sk-stdio-limit", LITELLM_BASE_URL: "http://127.0.0.1:9" })
    child.stdin!.write(`${"x".repeat(11 * 1024 * 1024)}\n`)
    expect(await exited).toBe(1)
    expect(out.stderr).toContain("the stdio transport closed: ReadBuffer exceeded maximum size")
    expect(out.stderr).not.toContain("sk-stdio-limit")
  })

  it.each(["stdin's end", "SIGTERM"])("--stdio drains on %s: a change under way is answered before the process exits 0", async (how) => {
    const standIn = new LiteLlmStandIn()
    await standIn.start()
    const key = standIn.addAdminKey()
    standIn.injectFault("/key/generate", { kind: "delay", ms: 800 })
    const { child: run, out, exited } = stdioProcess({ LITELLM_API_KEY: key, LITELLM_BASE_URL: standIn.url })
    const send = (message: unknown) => run.stdin!.write(`${JSON.stringify(message)}\n`)
    try {
      send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } } })
      while (!out.stdout.includes("\"id\":1")) await new Promise((r) => setTimeout(r, 20))
      send({ jsonrpc: "2.0", method: "notifications/initialized" })
      send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "litellm_key_generate", arguments: { key_alias: "made-at-exit" } } })
      while (standIn.requestsTo("/key/generate").length === 0) await new Promise((r) => setTimeout(r, 20))
      // What MCP's stdio shutdown does: close stdin, then SIGTERM.
      if (how === "SIGTERM") run.kill("SIGTERM")
      else run.stdin!.end()
      expect(await exited).toBe(0)
      const answer = out.stdout.split("\n").filter((l) => l.includes("\"id\":2")).map((l) => JSON.parse(l) as { result: { structuredContent: { success: boolean; data: { key: string } } } })[0]
      expect(answer?.result.structuredContent.success).toBe(true)
      standIn.secrets.add(answer!.result.structuredContent.data.key)
      expect([...standIn.keys.values()].some((k) => k["key_alias"] === "made-at-exit")).toBe(true)
      expect(out.stderr).toContain("waiting for 1 request(s) in flight")
      expect(out.stderr).not.toContain(key)
    } finally {
      run.kill("SIGKILL")
      await standIn.stop()
    }
  })

  it("--stdio ends the session with one line and exit 0 when the reader closes stdout with answers due", async () => {
    const { child, out, exited } = stdioProcess({ LITELLM_API_KEY: "sk-stdio-epipe", LITELLM_BASE_URL: "http://127.0.0.1:9" })
    while (!out.stderr.includes("serving MCP on stdio")) await new Promise((r) => setTimeout(r, 20))
    child.stdout!.destroy()
    for (let id = 1; id <= 20; id++) child.stdin!.write(`${JSON.stringify({ jsonrpc: "2.0", id, method: "ping" })}\n`)
    expect(await exited).toBe(0)
    expect(out.stderr).toContain("the client closed its end of stdout")
    expect(out.stderr).not.toContain("    at ")
  })

  it("--stdio says so when the input ends inside a line", async () => {
    const { child, out, exited } = stdioProcess({ LITELLM_API_KEY: "sk-stdio-partial", LITELLM_BASE_URL: "http://127.0.0.1:9" })
    while (!out.stderr.includes("serving MCP on stdio")) await new Promise((r) => setTimeout(r, 20))
    child.stdin!.end(`{"jsonrpc":"2.0","id":1,"method":"tools/list"`)
    expect(await exited).toBe(0)
    expect(out.stderr).toContain("the input ended inside a line")
  })

  it("in the pretty log format, a tool name with line breaks cannot forge a log line, and a key pasted as a name is not logged", async () => {
    const port = await freePort()
    const run = start({ PORT: String(port), LOG_FORMAT: "pretty" })
    try {
      await waitFor(`http://127.0.0.1:${port}/health`)
      await fetch(`http://127.0.0.1:${port}/mcp`, {
        method: "POST",
        headers: { authorization: "Bearer sk-forger-0000", "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "a\nFORGED ERROR line\r\nb", arguments: {} } })
      })
      for (const body of [
        { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "sk-pasted-as-tool-0000", arguments: {} } },
        { jsonrpc: "2.0", id: 3, method: "sk-pasted-as-method-0000", params: {} }
      ]) {
        await fetch(`http://127.0.0.1:${port}/mcp`, {
          method: "POST",
          headers: { authorization: "Bearer sk-forger-0000", "content-type": "application/json", accept: "application/json, text/event-stream" },
          body: JSON.stringify(body)
        })
      }
      run.child.kill("SIGTERM")
      await run.exited
      const lines = run.output().split("\n")
      expect(lines.filter((line) => line.startsWith("FORGED"))).toEqual([])
      expect(run.output()).toContain("a?FORGED ERROR line??b")
      expect(run.output()).not.toContain("pasted-as")
    } finally {
      run.child.kill("SIGKILL")
    }
  })

  describe.concurrent("the command line", () => {
    it("--help lists every option with its environment variable and default, exit 0", async () => {
      const run = start({}, ["--help"])
      expect(await run.exited).toBe(0)
      const text = run.output()
      for (const [flag, env, fallback] of [
        ["--litellm-base-url", "LITELLM_BASE_URL", "http://localhost:4000"],
        ["--port", "PORT", "3100"],
        ["--host", "HOST", "127.0.0.1"],
        ["--litellm-timeout-ms", "LITELLM_TIMEOUT_MS", "30000"],
        ["--max-body-bytes", "MAX_BODY_BYTES", "1048576"],
        ["--max-result-bytes", "MAX_RESULT_BYTES", "262144"],
        ["--shutdown-grace-ms", "SHUTDOWN_GRACE_MS", "10000"],
        ["--allowed-origins", "ALLOWED_ORIGINS", "none"],
        ["--allowed-hosts", "ALLOWED_HOSTS", "none"],
        ["--log-format", "LOG_FORMAT", "pretty"],
        ["--log-level", "LOG_LEVEL", "info"],
        ["--toolsets", "LITELLM_MCP_TOOLSETS", "caller,routes,keys,spend"],
        ["--tools", "LITELLM_MCP_TOOLS", "none"],
        ["--otel-exporter-otlp-endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT", "off"]
      ]) {
        expect(text).toMatch(new RegExp(`${flag} \\S+ +${env} +.*\\(default: ${fallback.replace(/[./]/g, "\\$&")}\\)`))
      }
    })

    it("--version prints the package version", async () => {
      const run = start({}, ["--version"])
      expect(await run.exited).toBe(0)
      const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
      expect(run.output().trim()).toBe(version)
    })

    it("LOG_FORMAT=json writes one JSON object per line; LOG_LEVEL=warn silences info", async () => {
      const port = await freePort()
      const json = start({ LOG_FORMAT: "json", PORT: String(port) })
      try {
        await waitFor(`http://127.0.0.1:${port}/health`)
      } finally {
        json.child.kill("SIGTERM")
        await json.exited
      }
      const lines = json.output().trim().split("\n")
      expect(lines.length).toBeGreaterThanOrEqual(2)
      for (const line of lines) expect(JSON.parse(line)).toMatchObject({ logLevel: expect.any(String), message: expect.anything() })
      const quietPort = await freePort()
      const quiet = start({ LOG_LEVEL: "warn", PORT: String(quietPort) })
      try {
        await waitFor(`http://127.0.0.1:${quietPort}/health`)
      } finally {
        quiet.child.kill("SIGTERM")
        await quiet.exited
      }
      // Only what is worth a warning: here, that no LiteLLM answers at the default URL (if the
      // process got to say it before it was stopped).
      const said = quiet.output().trim().split("\n").filter((line) => line !== "")
      expect(said.filter((line) => !line.includes("LiteLLM at http://localhost:4000 does not answer"))).toEqual([])
    })

    it.each([["--bogus"], ["serve"], ["--port"]])("%s is refused with exit code 2", async (arg) => {
      const run = start({}, [arg])
      expect(await run.exited).toBe(2)
      expect(run.output()).toContain("Try litellm-admin-mcp --help")
    })

    it("a flag wins over its environment variable, and an invalid flag is an error even when the variable is valid", async () => {
      const port = await freePort()
      const run = start({ PORT: "not-a-port" }, ["--port", String(port)])
      try {
        await waitFor(`http://127.0.0.1:${port}/health`)
      } finally {
        run.child.kill("SIGKILL")
      }
      const bad = start({ PORT: String(await freePort()) }, ["--port", "abc"])
      expect(await bad.exited).toBe(1)
      expect(bad.output()).toContain("invalid configuration: PORT:")
    })
  })

  it("--stdio serves the same tools over stdin/stdout with LITELLM_API_KEY as the caller's key", async () => {
    const standIn = new LiteLlmStandIn()
    await standIn.start()
    const key = standIn.addAdminKey()
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MAIN, "--stdio"],
      env: { PATH: process.env["PATH"] ?? "", LITELLM_API_KEY: key, LITELLM_BASE_URL: standIn.url },
      stderr: "pipe"
    })
    let stderr = ""
    transport.stderr?.on("data", (chunk) => stderr += chunk)
    const protocolErrors: Array<Error> = []
    const client = new Client({ name: "stdio-test", version: "0" })
    try {
      await client.connect(transport)
      transport.onerror = (e) => void protocolErrors.push(e)
      const { tools } = await client.listTools()
      expect(tools.map((t) => t.name).sort()).toEqual(DEFAULT_TOOLS)
      const result = await client.callTool({ name: "litellm_key_list", arguments: {} })
      expect(result.structuredContent).toMatchObject({ success: true })
      expect(standIn.requests.length).toBeGreaterThan(0)
      for (const r of standIn.requests) expect(r.authorization).toBe(`Bearer ${key}`)
      expect(standIn.violations).toEqual([])
    } finally {
      await client.close()
      await standIn.stop()
    }
    expect(protocolErrors).toEqual([])
    expect(stderr).toContain("serving MCP on stdio")
    expect(stderr).not.toContain(key)
  })

  // A generator function made per call gets a prototype of its own, which V8 lists among its
  // parent's users where a scavenge treats it as alive: the call's whole graph then outlives the
  // call until a full collection (docs/PERFORMANCE.md, "Memory"). V8 says each such listing.
  it("a tools/call makes no prototype of its own: nothing of a finished call outlives it in V8's lists", async () => {
    const standIn = new LiteLlmStandIn()
    await standIn.start()
    const key = standIn.addAdminKey()
    const port = await freePort()
    const child = spawn(process.execPath, ["--trace-prototype-users", MAIN], {
      env: { PATH: process.env["PATH"] ?? "", LITELLM_BASE_URL: standIn.url, PORT: String(port), LOG_LEVEL: "warn", LITELLM_MCP_TOOLSETS: "all" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stdout!.on("data", (chunk) => output += chunk)
    const client = new Client({ name: "prototype-test", version: "0" })
    try {
      await waitFor(`http://127.0.0.1:${port}/health`)
      await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${key}` } }
      }))
      const calls: Array<[string, Record<string, unknown>]> = [
        ["litellm_key_list", {}],
        ["litellm_user_info", { user_id: "nobody" }],
        ["litellm_whoami", {}],
        ["litellm_route_describe", { method: "GET", path: "/key/list" }],
        ["litellm_route_read", { method: "GET", path: "/key/list" }]
      ]
      const round = async () => {
        for (const [name, args] of calls) expect((await client.callTool({ name, arguments: args })).isError).toBeDefined()
      }
      // Warm: a listing made once per process (a module's first use) is no concern.
      for (let i = 0; i < 10; i++) await round()
      const listed = () => output.split("\n").filter((line) => line.startsWith("Registering ")).length
      const before = listed()
      for (let i = 0; i < 20; i++) await round()
      // Four or five listings per call before the generators on a call's way were made once (400+
      // here); a few strays at most now.
      expect(listed() - before).toBeLessThan(calls.length)
    } finally {
      await client.close()
      child.kill("SIGKILL")
      await standIn.stop()
    }
  })

  it("--stdio with a key LiteLLM refuses says so on stderr at start-up and refuses initialize; a viewer's list is tailored", async () => {
    const standIn = new LiteLlmStandIn()
    await standIn.start()
    const refusedKey = standIn.seedKey({ key_alias: "revoked", blocked: true }).raw
    const viewerKey = standIn.addCaller("proxy_admin_viewer", "vera")
    const spawn = (key: string) => {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [MAIN, "--stdio"],
        env: { PATH: process.env["PATH"] ?? "", LITELLM_API_KEY: key, LITELLM_BASE_URL: standIn.url },
        stderr: "pipe"
      })
      const output = { stderr: "" }
      transport.stderr?.on("data", (chunk) => output.stderr += chunk)
      return { transport, output }
    }
    const refused = spawn(refusedKey)
    const viewer = spawn(viewerKey)
    const client = new Client({ name: "stdio-test", version: "0" })
    const viewerClient = new Client({ name: "stdio-test", version: "0" })
    try {
      const atConnect = await client.connect(refused.transport).then(() => "connected", (e: Error) => e.message)
      expect(atConnect).toContain("LiteLLM refused LITELLM_API_KEY (HTTP 401): Authentication Error, Key is blocked.")
      await viewerClient.connect(viewer.transport)
      const { tools } = await viewerClient.listTools()
      expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true)
      expect(tools.map((t) => t.name)).toContain("litellm_whoami")
      // The route tier knows the stdio caller too: a viewer may read, not create.
      const found = await viewerClient.callTool({ name: "litellm_route_search", arguments: { query: "team new info" } })
      const rows = (found.structuredContent as { data: { routes: Array<{ method: string; path: string; allowed: boolean }> } }).data.routes
      expect(rows).toContainEqual(expect.objectContaining({ method: "POST", path: "/team/new", allowed: false }))
      expect(rows).toContainEqual(expect.objectContaining({ method: "GET", path: "/team/info", allowed: true }))
    } finally {
      await client.close()
      await viewerClient.close()
      await standIn.stop()
    }
    expect(refused.output.stderr).toMatch(/LiteLLM refused LITELLM_API_KEY \(HTTP 401\): Authentication Error, Key is blocked\..*every request will fail until LITELLM_API_KEY is fixed/)
    expect(viewer.output.stderr).toContain("LiteLLM accepts LITELLM_API_KEY (user vera, role proxy_admin_viewer)")
    for (const key of [refusedKey, viewerKey]) {
      expect(refused.output.stderr + viewer.output.stderr).not.toContain(key)
    }
  })

  it.concurrent.each([
    [["--stdio"], {}, "LITELLM_API_KEY: is required with --stdio"],
    [[], { LITELLM_API_KEY: "sk-server-held-key" }, "LITELLM_API_KEY: is only for --stdio"],
    [["--stdio"], { LITELLM_API_KEY: "not-a-key" }, "LITELLM_API_KEY: must be a LiteLLM key starting with sk-"],
    [[], { LITELLM_BASE_URL: "http://127.0.0.1:4000/?" }, "LITELLM_BASE_URL: must not contain a query or a fragment (e.g. http://localhost:4000"],
    [[], { LITELLM_BASE_URL: "http://127.0.0.1:4000#" }, "LITELLM_BASE_URL: must not contain a query or a fragment"],
    [[], { LITELLM_BASE_URL: "http://127.0.0.1:4000/v1" }, "LITELLM_BASE_URL: must be the proxy's root URL, without /v1"],
    // A key pasted into the wrong setting is quoted by the parse error: never printed.
    [[], { PORT: "sk-server-held-key" }, "PORT: "]
  ])("%j with %j is refused: %s", async (args, env, message) => {
    const run = start(env, args)
    expect(await run.exited).toBe(1)
    expect(run.output()).toContain(message)
    expect(run.output()).not.toContain("sk-server-held-key")
  })

  it("run by npm, it stops when npm is gone (npm does not pass SIGTERM on): no orphan keeps the port", async () => {
    const port = await freePort()
    // A stand-in for npm: a parent that starts the server with npm's environment, then is killed.
    const npm = spawn(process.execPath, ["-e", `
      const child = require("node:child_process").spawn(process.execPath, [${JSON.stringify(MAIN)}], {
        env: { PATH: process.env.PATH, PORT: "${port}", npm_lifecycle_event: "start" }, stdio: "ignore"
      })
      console.log(child.pid)
      setInterval(() => {}, 1000)
    `], { stdio: ["ignore", "pipe", "ignore"] })
    const pid = Number(await new Promise<string>((resolve) => npm.stdout!.once("data", (d) => resolve(String(d)))))
    try {
      await waitFor(`http://127.0.0.1:${port}/health`)
      npm.kill("SIGKILL")
      const deadline = Date.now() + 5_000
      let alive = true
      while (alive && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100))
        try {
          process.kill(pid, 0)
        } catch {
          alive = false
        }
      }
      expect(alive).toBe(false)
    } finally {
      npm.kill("SIGKILL")
      try {
        process.kill(pid, "SIGKILL")
      } catch { /* gone */ }
    }
  })

  it("a busy port stops start-up with one line that says to choose another with --port", async () => {
    const busy = createHttpServer(() => {})
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve))
    try {
      const port = (busy.address() as { port: number }).port
      const run = start({ PORT: String(port) })
      expect(await run.exited).toBe(1)
      expect(run.output()).toContain(`cannot listen: listen EADDRINUSE: address already in use 127.0.0.1:${port}; another process has that port: stop it, or choose another with --port (PORT)`)
    } finally {
      busy.close()
    }
  })

  it("a configuration error is reported before the port is opened: a busy port does not hide it", async () => {
    const busy = createHttpServer(() => {})
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve))
    try {
      const port = (busy.address() as { port: number }).port
      const run = start({ PORT: String(port), LITELLM_API_KEY: "sk-server-held-key" })
      expect(await run.exited).toBe(1)
      expect(run.output()).toContain("LITELLM_API_KEY: is only for --stdio")
      expect(run.output()).not.toContain("cannot listen")
    } finally {
      busy.close()
    }
  })

  it("says at start-up where LiteLLM is and whether it answers", async () => {
    const port = await freePort()
    const run = start({ PORT: String(port), LITELLM_BASE_URL: "http://127.0.0.1:9", LOG_FORMAT: "json" })
    try {
      await waitFor(`http://127.0.0.1:${port}/health`)
      const deadline = Date.now() + 5_000
      while (!run.output().includes("does not answer") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      expect(run.output()).toContain("LiteLLM at http://127.0.0.1:9 does not answer /health/liveliness (yet): the connection failed (ECONNREFUSED)")
    } finally {
      run.child.kill("SIGKILL")
    }
  })

  it("is stateless: one SDK client session works across two processes behind a round-robin proxy", async () => {
    const standIn = new LiteLlmStandIn()
    await standIn.start()
    const ports = [await freePort(), await freePort()]
    const runs = ports.map((port) => start({ LITELLM_BASE_URL: standIn.url, PORT: String(port) }))
    const served = [0, 0]
    let next = 0
    const proxy = createHttpServer((req, res) => {
      const i = next++ % 2
      served[i]!++
      const upstream = httpRequest(
        { host: "127.0.0.1", port: ports[i], path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        }
      )
      upstream.on("error", () => res.writeHead(502).end())
      req.pipe(upstream)
    })
    try {
      await Promise.all(ports.map((port) => waitFor(`http://127.0.0.1:${port}/health`)))
      await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve))
      const proxyPort = (proxy.address() as { port: number }).port
      const key = standIn.addAdminKey()
      standIn.seedKey({ key_alias: "shared" })
      const client = new Client({ name: "scale-out-test", version: "0" })
      await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${proxyPort}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${key}` } }
      }))
      const { tools } = await client.listTools()
      expect(tools.map((t) => t.name).sort()).toEqual(DEFAULT_TOOLS)
      for (let i = 0; i < 6; i++) {
        const result = await client.callTool({ name: "litellm_key_info", arguments: { key_alias: "shared" } })
        expect(result.structuredContent).toMatchObject({ success: true })
      }
      await client.close()
      expect(served[0]).toBeGreaterThanOrEqual(4)
      expect(served[1]).toBeGreaterThanOrEqual(4)
      // The start-up check asks LiteLLM's public liveness route, with no key at all.
      for (const r of standIn.requests.filter((r) => !r.path.startsWith("/health/"))) {
        expect(r.authorization).toBe(`Bearer ${key}`)
      }
      expect(standIn.requests.filter((r) => r.path.startsWith("/health/")).every((r) => r.authorization === undefined)).toBe(true)
    } finally {
      proxy.close()
      for (const run of runs) run.child.kill("SIGKILL")
      await standIn.stop()
    }
  })

  it("--demo serves every tool against the built-in sandbox, never the configured LiteLLM", async () => {
    const port = await freePort()
    const run = start({ LITELLM_BASE_URL: "http://127.0.0.1:9", PORT: String(port) }, ["--demo", "--toolsets", "all"])
    try {
      await waitFor(`http://127.0.0.1:${port}/health`)
      const key = /Authorization: Bearer (sk-demo-\S+)/.exec(run.output())?.[1]
      expect(key).toBeDefined()
      const client = new Client({ name: "demo-test", version: "0" })
      await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${key}` } }
      }))
      const calls: Array<[string, Record<string, unknown>]> = [
        ["litellm_user_list", {}],
        ["litellm_user_create", { user_id: "dave", user_email: "dave@example.com" }],
        ["litellm_user_update", { user_id: "bob", max_budget: 60 }],
        ["litellm_user_info", { user_email: "carol@example.com" }],
        ["litellm_user_delete", { user_ids: ["dave"] }],
        ["litellm_key_list", {}],
        ["litellm_key_generate", { key_alias: "demo-new" }],
        ["litellm_key_update", { key_alias: "bob-notebook", rpm_limit: 10 }],
        ["litellm_key_info", { key_alias: "platform-ci" }],
        ["litellm_key_delete", { key_aliases: ["demo-new"] }],
        ["litellm_usage_spend_logs", {}]
      ]
      for (const [name, args] of calls) {
        const result = await client.callTool({ name, arguments: args })
        expect({ name, envelope: result.structuredContent }).toMatchObject({ name, envelope: { success: true } })
      }
      // The route tier's bundled document is a chunk of its own, loaded on first use.
      const routes = await client.callTool({ name: "litellm_route_search", arguments: { query: "organization new" } })
      expect((routes.structuredContent as { data: { routes: Array<{ path: string }> } }).data.routes[0]!.path).toBe("/organization/new")
      // Its argument checks load on the first call, from a chunk of their own too.
      const read = await client.callTool({ name: "litellm_route_read", arguments: { method: "GET", path: "/key/list", query: { size: 2 } } })
      expect(read.structuredContent).toMatchObject({ success: true, data: { route: "GET /key/list" } })
      const refused = await client.callTool({ name: "litellm_route_read", arguments: { method: "GET", path: "/key/list", query: { size: "x" } } })
      expect(refused.structuredContent).toMatchObject({ success: false, error: { status: 400 } })
      const spend = await client.callTool({ name: "litellm_usage_spend_logs", arguments: {} })
      expect((spend.structuredContent as { data: { data: Array<unknown> } }).data.data.length).toBeGreaterThan(0)
      // Teams and models consistent with the users and keys.
      const teams = await client.callTool({ name: "litellm_team_list", arguments: {} })
      expect((teams.structuredContent as { data: { teams: Array<{ team_id: string }> } }).data.teams.map((t) => t.team_id).sort())
        .toEqual(["platform", "research"])
      const models = await client.callTool({ name: "litellm_model_list", arguments: {} })
      const deployments = (models.structuredContent as { data: { data: Array<{ model_name: string; litellm_params: { api_key: string } }> } })
        .data.data
      expect(deployments.map((m) => m.model_name).sort()).toEqual(["claude-sonnet", "gpt-4o", "gpt-4o-mini"])
      expect(deployments.every((m) => m.litellm_params.api_key === "[redacted]")).toBe(true)
      const me = await client.callTool({ name: "litellm_whoami", arguments: {} })
      expect(me.structuredContent).toMatchObject({ success: true, data: { key: null, note: expect.stringContaining("master key") } })
      await client.close()
      expect(run.output()).toContain(`claude mcp add --transport http litellm-admin http://127.0.0.1:${port}/mcp`)
      // Bob, an internal user who administers a team, is offered what LiteLLM lets him do.
      const bobKey = /Bob's key .* Bearer (sk-\S+)/.exec(run.output())?.[1]
      const bob = new Client({ name: "demo-test", version: "0" })
      await bob.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${bobKey}` } }
      }))
      const { tools } = await bob.listTools()
      expect(tools.map((t) => t.name)).toContain("litellm_team_member_delete")
      expect(tools.map((t) => t.name)).not.toContain("litellm_user_create")
      const bobIs = await bob.callTool({ name: "litellm_whoami", arguments: {} })
      expect(bobIs.structuredContent).toMatchObject({
        success: true,
        data: { user: { user_id: "bob", user_role: "internal_user" }, teams: [{ team_id: "research", role: "admin" }] }
      })
      await bob.close()
    } finally {
      run.child.kill("SIGKILL")
    }
  })

  it("--demo with LITELLM_MCP_DEMO_KEY keeps that key; --demo --stdio serves the sandbox on stdio", async () => {
    const port = await freePort()
    const fixed = "sk-demo-fixed-key-123"
    const run = start({ PORT: String(port), LITELLM_MCP_DEMO_KEY: fixed }, ["--demo"])
    try {
      await waitFor(`http://127.0.0.1:${port}/health`)
      expect(run.output()).toContain(`Authorization: Bearer ${fixed}`)
      const client = new Client({ name: "demo-key-test", version: "0" })
      await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${fixed}` } }
      }))
      const keys = await client.callTool({ name: "litellm_key_list", arguments: {} })
      expect(keys.structuredContent).toMatchObject({ success: true })
      await client.close()
    } finally {
      run.child.kill("SIGKILL")
    }
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MAIN, "--demo", "--stdio"],
      env: { PATH: process.env["PATH"] ?? "" },
      stderr: "pipe"
    })
    let stderr = ""
    transport.stderr?.on("data", (chunk) => stderr += chunk)
    const client = new Client({ name: "demo-stdio-test", version: "0" })
    try {
      await client.connect(transport)
      const keys = await client.callTool({ name: "litellm_key_list", arguments: {} })
      expect((keys.structuredContent as { data: { keys: Array<unknown> } }).data.keys.length).toBeGreaterThan(0)
    } finally {
      await client.close()
    }
    expect(stderr).toContain("Demo: serving on stdio")
  })

  it("with OTEL_EXPORTER_OTLP_ENDPOINT, sends spans for the request, the tool and the LiteLLM call, and no key or hash", async () => {
    const received: Array<string> = []
    const receiver = createHttpServer((req, res) => {
      let body = ""
      req.on("data", (chunk) => body += chunk)
      req.on("end", () => {
        if (req.url === "/v1/traces") received.push(body)
        res.writeHead(200, { "content-type": "application/json" }).end("{}")
      })
    })
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
    const standIn = new LiteLlmStandIn()
    await standIn.start()
    const port = await freePort()
    const base = `http://127.0.0.1:${port}`
    const run = start({
      LITELLM_BASE_URL: standIn.url,
      PORT: String(port),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as { port: number }).port}`
    })
    const connectAs = async (key: string) => {
      const client = new Client({ name: "otel-test", version: "0" })
      await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${key}`, "Proxy-Authorization": `Bearer ${key}`, "x-litellm-api-key": key } }
      }))
      return client
    }
    try {
      await waitFor(`${base}/health`)
      const key = standIn.addAdminKey()
      const traced = standIn.seedKey({ key_alias: "traced" })
      const client = await connectAs(key)
      const result = await client.callTool({ name: "litellm_key_info", arguments: { key_alias: "traced" } })
      expect(result.structuredContent).toMatchObject({ success: true })
      // The hash travels to LiteLLM in the query string here.
      const byKey = await client.callTool({ name: "litellm_key_info", arguments: { key: traced.raw } })
      expect(byKey.structuredContent).toMatchObject({ success: true })
      await client.close()
      // LiteLLM's 401 for an unknown key quotes that key's hash.
      const stranger = "sk-stranger-$ecret!Key99"
      standIn.secrets.add(stranger)
      // Refused when it connects, as LiteLLM refuses it: the check's spans must not carry it either.
      const atConnect = await connectAs(stranger).then(() => "connected", (e: Error) => e.message)
      expect(atConnect).toContain("LiteLLM refused this key (HTTP 401)")
      const refused = await fetch(`${base}/mcp`, {
        method: "POST",
        headers: { authorization: `Bearer ${stranger}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "litellm_key_list", arguments: {} } })
      }).then((r) => r.json() as Promise<{ result: { structuredContent: unknown } }>)
      expect(refused.result.structuredContent).toMatchObject({ success: false, error: { status: 401 } })
      await fetch(`${base}/mcp?api_key=${encodeURIComponent(key)}`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
      })
      // Trace context reaches LiteLLM only when there is a trace to join, and only as traceparent.
      const calls = standIn.requests.filter((r) => !r.path.startsWith("/health/"))
      expect(calls.every((r) => typeof r.headers["traceparent"] === "string")).toBe(true)
      expect(standIn.requests.filter((r) => r.headers["b3"] !== undefined)).toEqual([])
      run.child.kill("SIGTERM")
      expect(await run.exited).toBe(0)
      const exported = received.join("\n")
      for (const span of ["http.server POST", "Caller.identify", "tool.litellm_key_info", "Keys.info", "Keys.hashOfAlias", "http.client GET"]) {
        expect(exported).toContain(`"name":"${span}"`)
      }
      for (const secret of [key, stranger, traced.raw]) {
        expect(exported).not.toContain(secret)
        expect(exported).not.toContain(createHash("sha256").update(secret).digest("hex"))
      }
      expect(exported).not.toMatch(/sk-[A-Za-z0-9_$!-]{6,}/)
      expect(run.output()).not.toContain("api_key=")
    } finally {
      run.child.kill("SIGKILL")
      receiver.close()
      await standIn.stop()
    }
  })
})
