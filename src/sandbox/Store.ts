import { randomBytes, randomUUID } from "node:crypto"
import { sha256Hex, toKeyHash } from "../litellm/KeyHash.js"
import { envelope, detail, pyRepr } from "./Answers.js"
import { type Release, type Traits, traitsOf } from "./Releases.js"
import { after, budgetResetOf } from "./Durations.js"

export type Row = Record<string, unknown>

export { type Release, RELEASES, versionOf } from "./Releases.js"

export type Role = "proxy_admin" | "proxy_admin_viewer" | "internal_user" | "internal_user_viewer"

/** Who LiteLLM takes the caller to be, from the key it sent. */
export interface Caller {
  /** Null for a key without a user: LiteLLM then has no user row to read a role from. */
  readonly role: Role | null
  readonly userId: string
  readonly token: string
  /** The key's allowed_routes; empty for the master key and for keys without any. */
  readonly allowedRoutes: ReadonlyArray<string>
  /** The team the key itself belongs to, if any. */
  readonly teamId: string | null
}

export const newRawKey = () => `sk-${randomBytes(16).toString("base64url")}`
export const now = () => new Date().toISOString()

/**
 * LiteLLM's database, as the sandbox keeps it: users, keys by sha256 hash, teams, spend logs and
 * model deployments, with the release and licence this proxy answers as.
 */
export class Store {
  readonly users = new Map<string, Row>()
  readonly keys = new Map<string, Row>()
  /** LiteLLM_DeletedVerificationToken: a deleted or regenerated key's row, with who and when. */
  readonly deletedKeys: Array<Row> = []
  readonly spendLogs: Array<Row> = []
  readonly teams = new Map<string, Row>()
  /** LiteLLM_EndUserTable: customers, by user_id. */
  readonly customers = new Map<string, Row>()
  /** LiteLLM_OrganizationTable, by organization_id. */
  readonly organizations = new Map<string, Row>()
  /** LiteLLM_OrganizationMembership: a user's role (and budget row) in an organization. */
  readonly orgMemberships: Array<Row> = []
  /** LiteLLM_BudgetTable: budgets that keys, teams' members, organizations and customers point at by budget_id. */
  readonly budgets = new Map<string, Row>()
  /**
   * Deployments as LiteLLM's router holds them, provider credentials included (LiteLLM strips
   * most); `model_info.db_model` false for one of the config file, which the API cannot change.
   */
  readonly models: Array<{ model_name: string; litellm_params: Row; model_info: Row & { id: string } }> = []
  /** The proxy's STORE_MODEL_IN_DB: without it, no deployment can be added, changed or deleted. */
  storeModelInDb = true
  /** Bearer keys LiteLLM treats as its master key (role proxy_admin). */
  readonly adminKeys = new Set<string>()
  /** Every raw key this sandbox has seen or made: none may ever appear in a log. */
  readonly secrets = new Set<string>()
  /** Whether this proxy has a LiteLLM Enterprise licence (key regeneration needs one). */
  enterprise = false
  /** Which LiteLLM release this sandbox answers as. */
  release: Release = "current"

  /** What that release does differently. */
  get traits(): Traits {
    return traitsOf[this.release]
  }

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
    const token = sha256Hex(raw)
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
      custom_llm_provider: "openai",
      user: "",
      team_id: null,
      status: "success",
      metadata: {},
      ...fields
    }
    this.spendLogs.push(row)
    return row
  }

  deleteKey(hash: string, caller: Caller): void {
    const row = this.keys.get(hash)
    if (row === undefined) return
    this.keys.delete(hash)
    this.deletedKeys.push({ ...row, deleted_at: now(), deleted_by: caller.userId })
  }

  findKey(keyOrHash: string) {
    return this.keys.get(toKeyHash(keyOrHash))
  }

  team(id: string): Row {
    const team = this.teams.get(id)
    if (team === undefined) throw detail(404, `Team not found, passed team_id=${id}`)
    return team
  }

  keyCount(userId: string) {
    return [...this.keys.values()].filter((k) => k["user_id"] === userId && k["team_id"] !== "litellm-dashboard").length
  }

  createKeyRow(body: Row, userId: unknown) {
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
    // generate_key_helper_fn: `expires` is now plus the duration exactly; the budget resets on a boundary.
    const expires = typeof duration === "string" ? after(duration).toISOString() : null
    return this.seedKey(
      { ...fields, user_id: userId ?? null, expires, ...budgetResetOf(body["budget_duration"], "boundary") },
      typeof custom === "string" ? custom : newRawKey()
    )
  }

  isTeamAdmin(caller: Caller, teamId: unknown): boolean {
    const team = typeof teamId === "string" ? this.teams.get(teamId) : undefined
    return team !== undefined &&
      (team["members_with_roles"] as Array<Row>).some((m) => m["user_id"] === caller.userId && m["role"] === "admin")
  }

  isOrgAdmin(caller: Caller, organizationId: unknown): boolean {
    return this.orgMemberships.some((m) =>
      m["organization_id"] === organizationId && m["user_id"] === caller.userId && m["user_role"] === "org_admin"
    )
  }

  isTeamMember(caller: Caller, teamId: unknown): boolean {
    const team = typeof teamId === "string" ? this.teams.get(teamId) : undefined
    return team !== undefined && (team["members_with_roles"] as Array<Row>).some((m) => m["user_id"] === caller.userId)
  }

  /** `can_modify_verification_token`: the key's owner or an admin of its team. */
  canModify(caller: Caller, key: Row): boolean {
    return caller.role === "proxy_admin" || key["user_id"] === caller.userId || this.isTeamAdmin(caller, key["team_id"])
  }
}

/** One request as a route sees it: who calls, with what query and body. */
export interface RouteRequest {
  /** The path's parameters, for a route of LiteLLM's with some (`/model/{model_id}/update`). */
  readonly params: Readonly<Record<string, string>>
  readonly q: URLSearchParams
  readonly body: Row
  readonly caller: Caller
}

/** A LiteLLM route: its JSON answer, or an HttpError thrown. */
export type Handler = (s: Store, request: RouteRequest) => unknown
