import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { HttpError, Unhandled } from "./Answers.js"
import { authenticate, checkRoute } from "./Auth.js"
import * as Budgets from "./routes/Budgets.js"
import * as Customers from "./routes/Customers.js"
import * as Keys from "./routes/Keys.js"
import * as Models from "./routes/Models.js"
import * as Organizations from "./routes/Organizations.js"
import * as Spend from "./routes/Spend.js"
import * as Teams from "./routes/Teams.js"
import * as Users from "./routes/Users.js"
import { type Handler, type Row, Store } from "./Store.js"

export { type Release, RELEASES, type Role, versionOf } from "./Store.js"

/**
 * A LiteLLM Proxy sandbox that behaves as LiteLLM's admin API does for the routes this server
 * calls, as read in LiteLLM's source: in-memory users, keys stored by sha256 hash and spend logs;
 * LiteLLM's three error shapes and its quirks (upserting updates, bare-integer deletes, `keys`
 * beating `key_aliases`, misleading 401/404 texts, `token: null` after a regeneration). Three
 * releases (`current`, as 1.96; `mid`, the winter of 2025-26; `legacy`, before November 2025) and LiteLLM's role
 * checks (route_checks.py and the handlers' own scoping). It listens on 127.0.0.1 only. `--demo`
 * runs it with sample data; the tests run it with a contract check on every request. The
 * database is `Store`, the routes are one module per LiteLLM resource under routes/, the role
 * checks are `Auth`, what each release does differently is `Releases`.
 */

/** Every way a request breaks LiteLLM's contract; empty when it is valid. */
export type RequestValidator = (
  method: string,
  url: URL,
  body: { readonly contentType: string | undefined; readonly text: string }
) => ReadonlyArray<string>

/** One request as the sandbox sees it, from a socket or in process. */
export interface SandboxRequest {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly text: string
}

/** What the sandbox answers: JSON with a status, or a fault injected for the path. */
export type SandboxAnswer =
  | { readonly _tag: "Json"; readonly status: number; readonly body: unknown }
  | { readonly _tag: "Fault"; readonly fault: Fault }

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  readonly body: unknown
  readonly authorization: string | undefined
  readonly headers: SandboxRequest["headers"]
}


/** A way to answer one request other than LiteLLM's normal one, for fault tests. */
export type Fault =
  | {
    readonly kind: "status"
    readonly status: number
    readonly body: string
    readonly contentType?: string
    /** Answer every request to the path this way until reset, not only the next one. */
    readonly repeat?: boolean
  }
  /** A 200 whose length is not stated: sent in chunks. */
  | { readonly kind: "chunked"; readonly body: string }
  | { readonly kind: "hang" }
  /** Headers and the start of a body, then nothing: only a deadline on the whole answer ends it. */
  | { readonly kind: "stall" }
  | { readonly kind: "reset" }
  | { readonly kind: "redirect"; readonly location: string }
  | { readonly kind: "truncate" }
  | { readonly kind: "delay"; readonly ms: number }


/** LiteLLM's routes, as this sandbox serves them: one module per resource. */
const routes: Readonly<Record<string, Handler>> = {
  ...Users.routes,
  ...Keys.routes,
  ...Spend.routes,
  ...Teams.routes,
  ...Models.routes,
  ...Budgets.routes,
  ...Organizations.routes,
  ...Customers.routes
}

// Routes with path parameters, as Starlette matches them: each parameter one whole segment.
const TEMPLATES = Object.keys(routes).filter((r) => r.includes("{")).map((route) => {
  const names: Array<string> = []
  const pattern = route.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_, name: string) => (names.push(name), "([^/]+)"))
  return { route, names, regex: new RegExp(`^${pattern}$`) }
})

/** The route a request is for, with its path parameters (decoded, as Starlette passes them). */
const routeOf = (method: string, path: string): { readonly route: string; readonly params: Record<string, string> } | undefined => {
  const exact = `${method} ${path}`
  if (Object.hasOwn(routes, exact)) return { route: exact, params: {} }
  for (const t of TEMPLATES) {
    const match = t.regex.exec(exact)
    if (match !== null) return { route: t.route, params: Object.fromEntries(t.names.map((n, i) => [n, decodeURIComponent(match[i + 1]!)])) }
  }
  return undefined
}

/** Whether this release has the route at all (FastAPI answers a route it lacks 404 to anyone). */
const hasRoute = (s: Store, route: string) =>
  route === "GET /spend/logs/v2" ? s.traits.spendLogsV2 : route === "GET /health/license" ? s.traits.healthLicense : true

// LiteLLM 1.96's published document, loaded (once, as any module) the first time a sandbox is asked for it.
const openApiDocument = async () => (await import("../litellm/litellm-openapi-1.96.0.json", { with: { type: "json" } })).default

export class LiteLlmSandbox extends Store {
  readonly requests: Array<RecordedRequest> = []
  /** What this sandbox answered, in order: a refusal of LiteLLM's must reach the agent as it was. */
  readonly answers: Array<{ readonly path: string; readonly status: number; readonly body: unknown }> = []
  readonly violations: Array<string> = []
  /** Requests whose sender went away before the answer was sent: a read the server stopped. */
  abandoned = 0
  private readonly faults = new Map<string, Fault>()
  private readonly sockets = new Set<Socket>()
  private server: Server | undefined

  url = ""

  constructor(private readonly options: { readonly validate?: RequestValidator } = {}) {
    super()
  }

  /** Answers the next request to `path` (any method) with a fault instead; a delay stays until reset. */
  injectFault(path: string, fault: Fault): void {
    this.faults.set(path, fault)
  }

  requestsTo(path: string): Array<RecordedRequest> {
    return this.requests.filter((r) => r.path === path)
  }

