import { createHash, randomBytes, randomUUID } from "node:crypto"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
/**
 * A LiteLLM Proxy sandbox that behaves as LiteLLM's admin API does for the routes this server
 * calls, as read in LiteLLM's source: in-memory users, keys stored by sha256 hash and spend logs;
 * LiteLLM's three error shapes and its quirks (upserting updates, bare-integer deletes, `keys`
 * beating `key_aliases`, misleading 401/404 texts, `token: null` after a regeneration). Two
 * releases (`current`, as 1.96; `legacy`, as the releases before November 2025) and LiteLLM's role
 * checks (route_checks.py and the handlers' own scoping). It listens on 127.0.0.1 only. `--demo`
 * runs it with sample data; the tests run it with a contract check on every request.
 */

/** `current`: as LiteLLM 1.96. `legacy`: as the releases before November 2025 (the 1.79 line). */
export type Release = "current" | "legacy"

export const versionOf: Record<Release, string> = { current: "1.96.0", legacy: "1.79.3" }

export type Role = "proxy_admin" | "proxy_admin_viewer" | "internal_user" | "internal_user_viewer"

/** Who LiteLLM takes the caller to be, from the key it sent. */
interface Caller {
  readonly role: Role
  readonly userId: string
  readonly token: string
}

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

type Row = Record<string, unknown>

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

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex")
const hashIfNeeded = (k: string) => k.startsWith("sk-") ? sha256(k) : k
const newRawKey = () => `sk-${randomBytes(16).toString("base64url")}`
const now = () => new Date().toISOString()

class HttpError {
  constructor(readonly status: number, readonly body: unknown) {}
}

/** ProxyException envelope, `code` a string as in current releases. */
const envelope = (status: number, message: string, type = "internal_server_error", param: string | null = "None") =>
  new HttpError(status, { error: { message, type, param, code: String(status) } })
/** FastAPI HTTPException default shape. */
const detail = (status: number, error: string) => new HttpError(status, { detail: { error } })

const pyRepr = (error: string) => `{'error': '${error}'}`

// LiteLLMRoutes in _types.py, the members this sandbox serves.
const INFO_ROUTES = new Set([
  "/key/info",
  "/team/info",
  "/team/list",
  "/v2/team/list",
  "/user/info",
  "/model/info",
  "/v2/model/info",
  "/key/list"
])
const KEY_MANAGEMENT_ROUTES = new Set([
  "/key/generate",
  "/key/update",
  "/key/delete",
  "/key/info",
  "/key/regenerate",
  "/key/list",
  "/key/block",
  "/key/unblock"
])
// Exact routes: /spend/logs/v2 and /spend/logs/ui are not among them.
const SPEND_TRACKING_ROUTES = new Set(["/spend/keys", "/spend/users", "/spend/tags", "/spend/calculate", "/spend/logs"])
const SELF_MANAGED_ROUTES = new Set(["/team/member_add", "/team/member_delete", "/user/daily/activity"])

/** /key/list filters the legacy release does not have (expires: 2026-05; substring_matching, agent_id). */
const LEGACY_UNKNOWN_KEY_FILTERS = new Set(["expires", "substring_matching", "agent_id"])

const SPEND_LOG_FILTERS_V2 = new Set([
  "api_key",
  "user_id",
  "request_id",
  "team_id",
  "min_spend",
  "max_spend",
  "status_filter",
  "model",
  "model_id",
  "model_group",
  "end_user"
])
// ui_view_spend_logs before /spend/logs/v2: these only; page_size at most 100.
const SPEND_LOG_FILTERS_UI = new Set(["api_key", "user_id", "request_id", "team_id", "min_spend", "max_spend", "status_filter", "model"])

const page = <A>(items: ReadonlyArray<A>, pageNo: number, size: number) => ({
  items: items.slice((pageNo - 1) * size, pageNo * size),
  totalPages: Math.ceil(items.length / size)
})

export class LiteLlmSandbox {
  readonly requests: Array<RecordedRequest> = []
  /** What this sandbox answered, in order: a refusal of LiteLLM's must reach the agent as it was. */
  readonly answers: Array<{ readonly path: string; readonly status: number; readonly body: unknown }> = []
  readonly violations: Array<string> = []
  readonly users = new Map<string, Row>()
  readonly keys = new Map<string, Row>()
  readonly spendLogs: Array<Row> = []
  readonly teams = new Map<string, Row>()
  /** Deployments as LiteLLM stores them, provider credentials included (LiteLLM strips most). */
  readonly models: Array<{ model_name: string; litellm_params: Row; model_info: Row & { id: string } }> = []
  /** Bearer keys LiteLLM treats as its master key (role proxy_admin). */
  readonly adminKeys = new Set<string>()
  /** Every raw key this stand-in has seen or made: none may ever appear in a log. */
  readonly secrets = new Set<string>()
  private readonly faults = new Map<string, Fault>()
  private readonly sockets = new Set<Socket>()
  private server: Server | undefined

  url = ""
  /** Whether this proxy has a LiteLLM Enterprise licence (key regeneration needs one). */
  enterprise = false
  /** Which LiteLLM release this sandbox answers as. */
  release: Release = "current"

