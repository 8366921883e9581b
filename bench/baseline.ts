// The usual way such a server is written, for comparison only: node:http, the SDK's zod-based
// McpServer and its stateless Node transport, a new server per request, `fetch` to LiteLLM with
// the caller's token, the same two tools and envelope. No Effect.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js"
import { createServer } from "node:http"
import { z } from "zod"

const base = process.env["LITELLM_BASE_URL"]!.replace(/\/+$/, "")
const port = Number(process.env["PORT"])

const envelope = (value: unknown, ok: boolean) => ({
  content: [{ type: "text" as const, text: JSON.stringify(value) }],
  structuredContent: value as Record<string, unknown>,
  isError: !ok
})

const callLiteLlm = async (token: string, path: string, params: Record<string, string>) => {
  try {
    const res = await fetch(`${base}${path}?${new URLSearchParams(params)}`, {
      headers: { authorization: token, accept: "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(30_000)
    })
    const body = await res.json()
    return res.ok
      ? envelope({ success: true, data: body }, true)
      : envelope({ success: false, error: { status: res.status, message: `LiteLLM answered ${res.status}`, detail: body } }, false)
  } catch (e) {
    return envelope({ success: false, error: { status: 502, message: String(e), detail: null } }, false)
  }
}

const makeServer = (token: string) => {
  const server = new McpServer({ name: "baseline", version: "0.0.0" })
  server.registerTool("litellm_key_list", {
    description: "List virtual keys",
    inputSchema: { page: z.number().int().min(1).optional(), size: z.number().int().min(1).max(100).optional() }
  }, (args) =>
    callLiteLlm(token, "/key/list", {
      return_full_object: "true",
      ...(args.page === undefined ? {} : { page: String(args.page) }),
      ...(args.size === undefined ? {} : { size: String(args.size) })
    }))
  server.registerTool("litellm_user_info", {
    description: "One user",
    inputSchema: { user_id: z.string().min(1) }
  }, (args) => callLiteLlm(token, "/user/info", { user_id: args.user_id }))
  return server
}

createServer(async (req, res) => {
  const auth = req.headers.authorization
  if (req.url !== "/mcp" || req.method !== "POST") return void res.writeHead(405).end()
  if (auth === undefined || !auth.startsWith("Bearer sk-")) return void res.writeHead(401).end()
  const server = makeServer(auth)
  const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true })
  res.on("close", () => {
    void transport.close()
    void server.close()
  })
  await server.connect(transport)
  await transport.handleRequest(req, res)
}).listen(port, "127.0.0.1", () => process.send?.("ready"))