  reset(): void {
    this.requests.length = 0
    this.answers.length = 0
    this.violations.length = 0
    this.abandoned = 0
    this.faults.clear()
    this.release = "current"
  }

  start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res))
    this.server.on("connection", (socket) => {
      this.sockets.add(socket)
      socket.on("close", () => this.sockets.delete(socket))
    })
    return new Promise((resolve) =>
      this.server!.listen(0, "127.0.0.1", () => {
        this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`
        resolve()
      })
    )
  }

  stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    return new Promise((resolve) => this.server === undefined ? resolve() : this.server.close(() => resolve()))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on("close", () => {
      if (!res.writableFinished) this.abandoned++
    })
    const chunks: Array<Buffer> = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const answer = await this.answer({
      method: req.method ?? "GET",
      url: new URL(req.url ?? "/", "http://127.0.0.1"),
      headers: req.headers,
      text: Buffer.concat(chunks).toString("utf8")
    })
    if (answer._tag === "Fault") return this.applyFault(answer.fault, res)
    const text = JSON.stringify(answer.body)
    res.writeHead(answer.status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
    res.end(text)
  }

  /**
   * LiteLLM's answer to one request, wherever it came from: a socket (`start`), or a test's
   * in-process client (`httpClient`). Every request is recorded and checked against the contract.
   */
  async answer(request: SandboxRequest): Promise<SandboxAnswer> {
    const { method, url, headers, text } = request
    let body: unknown = undefined
    try {
      body = text === "" ? undefined : JSON.parse(text)
    } catch {
      body = text
    }
    const authorization = typeof headers["authorization"] === "string" ? headers["authorization"] : undefined
    this.requests.push({ method, path: url.pathname, query: url.searchParams, body, authorization, headers })

    const fault = this.faults.get(url.pathname)
    if (fault?.kind === "status" && fault.repeat === true) {
      return { _tag: "Fault", fault }
    } else if (fault?.kind === "delay") {
      await new Promise((resolve) => setTimeout(resolve, fault.ms))
    } else if (fault !== undefined) {
      this.faults.delete(url.pathname)
      return { _tag: "Fault", fault }
    }
    const json = (status: number, payload: unknown): SandboxAnswer => {
      this.answers.push({ path: url.pathname, status, body: payload })
      return { _tag: "Json", status, body: payload }
    }
    if (method === "GET" && (url.pathname === "/health/liveliness" || url.pathname === "/health/liveness")) {
      return json(200, "I'm alive!")
    }
    if (method === "GET" && url.pathname === "/health/readiness") {
      return json(
        200,
        this.traits.readinessStatesVersion
          ? { status: "healthy", db: "connected", cache: null, litellm_version: this.traits.version }
          : { status: "healthy", db: "connected" }
      )
    }
    // FastAPI's own document, public; a proxy may turn its docs off, as the older releases here do.
    if (method === "GET" && url.pathname === "/openapi.json" && this.traits.servesOpenApi) {
      return json(200, await openApiDocument())
    }
    // public_model_hub_info (public_endpoints.py): no authentication, on every release read.
    if (method === "GET" && url.pathname === "/public/model_hub/info") {
      return json(200, { docs_title: "LiteLLM API", custom_docs_description: null, litellm_version: this.traits.version, useful_links: {} })
    }
    try {
      const contentType = typeof headers["content-type"] === "string" ? headers["content-type"] : undefined
      const problems = this.options.validate?.(method, url, { contentType, text }) ?? []
      if (problems.length > 0) {
        this.violations.push(...problems)
        throw new HttpError(422, { detail: problems.map((msg) => ({ type: "contract", loc: ["request"], msg })) })
      }
      // FastAPI matches the route before any dependency runs: a route this release lacks is 404 to anyone.
      const matched = routeOf(method, url.pathname)
      const handler = matched !== undefined && hasRoute(this, matched.route) ? routes[matched.route] : undefined
      if (handler === undefined) throw new HttpError(404, { detail: "Not Found" })
      const caller = authenticate(this, authorization)
      checkRoute(this, caller, method, url.pathname, url.searchParams, (body ?? {}) as Row)
      return json(200, handler(this, { params: matched!.params, q: url.searchParams, body: (body ?? {}) as Row, caller }))
    } catch (e) {
      if (e instanceof HttpError) return json(e.status, e.body)
      if (e instanceof Unhandled) {
        this.answers.push({ path: url.pathname, status: e.status, body: e.text })
        return { _tag: "Fault", fault: { kind: "status", status: e.status, body: e.text, contentType: "text/plain; charset=utf-8" } }
      }
      return json(500, { error: { message: String(e), type: "internal_server_error", param: "None", code: "500" } })
    }
  }

  private applyFault(fault: Fault, res: ServerResponse): void {
    switch (fault.kind) {
      case "status":
        // With its length stated, as uvicorn sends LiteLLM's JSON answers.
        res.writeHead(fault.status, {
          "content-type": fault.contentType ?? "application/json",
          "content-length": Buffer.byteLength(fault.body)
        })
        res.end(fault.body)
        return
      case "chunked":
        res.writeHead(200, { "content-type": "application/json" })
        for (let at = 0; at < fault.body.length; at += 16_384) res.write(fault.body.slice(at, at + 16_384))
        res.end()
        return
      case "hang":
        return
      case "stall":
        res.writeHead(200, { "content-type": "application/json" })
        res.write("{\"keys\": [")
        return
      case "reset":
        res.socket?.destroy()
        return
      case "redirect":
        res.writeHead(302, { location: fault.location })
        res.end()
        return
      case "truncate":
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
        res.write("{\"keys\": [\"")
        setTimeout(() => res.socket?.destroy(), 10)
        return
      case "delay":
        return
    }
  }
}