  constructor(private readonly options: { readonly validate?: RequestValidator } = {}) {}

  addAdminKey(key: string = newRawKey()): string {
    this.adminKeys.add(key)
    this.secrets.add(key)
    return key
  }

  /**
   * A user with this role and a key of theirs, as an operator would hand an agent; `teams` makes
   * them a member (or, with `admin`, a team admin) of existing teams. Returns the raw key.
   */
  addCaller(role: Role, userId: string, teams: ReadonlyArray<{ team_id: string; role: "admin" | "user" }> = []): string {
    this.seedUser({ user_id: userId, user_role: role, teams: teams.map((t) => t.team_id) })
    for (const t of teams) {
      const team = this.teams.get(t.team_id) ?? this.seedTeam({ team_id: t.team_id })
      ;(team["members_with_roles"] as Array<Row>).push({ user_id: userId, role: t.role, user_email: null })
    }
    return this.seedKey({ user_id: userId, key_alias: `${userId}-own-key` }).raw
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
    this.faults.clear()
    this.release = "current"
  }

  seedUser(fields: Row): Row {
    const user: Row = {
      user_alias: null,
      user_email: null,
      user_role: "internal_user",
      teams: [],
      team_id: null,
      sso_user_id: null,
      organization_id: null,
      max_budget: null,
      spend: 0,
      models: [],
      metadata: {},
      max_parallel_requests: null,
      tpm_limit: null,
      rpm_limit: null,
      budget_duration: null,
      budget_reset_at: null,
      created_at: now(),
      updated_at: now(),
      ...fields
    }
    this.users.set(String(user["user_id"]), user)
    return user
  }

  /** Creates a key row; returns the row and the raw key, which only the caller now knows. */
  seedKey(fields: Row, raw: string = newRawKey()): { readonly raw: string; readonly row: Row } {
    const token = sha256(raw)
    const row: Row = {
      token,
      key_name: `sk-...${raw.slice(-4)}`,
      key_alias: null,
      spend: 0,
      max_budget: null,
      expires: null,
      models: [],
      aliases: {},
      config: {},
      user_id: null,
      team_id: null,
      organization_id: null,
      permissions: {},
      max_parallel_requests: null,
      metadata: {},
      tpm_limit: null,
      rpm_limit: null,
      budget_duration: null,
      budget_reset_at: null,
      blocked: null,
      created_at: now(),
      created_by: null,
      updated_at: now(),
      ...fields
    }
    this.keys.set(token, row)
    this.secrets.add(raw)
    return { raw, row }
  }

  seedTeam(fields: Row): Row {
    const team: Row = {
      team_alias: null,
      organization_id: null,
      members_with_roles: [],
      models: [],
      max_budget: null,
      spend: 0,
      blocked: false,
      metadata: {},
      created_at: now(),
      ...fields
    }
    this.teams.set(String(team["team_id"]), team)
    return team
  }

