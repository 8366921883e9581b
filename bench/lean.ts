// The leanest server one would write on the same SDK, as issue 20's yardstick: node:http, the
// low-level SDK `Server` made per request with its stateless Node transport, `fetch` to LiteLLM with
// the caller's token, the same two tools and envelope, arguments checked by hand. No Effect, no zod.
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js"
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js"
import { createServer } from "node:http"

const base = process.env["LITELLM_BASE_URL"]!.replace(/\/+$/, "")
const port = Number(process.env["PORT"])

const TOOLS = [
  {
    name: "litellm_key_list",
    description: "List virtual keys",
    inputSchema: { type: "object" as const, properties: { page: { type: "integer", minimum: 1 }, size: { type: "integer", minimum: 1, maximum: 100 } } }
  },
  {
    name: "litellm_user_info",
    description: "One user",
    inputSchema: { type: "object" as const, properties: { user_id: { type: "string", minLength: 1 } }, required: ["user_id"] }
  }
]

const envelope = (value: Record<string, unknown>, ok: boolean) => ({
  content: [{ type: "text" as const, text: JSON.stringify(value) }],
  structuredContent: value,
  isError: !ok
})

const failure = (status: number, message: string, detail: unknown = null) =>
  envelope({ success: false, error: { status, message, detail } }, false)

const callLiteLlm = async (token: string, path: string, params: Record<string, string>) => {
  try {
    const res = await fetch(`${base}${path}?${new URLSearchParams(params)}`, {
      headers: { authorization: token, accept: "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(30_000)
    })
    const body = await res.json()
    return res.ok ? envelope({ success: true, data: body }, true) : failure(res.status, `LiteLLM answered ${res.status}`, body)
  } catch (e) {
    return failure(502, String(e))
  }
}

const isPositiveInt = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 1

const makeServer = (token: string) => {
  const server = new Server({ name: "lean", version: "0.0.0" }, { capabilities: { tools: {} } })
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS }))
  server.setRequestHandler(CallToolRequestSchema, (request) => {
    const args = (request.params.arguments ?? {}) as Record<string, unknown>
    switch (request.params.name) {
      case "litellm_key_list": {
        if (args["page"] !== undefined && !isPositiveInt(args["page"])) return failure(400, "page: must be a whole number, 1 or more")
        if (args["size"] !== undefined && !(isPositiveInt(args["size"]) && (args["size"] as number) <= 100)) {
          return failure(400, "size: must be from 1 to 100")
        }
        return callLiteLlm(token, "/key/list", {
          return_full_object: "true",
          ...(args["page"] === undefined ? {} : { page: String(args["page"]) }),
          ...(args["size"] === undefined ? {} : { size: String(args["size"]) })
        })
      }
      case "litellm_user_info":
        if (typeof args["user_id"] !== "string" || args["user_id"] === "") return failure(400, "user_id: must not be empty")
        return callLiteLlm(token, "/user/info", { user_id: args["user_id"] })
      default:
        return failure(404, `no tool ${request.params.name}`)
    }
  })
  return server
}

createServer(async (req, res) => {
  const auth = req.headers.authorization
  if (req.url !== "/mcp" || req.method !== "POST") return void res.writeHead(405).end()
  if (auth === undefined || !auth.startsWith("Bearer sk-")) return void res.writeHead(401).end()
  const server = makeServer(auth)
  const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true })
  await server.connect(transport)
  await transport.handleRequest(req, res)
}).listen(port, "127.0.0.1", () => process.send?.("ready"))