  seedSpendLog(fields: Row): Row {
    const row: Row = {
      request_id: randomUUID(),
      call_type: "acompletion",
      api_key: "",
      spend: 0,
      total_tokens: 0,
      prompt_tokens: 0,
      completion_tokens: 0,
      startTime: now(),
      endTime: now(),
      model: "gpt-4o",
      user: "",
      team_id: null,
      status: "success",
      metadata: {},
      ...fields
    }
    this.spendLogs.push(row)
    return row
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
      return json(200, { status: "healthy", db: "connected", cache: null, litellm_version: versionOf[this.release] })
    }
    try {
      const contentType = typeof headers["content-type"] === "string" ? headers["content-type"] : undefined
      const problems = this.options.validate?.(method, url, { contentType, text }) ?? []
      if (problems.length > 0) {
        this.violations.push(...problems)
        throw new HttpError(422, { detail: problems.map((msg) => ({ type: "contract", loc: ["request"], msg })) })
      }
      const caller = this.authenticate(authorization)
      this.checkRoute(caller, method, url.pathname, url.searchParams, (body ?? {}) as Row)
      return json(200, this.route(method, url.pathname, url.searchParams, (body ?? {}) as Row, caller))
    } catch (e) {
      if (e instanceof HttpError) return json(e.status, e.body)
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

  private authenticate(header: string | undefined): Caller {
    if (header === undefined) throw envelope(401, "Authentication Error, No api key passed in.", "auth_error")
    if (!header.startsWith("Bearer ")) {
      throw envelope(401, "Authentication Error, Malformed API Key passed in. Ensure Key has `Bearer ` prefix.", "auth_error")
    }
    const key = header.slice("Bearer ".length)
    if (this.adminKeys.has(key)) return { role: "proxy_admin", userId: "default_user_id", token: sha256(key) }
    const hash = sha256(key)
    const row = this.keys.get(hash)
    if (row !== undefined) {
      if (row["blocked"] === true) {
        throw envelope(401, "Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin.", "auth_error")
      }
      const userId = String(row["user_id"] ?? "")
      const role = (this.users.get(userId)?.["user_role"] ?? "internal_user") as Role
      return { role, userId, token: hash }
    }
    throw envelope(
      401,
      `Authentication Error, Invalid proxy server token passed. Received API Key = sk-...${key.slice(-4)}, Key Hash (Token) =${hash}. Unable to find token in cache or \`LiteLLM_VerificationTokenTable\``,
      "token_not_found_in_db",
      "key"
    )
  }

  /** route_checks.py: `non_proxy_admin_allowed_routes_check`, for the routes this server calls. */
  private checkRoute(caller: Caller, method: string, path: string, q: URLSearchParams, body: Row): void {
    if (caller.role === "proxy_admin") return
    if (INFO_ROUTES.has(path)) {
      const userId = q.get("user_id")
      if (path === "/user/info" && userId !== null && userId !== caller.userId) {
        throw envelope(
          403,
          `key not allowed to access this user's info. user_id=${userId}, key's user_id=${caller.userId}`,
          "auth_error"
        )
      }
      return
    }
    if (caller.role === "proxy_admin_viewer") {
      if (method === "GET") return
      if (path === "/user/update" && Object.keys(body).every((k) => k === "user_email" || k === "password")) return
      throw envelope(
        403,
        `user not allowed to access this route, role= proxy_admin_viewer. Trying to access: ${path}`,
        "auth_error"
      )
    }
    if (caller.role === "internal_user" && (KEY_MANAGEMENT_ROUTES.has(path) || SPEND_TRACKING_ROUTES.has(path))) return
    if (caller.role === "internal_user_viewer" && SPEND_TRACKING_ROUTES.has(path)) return
    if (SELF_MANAGED_ROUTES.has(path)) return
    const masked = caller.userId.length <= 4 ? "***" : `${caller.userId.slice(0, 6)}***${caller.userId.slice(-2)}`
    throw envelope(
      401,
      `Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=${path}. Your role=${caller.role}. Your user_id=${masked}`,
      "auth_error"
    )
  }

  private isTeamAdmin(caller: Caller, teamId: unknown): boolean {
    const team = typeof teamId === "string" ? this.teams.get(teamId) : undefined
    return team !== undefined &&
      (team["members_with_roles"] as Array<Row>).some((m) => m["user_id"] === caller.userId && m["role"] === "admin")
  }

  private isTeamMember(caller: Caller, teamId: unknown): boolean {
    const team = typeof teamId === "string" ? this.teams.get(teamId) : undefined
    return team !== undefined && (team["members_with_roles"] as Array<Row>).some((m) => m["user_id"] === caller.userId)
  }

  /** `can_modify_verification_token`: the key's owner or an admin of its team. */
  private canModify(caller: Caller, key: Row): boolean {
    return caller.role === "proxy_admin" || key["user_id"] === caller.userId || this.isTeamAdmin(caller, key["team_id"])
  }

  private route(method: string, path: string, q: URLSearchParams, body: Row, caller: Caller): unknown {
    switch (`${method} ${path}`) {
      case "GET /user/list":
        return this.userList(q)
      case "POST /user/new":
        return this.userNew(body)
      case "POST /user/update":
        return this.userUpdate(body)
      case "POST /user/delete":
        return this.userDelete(body)
      case "GET /user/info":
        return this.userInfo(q)
      case "GET /key/list":
        return this.keyList(q, caller)
      case "POST /key/generate":
        return this.keyGenerate(body)
      case "POST /key/update":
        return this.keyUpdate(body, caller)
      case "POST /key/delete":
        return this.keyDelete(body, caller)
      case "GET /key/info":
        return this.keyInfo(q, caller)
      case "GET /spend/logs/v2":
        if (this.release === "legacy") throw new HttpError(404, { detail: "Not Found" })
        return this.spendLogPage(q, SPEND_LOG_FILTERS_V2)
      case "GET /spend/logs/ui":
        return this.spendLogPage(q, this.release === "legacy" ? SPEND_LOG_FILTERS_UI : SPEND_LOG_FILTERS_V2)
      case "POST /key/regenerate":
        return this.keyRegenerate(body, caller)
      case "POST /key/block":
        return this.keyBlock(body, true)
      case "POST /key/unblock":
        return this.keyBlock(body, false)
      case "GET /v2/model/info":
        return this.modelInfoV2(q)
      case "GET /model/info":
        return { data: this.models.filter((m) => q.get("litellm_model_id") === null || m.model_info.id === q.get("litellm_model_id")) }
      case "GET /user/daily/activity":
        return this.dailyActivity(q, caller)
      case "GET /v2/team/list":
        return this.teamListV2(q, caller)
      case "GET /team/list":
        return [...this.teams.values()]
      case "GET /team/info":
        return this.teamInfo(q)
      case "POST /team/new":
        return this.teamNew(body)
      case "POST /team/update":
        return this.teamUpdate(body)
      case "POST /team/delete":
        return this.teamDelete(body)
      case "POST /team/member_add":
        this.teamAdminOnly(caller, body["team_id"], "/team/member_add")
        return this.teamMemberAdd(body)
      case "POST /team/member_delete":
        this.teamAdminOnly(caller, body["team_id"], "/team/member_delete")
        return this.teamMemberDelete(body)
      default:
        throw new HttpError(404, { detail: "Not Found" })
    }
  }

  private keyCount(userId: string) {
    return [...this.keys.values()].filter((k) => k["user_id"] === userId && k["team_id"] !== "litellm-dashboard").length
  }

  private userList(q: URLSearchParams) {
    const sortBy = q.get("sort_by")
    const columns = ["user_id", "user_email", "created_at", "spend", "user_alias", "user_role"]
    if (sortBy !== null && !columns.includes(sortBy)) {
      throw detail(400, `Invalid sort column. Must be one of: ${columns.join(", ")}`)
    }
    const sortOrder = (q.get("sort_order") ?? "asc").toLowerCase()
    if (sortOrder !== "asc" && sortOrder !== "desc") throw detail(400, "Invalid sort order. Must be 'asc' or 'desc'")
    const ids = q.get("user_ids")?.split(",")
    const sso = q.get("sso_user_ids")?.split(",")
    const orgs = q.get("organization_ids")?.split(",")
    const email = q.get("user_email")?.toLowerCase()
    let users = [...this.users.values()].filter((u) =>
      (q.get("role") === null || u["user_role"] === q.get("role")) &&
      (ids === undefined ||
        (ids.length === 1
          ? String(u["user_id"]).toLowerCase().includes(ids[0]!.toLowerCase())
          : ids.includes(String(u["user_id"])))) &&
      (sso === undefined || sso.includes(String(u["sso_user_id"]))) &&
      (email === undefined || String(u["user_email"] ?? "").toLowerCase().includes(email)) &&
      (q.get("team") === null || (u["teams"] as Array<string>).includes(q.get("team")!)) &&
      (orgs === undefined || orgs.includes(String(u["organization_id"])))
    )
    const column = sortBy ?? "created_at"
    const direction = sortBy === null ? -1 : sortOrder === "desc" ? -1 : 1
    users = users.sort((a, b) => String(a[column]) < String(b[column]) ? -direction : String(a[column]) > String(b[column]) ? direction : 0)
    const pageNo = Number(q.get("page") ?? 1)
    const size = Number(q.get("page_size") ?? 25)
    const { items, totalPages } = page(users, pageNo, size)
    return {
      users: items.map((u) => ({ ...u, key_count: this.keyCount(String(u["user_id"])) })),
      total: users.length,
      page: pageNo,
      page_size: size,
      total_pages: totalPages
    }
  }

  private createKeyRow(body: Row, userId: unknown) {
    const custom = body["key"]
    if (typeof custom === "string" && !custom.startsWith("sk-")) {
      throw envelope(400, pyRepr(`Invalid key format. LiteLLM Virtual Key must start with 'sk-'. Received=${custom}`))
    }
    const alias = body["key_alias"]
    if (alias != null && [...this.keys.values()].some((k) => k["key_alias"] === alias)) {
      throw envelope(
        400,
        `Key with alias '${String(alias)}' already exists. Unique key aliases across all keys are required.`,
        "bad_request_error",
        "key_alias"
      )
    }
    const { key: _key, duration, ...fields } = body
    const expires = typeof duration === "string" ? new Date(Date.now() + 86_400_000).toISOString() : null
    return this.seedKey({ ...fields, user_id: userId ?? null, expires }, typeof custom === "string" ? custom : newRawKey())
  }

  private userNew(body: Row) {
    const email = body["user_email"]
    if (typeof email === "string") {
      const clash = [...this.users.values()].some((u) =>
        String(u["user_email"] ?? "").trim().toLowerCase() === email.trim().toLowerCase()
      )
      // _check_duplicate_user_field: a 409, wrapped as LiteLLM's error envelope.
      if (clash) throw envelope(409, `User with email ${email} already exists`, "bad_request_error", "user_email")
    }
    const userId = typeof body["user_id"] === "string" ? body["user_id"] : randomUUID()
    if (this.users.has(userId)) throw envelope(409, `User with id ${userId} already exists`, "bad_request_error", "user_id")
    const { auto_create_key, key_alias, duration, send_invite_email: _invite, organizations: _orgs, ...fields } = body
    const teams = Array.isArray(body["teams"])
      ? body["teams"].map((t) => typeof t === "string" ? t : String((t as Row)["team_id"]))
      : []
    const user = this.seedUser({ ...fields, teams, user_id: userId })
    const key = auto_create_key === false
      ? ""
      : this.createKeyRow({ key_alias, duration }, userId).raw
    return { ...user, key, key_alias: key_alias ?? null }
  }

  private userUpdate(body: Row) {
    // LiteLLM upserts: an unknown id (or email) silently creates a user.
    const byId = typeof body["user_id"] === "string" ? this.users.get(body["user_id"]) : undefined
    const byEmail = body["user_id"] === undefined && typeof body["user_email"] === "string"
      ? [...this.users.values()].find((u) => u["user_email"] === body["user_email"])
      : undefined
    const changes = Object.fromEntries(
      Object.entries(body).filter(([, v]) =>
        v !== null && !(Array.isArray(v) && v.length === 0) &&
        !(typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0)
      )
    )
    const existing = byId ?? byEmail
    const user = existing === undefined
      ? this.seedUser({ ...changes, user_id: body["user_id"] ?? randomUUID() })
      : Object.assign(existing, changes, { updated_at: now() })
    return { user_id: user["user_id"], data: user }
  }

  private userDelete(body: Row) {
    const ids = body["user_ids"] as Array<string>
    // As LiteLLM's validation loop does: known users leave their teams before the 404 for an unknown one.
    for (const id of ids) {
      if (!this.users.has(id)) throw detail(404, `User not found, passed user_id=${id}`)
      for (const team of this.teams.values()) {
        team["members_with_roles"] = (team["members_with_roles"] as Array<Row>).filter((m) => m["user_id"] !== id)
      }
    }
    for (const [hash, key] of this.keys) if (ids.includes(String(key["user_id"]))) this.keys.delete(hash)
    for (const id of ids) this.users.delete(id)
    return ids.length
  }

  private userInfo(q: URLSearchParams) {
    const id = q.get("user_id")
    if (id === null) {
      return { user_id: null, user_info: null, keys: [...this.keys.values()], teams: [] }
    }
    const user = this.users.get(id)
    if (user === undefined) {
      // Before the fix of November 2025, an unknown id was a 200 with an empty user_info.
      if (this.release === "legacy") return { user_id: id, user_info: { spend: 0 }, keys: [], teams: [] }
      throw envelope(404, `User ${id} not found`)
    }
    const keys = [...this.keys.values()].filter((k) => k["user_id"] === id).map((k) => ({ ...k, team_alias: "None" }))
    return { user_id: id, user_info: user, keys, teams: [] }
  }

  /** `list_keys` with `validate_key_list_check` and `_build_key_filter_conditions`. */
  private keyList(q: URLSearchParams, caller: Caller) {
    const sortBy = q.get("sort_by")
    const columns = ["spend", "max_budget", "created_at", "updated_at", "token", "key_alias"]
    if (sortBy !== null && !columns.includes(sortBy)) {
      throw envelope(400, `Invalid sort_by. Must be one of ${columns.join(", ")}`)
    }
    const status = q.get("status")
    if (status !== null && status !== "deleted") throw envelope(400, "Invalid status value. Currently only 'deleted' is supported.")
    // Older releases do not know these filters, and FastAPI drops unknown parameters silently.
    const legacy = this.release === "legacy"
    const param = (name: string) => legacy && LEGACY_UNKNOWN_KEY_FILTERS.has(name) ? null : q.get(name)
    let userId = q.get("user_id")
    const teamId = q.get("team_id")
    let adminTeams: Array<string> = []
    if (caller.role !== "proxy_admin") {
      const user = this.users.get(caller.userId)
      if (user === undefined) {
        throw envelope(403, "You are not authorized to access this endpoint. No 'user_id' is associated with your API key.", "bad_request_error", "user_id")
      }
      if (userId !== null && userId !== caller.userId) {
        throw envelope(403, "You are not authorized to check another user's keys", "bad_request_error", "user_id")
      }
      if (teamId !== null && !(user["teams"] as Array<string>).includes(teamId)) {
        throw envelope(403, "You are not authorized to check this team's keys", "bad_request_error", "team_id")
      }
      if (q.get("include_team_keys") === "true") {
        adminTeams = (user["teams"] as Array<string>).filter((t) => this.isTeamAdmin(caller, t))
      }
      if (userId === null && caller.role !== "proxy_admin_viewer") userId = caller.userId
    }
    const substring = param("substring_matching") === "true"
    const matches = (value: unknown, wanted: string | null) =>
      wanted === null ||
      (substring ? String(value ?? "").toLowerCase().includes(wanted.toLowerCase()) : value === wanted)
    const expires = param("expires")
    const now = Date.now()
    // Own keys match the filters; keys of the teams the caller administers are added unfiltered.
    const own = (k: Row) =>
      matches(k["user_id"], userId) &&
      (q.get("organization_id") === null || k["organization_id"] === q.get("organization_id")) &&
      (q.get("key_hash") === null || k["token"] === q.get("key_hash")) &&
      matches(k["key_alias"], q.get("key_alias")) &&
      (param("agent_id") === null || k["agent_id"] === param("agent_id")) &&
      (expires === null ||
        (expires === "expired"
          ? k["expires"] != null && Date.parse(String(k["expires"])) < now
          : k["expires"] == null || Date.parse(String(k["expires"])) >= now))
    const keys = status === "deleted" ? [] : [...this.keys.values()].filter((k) =>
      k["team_id"] !== "litellm-dashboard" &&
      (own(k) || adminTeams.includes(String(k["team_id"]))) &&
      (teamId === null || k["team_id"] === teamId)
    )
    const pageNo = Number(q.get("page") ?? 1)
    const size = Number(q.get("size") ?? 10)
    const { items, totalPages } = page(keys, pageNo, size)
    const full = q.get("return_full_object") === "true"
    return {
      keys: items.map((k) => full ? { ...k, api_key: null } : k["token"]),
      total_count: keys.length,
      current_page: pageNo,
      total_pages: totalPages
    }
  }

  private keyGenerate(body: Row) {
    for (const field of ["max_budget", "soft_budget"]) {
      if (typeof body[field] === "number" && (body[field] as number) < 0) {
        throw envelope(400, pyRepr(`${field} cannot be negative. Received: ${String(body[field])}`))
      }
    }
    const { raw, row } = this.createKeyRow(body, body["user_id"])
    return { ...row, key: raw, token_id: row["token"] }
  }

  private findKey(keyOrHash: string) {
    return this.keys.get(hashIfNeeded(keyOrHash))
  }

  private keyUpdate(body: Row, caller: Caller) {
    const given = body["key"]
    const alias = body["key_alias"]
    let row: Row | undefined
    if (typeof given === "string") {
      row = this.findKey(given)
    } else if (typeof alias === "string") {
      row = [...this.keys.values()].find((k) => k["key_alias"] === alias)
    } else {
      throw new HttpError(422, {
        detail: [{ type: "value_error", loc: ["body"], msg: "Value error, either key or key_alias must be provided" }]
      })
    }
    // LiteLLM's own (misleading) message for an unknown key.
    if (row === undefined) throw envelope(404, pyRepr("Team not found, passed team_id=None"), "auth_error")
    if (!this.canModify(caller, row)) {
      throw envelope(403, pyRepr(`User=${caller.userId} is not allowed to update key=${String(given ?? alias)}`), "auth_error")
    }
    if (typeof given === "string" && typeof alias === "string" && alias !== row["key_alias"]) {
      if ([...this.keys.values()].some((k) => k["key_alias"] === alias)) {
        throw envelope(400, `Key with alias '${alias}' already exists. Unique key aliases across all keys are required.`, "bad_request_error", "key_alias")
      }
    }
    const { key: _k, duration, budget_duration, ...changes } = body
    Object.assign(row, changes, { updated_at: now() })
    if (duration !== undefined) row["expires"] = duration === null ? null : new Date(Date.now() + 86_400_000).toISOString()
    // prepare_key_update_data keeps budget_duration only when it is a non-empty string: null is ignored.
    if (typeof budget_duration === "string" && budget_duration !== "") row["budget_duration"] = budget_duration
    return { key: given ?? alias, ...row }
  }

  private keyDelete(body: Row, caller: Caller) {
    const keys = body["keys"] as Array<string> | null | undefined
    const aliases = body["key_aliases"] as Array<string> | null | undefined
    if (keys == null && aliases == null) {
      throw new HttpError(422, {
        detail: [{ type: "value_error", loc: ["body"], msg: "Value error, At least one of 'keys' or 'key_aliases' must be provided." }]
      })
    }
    // `keys` wins when both are sent; aliases are then ignored.
    const hashes = keys != null
      ? keys.map(hashIfNeeded)
      : [...this.keys.values()].filter((k) => aliases!.includes(String(k["key_alias"]))).map((k) => String(k["token"]))
    const existing = hashes.filter((h) => this.keys.has(h))
    if (existing.length === 0) throw envelope(404, pyRepr("No keys found"))
    if (existing.some((h) => !this.canModify(caller, this.keys.get(h)!))) {
      throw envelope(403, pyRepr("You are not authorized to delete this key"))
    }
    for (const h of existing) this.keys.delete(h)
    return { deleted_keys: keys ?? aliases }
  }

  private keyInfo(q: URLSearchParams, caller: Caller) {
    const key = q.get("key")
    if (key === null) throw envelope(400, "No key passed in.")
    const row = this.findKey(key)
    if (row === undefined) throw envelope(404, "Key not found in database", "not_found_error", "key")
    // _can_user_query_key_info
    const allowed = caller.role === "proxy_admin" || caller.role === "proxy_admin_viewer" ||
      row["token"] === caller.token || row["user_id"] === caller.userId || this.isTeamMember(caller, row["team_id"])
    if (!allowed) throw envelope(403, `You are not allowed to access this key's info. Your role=${caller.role}`)
    const { token: _t, ...info } = row
    return { key, info }
  }

  private keyRegenerate(body: Row, caller: Caller) {
    if (!this.enterprise) {
      throw envelope(
        500,
        "Regenerating Virtual Keys is an Enterprise feature, You must be a LiteLLM Enterprise user to use this feature. If you have a license please set `LITELLM_LICENSE` in your env."
      )
    }
    const old = this.findKey(String(body["key"]))
    if (old === undefined) throw envelope(404, pyRepr(`Key ${String(body["key"])} not found.`))
    if (!this.canModify(caller, old)) throw envelope(403, pyRepr("You are not authorized to regenerate this key"))
    const custom = body["new_key"]
    const { token: _token, key_name: _name, ...fields } = old
    this.keys.delete(String(old["token"]))
    const { raw, row } = this.seedKey(fields, typeof custom === "string" ? custom : undefined)
    // _execute_virtual_key_regeneration moves the hash to token_id; GenerateKeyResponse then
    // serialises its own `token` field, unset, as null.
    const { token, ...rest } = row
    return { ...rest, key: raw, token_id: token, token: null }
  }

  private keyBlock(body: Row, blocked: boolean) {
    const given = String(body["key"])
    if (!given.startsWith("sk-") && !/^[0-9a-f]{64}$/.test(given)) {
      throw envelope(400, "Invalid key format.", "bad_request_error", "key")
    }
    const row = this.findKey(given)
    // The update finds no row, then get_key_object fails as authentication does.
    if (row === undefined) {
      throw envelope(
        401,
        `Authentication Error, Invalid proxy server token passed. key=${hashIfNeeded(given)}, not found in db. Create key via \`/key/generate\` call.`,
        "token_not_found_in_db",
        "key"
      )
    }
    row["blocked"] = blocked
    return row
  }

  private modelInfoV2(q: URLSearchParams) {
    const search = q.get("search")?.toLowerCase()
    const models = this.models.filter((m) =>
      (search === undefined || m.model_name.toLowerCase().includes(search)) &&
      (q.get("modelId") === null || m.model_info.id === q.get("modelId"))
    )
    const pageNo = Number(q.get("page") ?? 1)
    const size = Number(q.get("size") ?? 50)
    const { items, totalPages } = page(models, pageNo, size)
    return { data: items, total_count: models.length, current_page: pageNo, total_pages: totalPages, size }
  }

  private dailyActivity(q: URLSearchParams, caller: Caller) {
    const start = q.get("start_date")
    const end = q.get("end_date")
    if (start === null || end === null) throw detail(400, "Please provide start_date and end_date")
    const admin = caller.role === "proxy_admin" || caller.role === "proxy_admin_viewer"
    let userId: string | null
    if (this.release === "legacy") {
      // No user_id parameter: an admin gets the whole proxy, anyone else their own.
      userId = admin ? null : caller.userId
    } else {
      userId = q.get("user_id")
      if (!admin && userId !== null && userId !== caller.userId) {
        throw detail(403, "Non-admin users can only view their own activity")
      }
      if (!admin) userId = caller.userId
    }
    const days = new Map<string, { spend: number; total_tokens: number; api_requests: number }>()
    for (const r of this.spendLogs) {
      const day = String(r["startTime"]).slice(0, 10)
      if (day < start || day > end) continue
      if (q.get("model") !== null && r["model"] !== q.get("model")) continue
      if (q.get("api_key") !== null && r["api_key"] !== q.get("api_key")) continue
      if (userId !== null && r["user"] !== userId) continue
      const m = days.get(day) ?? { spend: 0, total_tokens: 0, api_requests: 0 }
      m.spend += Number(r["spend"])
      m.total_tokens += Number(r["total_tokens"])
      m.api_requests += 1
      days.set(day, m)
    }
    const results = [...days].sort().map(([date, metrics]) => ({ date, metrics, breakdown: {} }))
    const pageNo = Number(q.get("page") ?? 1)
    const size = Number(q.get("page_size") ?? 50)
    const { items, totalPages } = page(results, pageNo, size)
    return {
      results: items,
      metadata: {
        total_spend: results.reduce((a, r) => a + r.metrics.spend, 0),
        total_api_requests: results.reduce((a, r) => a + r.metrics.api_requests, 0),
        page: pageNo,
        total_pages: totalPages,
        has_more: pageNo < totalPages
      }
    }
  }

  private team(id: string): Row {
    const team = this.teams.get(id)
    if (team === undefined) throw detail(404, `Team not found, passed team_id=${id}`)
    return team
  }

  private teamListV2(q: URLSearchParams, caller: Caller) {
    const alias = q.get("team_alias")?.toLowerCase()
    const userId = q.get("user_id")
    // list_team_v2 answers a 404 of its own for an unknown user: an answer, not a missing route.
    if (userId !== null && !this.users.has(userId)) throw detail(404, `User not found, passed user_id=${userId}`)
    const memberOnly = caller.role === "proxy_admin" || caller.role === "proxy_admin_viewer" ? null : caller.userId
    const isMember = (t: Row, id: string) => (t["members_with_roles"] as Array<Row>).some((m) => m["user_id"] === id)
    const teams = [...this.teams.values()].filter((t) =>
      (q.get("team_id") === null || t["team_id"] === q.get("team_id")) &&
      (q.get("organization_id") === null || t["organization_id"] === q.get("organization_id")) &&
      (alias === undefined || String(t["team_alias"] ?? "").toLowerCase().includes(alias)) &&
      (userId === null || isMember(t, userId)) &&
      (memberOnly === null || isMember(t, memberOnly))
    )
    const pageNo = Number(q.get("page") ?? 1)
    const size = Number(q.get("page_size") ?? 10)
    const { items, totalPages } = page(teams, pageNo, size)
    return { teams: items, total: teams.length, page: pageNo, page_size: size, total_pages: totalPages }
  }

  /** team_member_add / team_member_delete: a proxy admin or an admin of that team. */
  private teamAdminOnly(caller: Caller, teamId: unknown, route: string): void {
    if (caller.role === "proxy_admin" || this.isTeamAdmin(caller, teamId)) return
    throw detail(403, `Call not allowed. User not proxy admin OR team admin. route=${route}, team_id=${String(teamId)}`)
  }

  private teamInfo(q: URLSearchParams) {
    const id = q.get("team_id")
    if (id === null) throw envelope(422, "Malformed request. No team id passed in.", "auth_error")
    const team = this.teams.get(id)
    if (team === undefined) throw envelope(404, `{'message': 'Team not found, passed team id: ${id}.'}`, "auth_error")
    const keys = [...this.keys.values()].filter((k) => k["team_id"] === id)
    return { team_id: id, team_info: team, keys, team_memberships: [] }
  }

  private teamNew(body: Row) {
    const id = typeof body["team_id"] === "string" ? body["team_id"] : randomUUID()
    if (this.teams.has(id)) throw envelope(400, pyRepr(`Team id = ${id} already exists. Please use a different team id.`))
    return this.seedTeam({ ...body, team_id: id, members_with_roles: body["members_with_roles"] ?? [] })
  }

  private teamUpdate(body: Row) {
    const team = this.team(String(body["team_id"]))
    Object.assign(team, body)
    return { team_id: team["team_id"], data: team }
  }

  private teamDelete(body: Row) {
    const ids = body["team_ids"] as Array<string>
    for (const id of ids) this.team(id)
    for (const [hash, key] of this.keys) if (ids.includes(String(key["team_id"]))) this.keys.delete(hash)
    for (const id of ids) this.teams.delete(id)
    return { deleted_teams: ids }
  }

  private teamMemberAdd(body: Row) {
    const team = this.team(String(body["team_id"]))
    const members = (Array.isArray(body["member"]) ? body["member"] : [body["member"]]) as Array<Row>
    const roster = team["members_with_roles"] as Array<Row>
    const updatedUsers: Array<Row> = []
    for (const member of members) {
      const existing = [...this.users.values()].find((u) =>
        (member["user_id"] != null && u["user_id"] === member["user_id"]) ||
        (member["user_email"] != null && u["user_email"] === member["user_email"])
      )
      const user = existing ?? this.seedUser({
        user_id: member["user_id"] ?? randomUUID(),
        user_email: member["user_email"] ?? null
      })
      if (roster.some((m) => m["user_id"] === user["user_id"])) {
        throw envelope(400, `User=${String(user["user_id"])} already in team. Existing members=${JSON.stringify(roster)}`)
      }
      roster.push({ user_id: user["user_id"], user_email: user["user_email"], role: member["role"] })
      ;(user["teams"] as Array<string>).push(String(team["team_id"]))
      updatedUsers.push(user)
    }
    return { ...team, updated_users: updatedUsers, updated_team_memberships: [] }
  }

  private teamMemberDelete(body: Row) {
    const id = String(body["team_id"])
    const team = this.teams.get(id)
    if (team === undefined) throw envelope(400, `Team id=${id} does not exist in db`)
    if (body["user_id"] == null && body["user_email"] == null) throw envelope(400, "Either user_id or user_email needs to be passed in")
    const roster = team["members_with_roles"] as Array<Row>
    const index = roster.findIndex((m) =>
      (body["user_id"] != null && m["user_id"] === body["user_id"]) ||
      (body["user_email"] != null && m["user_email"] === body["user_email"])
    )
    if (index < 0) throw envelope(400, "User not found in team")
    roster.splice(index, 1)
    return team
  }

  /** `/spend/logs/v2` (and `/spend/logs/ui`, its predecessor, with the filters its release knows). */
  private spendLogPage(q: URLSearchParams, filters: ReadonlySet<string>) {
    const start = q.get("start_date")
    const end = q.get("end_date")
    if (start === null || end === null) throw envelope(400, "Start date and end date are required")
    const format = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/
    if (!format.test(start) || !format.test(end)) {
      throw envelope(400, `Invalid date format. Use YYYY-MM-DD HH:MM:SS. Received start_date=${start}`)
    }
    const param = (name: string) => filters.has(name) ? q.get(name) : null
    const from = Date.parse(`${start.replace(" ", "T")}Z`)
    const to = Date.parse(`${end.replace(" ", "T")}Z`)
    const exact = ["api_key", "request_id", "team_id", "model", "model_id", "model_group", "end_user"] as const
    const rows = this.spendLogs.filter((r) => {
      const t = Date.parse(String(r["startTime"]))
      return t >= from && t <= to &&
        exact.every((f) => param(f) === null || r[f] === param(f)) &&
        (param("user_id") === null || r["user"] === param("user_id")) &&
        (param("status_filter") === null || r["status"] === param("status_filter")) &&
        (param("min_spend") === null || Number(r["spend"]) >= Number(param("min_spend"))) &&
        (param("max_spend") === null || Number(r["spend"]) <= Number(param("max_spend")))
    }).sort((a, b) => String(b["startTime"]).localeCompare(String(a["startTime"])))
    const pageNo = Number(q.get("page") ?? 1)
    const size = Number(q.get("page_size") ?? 50)
    const { items, totalPages } = page(rows, pageNo, size)
    return { data: items, total: rows.length, page: pageNo, page_size: size, total_pages: totalPages }
  }
}
