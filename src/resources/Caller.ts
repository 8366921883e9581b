import { Cache, Cause, Duration, Effect, Exit, Fiber, Option, Schema } from "effect"
import { AppConfig } from "../config/AppConfig.js"
import { type KeyAccess, isRole, refusal } from "../litellm/Access.js"
import { type LiteLlmApiError, LiteLlmBadResponse, type LiteLlmError } from "../litellm/Errors.js"
import { sha256Hex } from "../litellm/KeyHash.js"
import { isMissingRoute, LiteLlm, meaningOfLast } from "../litellm/LiteLlm.js"
import { Open } from "../litellm/Answers.js"
import { perLiteLlm } from "../litellm/Kept.js"
import { Sha256Hex } from "../mcp/Schemas.js"
import * as Tool from "../mcp/Tool.js"

// Who the caller is, in LiteLLM's own words: its key (`/key/info` without a key names the key that
// asks, and any key LiteLLM accepts may call it about itself), the key's user and the user's teams
// (`/user/info` about one's own user id is allowed to every role).

// == LiteLLM's shapes

const Strings = Schema.Array(Schema.String)

const KeyRecord = Open({
  user_id: Schema.optional(Schema.NullOr(Schema.String)),
  allowed_routes: Schema.optional(Schema.NullOr(Strings))
})

// `key` is what the caller authenticated with as LiteLLM holds it (the hash, on the releases read);
// it is never passed on, only hashed when it is a raw key.
const KeySelf = Open({ key: Schema.optional(Schema.NullOr(Schema.String)), info: KeyRecord })

const Membership = Open({ user_id: Schema.optional(Schema.NullOr(Schema.String)), role: Schema.optional(Schema.NullOr(Schema.String)) })

const TeamRecord = Open({ team_id: Schema.String, members_with_roles: Schema.optional(Schema.NullOr(Schema.Array(Membership))) })

const UserRecord = Open({
  user_id: Schema.optional(Schema.String),
  user_role: Schema.optional(Schema.NullOr(Schema.String)),
  organization_memberships: Schema.optional(Schema.NullOr(Schema.Array(Open({ user_role: Schema.optional(Schema.NullOr(Schema.String)) }))))
})

const UserSelf = Open({ user_info: Schema.NullOr(UserRecord), teams: Schema.optional(Schema.Array(TeamRecord)) })

// == Who the caller is

/**
 * What LiteLLM says about the key of the request being served. `Described`: its key row, with its
 * user and teams when it has a user, and `access`, what LiteLLM's route checks go by (its `role`
 * undefined when LiteLLM's answers leave the role in doubt). `Undescribed`: LiteLLM accepted the
 * key but would not describe it: its master key, which has no row (404); a key whose allowed_routes
 * leave out /key/info (403, quoting them, since December 2025; a plain 500 before); a JWT caller
 * or a proxy without a database (500). `allowedRoutes` when LiteLLM's refusal quoted them.
 */
export type Identity =
  | {
    readonly _tag: "Described"
    readonly token: string | null
    readonly key: typeof KeyRecord.Type
    readonly user: typeof UserRecord.Type | null
    readonly teams: ReadonlyArray<typeof TeamRecord.Type>
    readonly access: KeyAccess
  }
  | {
    readonly _tag: "Undescribed"
    readonly status: number
    readonly message: string
    readonly allowedRoutes: ReadonlyArray<string> | undefined
  }

/**
 * LiteLLM refused the key itself, as its authentication does: 401 (invalid, blocked, deleted), or,
 * for an expired key on the releases read, 400 with type `expired_key`. A 401 from a route check
 * does not reach here: /key/info is open to every key. LiteLLM down or slow is not a refusal.
 */
export const isKeyRefusal = (error: LiteLlmError): error is LiteLlmApiError => {
  if (error._tag !== "LiteLlmApiError") return false
  if (error.status === 401) return true
  const inner = (error.detail as { error?: { type?: unknown } } | null)?.error
  return error.status === 400 && (inner?.type === "expired_key" || error.message.startsWith("Authentication Error"))
}

const hashOf = (key: string | null | undefined): string | null =>
  typeof key !== "string" ? null : key.startsWith("sk-") ? sha256Hex(key) : Sha256Hex.test(key) ? key : null

const keyAccessOf = (
  key: typeof KeyRecord.Type,
  user: typeof UserRecord.Type | null | undefined,
  teams: ReadonlyArray<typeof TeamRecord.Type>
): KeyAccess => {
  const allowedRoutes = key.allowed_routes ?? []
  if (typeof key.user_id !== "string") return { role: null, allowedRoutes, teamAdminOf: [], orgAdmin: false }
  // The user's row could not be read, or has a role route_checks.py has no rule of its own for:
  // only the key's own allowed_routes are certain.
  if (user == null || !isRole(user.user_role)) return { role: undefined, allowedRoutes, teamAdminOf: [], orgAdmin: undefined }
  const memberships = user.organization_memberships
  return {
    role: user.user_role,
    allowedRoutes,
    teamAdminOf: teams
      .filter((t) => (t.members_with_roles ?? []).some((m) => m.user_id === key.user_id && m.role === "admin"))
      .map((t) => t.team_id),
    orgAdmin: memberships == null ? undefined : memberships.some((m) => m.user_role === "org_admin")
  }
}

type Undescribed = Extract<Identity, { readonly _tag: "Undescribed" }>

/**
 * What connecting needs of an identity, and all that is kept of it: whether LiteLLM described the
 * key, what its route checks go by, and for the start-up line who it is. Not the rows, which can
 * be large (a team's members).
 */
export type Admission =
  | { readonly _tag: "Described"; readonly access: KeyAccess; readonly userId: string | null; readonly role: string | null }
  | Undescribed

/**
 * What tailoring goes by: a described key's access; for a key whose refusal quoted its
 * allowed_routes, those alone (its role in doubt); nothing ruled out otherwise.
 */
export const accessOf = (admission: Admission): KeyAccess | undefined =>
  admission._tag === "Described"
    ? admission.access
    : admission.allowedRoutes === undefined
    ? undefined
    : { role: undefined, allowedRoutes: admission.allowedRoutes, teamAdminOf: [], orgAdmin: undefined }

export const admission = (identity: Identity): Admission =>
  identity._tag === "Undescribed"
    ? identity
    : {
      _tag: "Described",
      access: identity.access,
      userId: typeof identity.key.user_id === "string" ? identity.key.user_id : null,
      role: typeof identity.user?.user_role === "string" ? identity.user.user_role : null
    }

/**
 * LiteLLM answered, and not by refusing the key: its authentication accepted it. A 500 is LiteLLM's
 * too (an allowed_routes refusal raised where no handler catches it, `info_key_fn` for a JWT caller
 * or without a database); a gateway's 502-504 says nothing about the key. FastAPI's route 404 means
 * no LiteLLM answered at all.
 */
const acceptedUndescribed = (e: LiteLlmApiError): boolean => e.status <= 500 && !isKeyRefusal(e)

// `is_virtual_key_allowed_to_call_route`'s refusal quotes the key's allowed_routes as a Python list.
const QUOTED_ROUTES = /Only allowed to call routes: \[((?:'[^'\\]*'(?:, )?)*)\]/

/** The allowed_routes LiteLLM's refusal quotes, if it does. */
export const quotedRoutes = (message: string): ReadonlyArray<string> | undefined => {
  const quoted = QUOTED_ROUTES.exec(message)
  return quoted === null ? undefined : [...quoted[1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]!)
}

const notLiteLlm = (baseUrl: string) =>
  new LiteLlmBadResponse({
    url: `${baseUrl}/key/info`,
    reason: "404 Not Found for the route itself (FastAPI's own answer, not LiteLLM's \"Key not found\"), so no LiteLLM " +
      "admin API is at this URL; LITELLM_BASE_URL is the proxy's root URL, without /v1"
  })

/** Asks LiteLLM who the caller is: one request, or two for a key with a user. */
export const identify: Effect.Effect<Identity, LiteLlmError, LiteLlm> = Effect.gen(function*() {
  const litellm = yield* LiteLlm
  const self = yield* litellm.get("/key/info", {}, KeySelf).pipe(
    Effect.map((answer) => ({ answer })),
    Effect.catchTag("LiteLlmApiError", (e): Effect.Effect<Undescribed, LiteLlmError> =>
      isMissingRoute(e)
        ? notLiteLlm(litellm.url)
        : acceptedUndescribed(e)
        ? Effect.as(
          e.status === 404 ? meaningOfLast("the master key: accepted") : Effect.void,
          { _tag: "Undescribed", status: e.status, message: e.message, allowedRoutes: quotedRoutes(e.message) } as const
        )
        : Effect.fail(e))
  )
  if (!("answer" in self)) return self
  const key = self.answer.info
  const userId = key.user_id
  // The user's role and teams. LiteLLM has accepted the key by now: if this answer fails or is
  // not the expected shape, the role is in doubt (only allowed_routes rule tools out), not the key.
  const user = typeof userId === "string"
    ? yield* litellm.get("/user/info", { user_id: userId }, UserSelf).pipe(
      Effect.map((u) => u.user_info !== null && u.user_info.user_id === userId ? u : undefined),
      Effect.orElseSucceed(() => undefined)
    )
    : undefined
  const teams = user?.teams ?? []
  const userRow = user?.user_info ?? null
  return {
    _tag: "Described",
    token: hashOf(self.answer.key),
    key,
    user: userRow,
    teams,
    access: keyAccessOf(key, user === undefined ? undefined : userRow, teams)
  } as const
}).pipe(Effect.withSpan("Caller.identify"))

// == Kept for connecting

/**
 * LiteLLM's answer about each caller's key (its `Admission`: a few fields, not LiteLLM's rows),
 * asked when a client connects or lists tools and kept a short while (CALLER_CHECK_TTL_MS), by the
 * key's hash, for at most CALLER_CHECK_CACHE_SIZE keys. A refusal is kept as long as an admission,
 * so a client retrying a wrong key costs LiteLLM one request a TTL; LiteLLM down or slow is never
 * kept: it is not an answer about the key.
 */
export class CallerCheck extends Effect.Service<CallerCheck>()("app/CallerCheck", {
  effect: Effect.gen(function*() {
    const config = yield* AppConfig
    const cache = yield* Cache.makeWith({
      capacity: config.callerCheckCacheSize,
      // Runs on the fiber that asks, so LiteLLM is asked with that request's CallerToken: the key
      // whose hash is asked about, since no two keys share a hash.
      lookup: (_hash: string) => Effect.map(identify, admission),
      timeToLive: (exit) =>
        Exit.isSuccess(exit) || Option.exists(Cause.failureOption(exit.cause), isKeyRefusal)
          ? config.callerCheckTtl
          : Duration.zero
    })
    return {
      /** What LiteLLM says of the caller whose key, in CallerToken, has this sha256 hash. */
      admit: (keyHash: string): Effect.Effect<Admission, LiteLlmError> =>
        // On a fiber of its own (with this request's CallerToken), so that when this request goes
        // away the question still gets its answer (LITELLM_TIMEOUT_MS bounds it): others asking
        // about the same key meanwhile wait for that answer, and would otherwise all fail with it.
        Effect.flatMap(
          // A failure that is not an answer is dropped at once: its zero TTL alone still serves it
          // to a request in the same millisecond. The fiber ends with its exit, not a failure, so
          // a refused key is no "unhandled error" in the log.
          Effect.forkDaemon(Effect.exit(
            Effect.tapError(cache.get(keyHash), (e) => isKeyRefusal(e) ? Effect.void : cache.invalidate(keyHash))
          )),
          (fiber) => Effect.flatten(Fiber.join(fiber))
        )
    } as const
  }),
  dependencies: [AppConfig.Default]
}) {}

// == Tools

const KEY_FIELDS = [
  "key_alias", "key_name", "user_id", "team_id", "organization_id", "spend", "max_budget", "soft_budget",
  "budget_duration", "budget_reset_at", "tpm_limit", "rpm_limit", "max_parallel_requests", "models",
  "allowed_routes", "expires", "blocked", "created_at"
]
const USER_FIELDS = [
  "user_id", "user_email", "user_alias", "user_role", "spend", "max_budget", "budget_duration", "budget_reset_at",
  "tpm_limit", "rpm_limit", "models"
]
const TEAM_FIELDS = ["team_id", "team_alias", "spend", "max_budget", "budget_duration", "models", "blocked"]

const pick = (row: Readonly<Record<string, unknown>>, fields: ReadonlyArray<string>) =>
  Object.fromEntries(fields.filter((f) => Object.hasOwn(row, f)).map((f) => [f, row[f]]))

const Whoami = Schema.Struct({
  role: Schema.NullOr(Schema.String).annotations({
    description: "The role this key acts with (the master key: proxy_admin); null: none, or in doubt (see note)"
  }),
  master_key: Schema.Boolean.annotations({ description: "Whether this is the proxy's master key" }),
  key: Schema.NullOr(Open({ token: Schema.NullOr(Schema.String).annotations({ description: "The key's hash" }) })),
  user: Schema.NullOr(Open({})),
  teams: Schema.Array(Open({
    team_id: Schema.String,
    role: Schema.NullOr(Schema.String).annotations({ description: "The caller's role in the team" })
  })),
  tools: Schema.Struct({
    usable: Schema.Array(Schema.String),
    refused: Schema.Array(Schema.Struct({ tool: Schema.String, reason: Schema.String }))
  }).annotations({ description: "This server's tools LiteLLM may let it use, and those it would refuse" }),
  enterprise: Schema.Struct({
    licensed: Schema.NullOr(Schema.Boolean).annotations({
      description: "Whether LiteLLM is licensed; null: it does not say"
    }),
    needed_by: Schema.Array(Schema.Struct({ tool: Schema.String, what: Schema.String })).annotations({
      description: "What answers 501 without the licence"
    })
  }),
  note: Schema.optional(Schema.String)
})

const TeamInfoAnswer = Open({ team_info: TeamRecord })

// health_license_endpoint: any key LiteLLM lets through says whether the proxy is licensed
// (license_type "enterprise" when premium_user). Releases without the route, or a role refused
// it, leave it unknown: then every tool stays, and LiteLLM's 501 says so at the call.
const LicenceAnswer = Open({ license_type: Schema.String })
const LICENCE_TTL_MS = 5 * 60_000

/** Whether the LiteLLM behind this client has an Enterprise licence, kept briefly; null when it will not say. */
export const licensed: Effect.Effect<boolean | null, never, LiteLlm> = perLiteLlm(
  Effect.flatMap(LiteLlm, (litellm) => litellm.get("/health/license", {}, LicenceAnswer)).pipe(
    Effect.map((answer) => ({ value: answer.license_type === "enterprise", keepMs: LICENCE_TTL_MS })),
    Effect.orElseSucceed(() => ({ value: null, keepMs: 0 }))
  )
)

/**
 * The team the key itself belongs to, when its user's teams do not hold it (a team's service key
 * has no user): `/team/info` lets a key read its own team. Nothing when LiteLLM will not say.
 */
const keysTeam = (identity: Extract<Identity, { readonly _tag: "Described" }>) => {
  const teamId = identity.key["team_id"]
  if (typeof teamId !== "string" || identity.teams.some((t) => t.team_id === teamId)) return Effect.succeed([])
  return Effect.flatMap(LiteLlm, (litellm) => litellm.get("/team/info", { team_id: teamId }, TeamInfoAnswer)).pipe(
    Effect.map((answer) => [answer.team_info]),
    Effect.orElseSucceed(() => [])
  )
}

const undescribedNote = (identity: Undescribed): string =>
  identity.status === 404
    ? "LiteLLM accepts this key but keeps no row for it: it is the proxy's master key (LiteLLM treats it as " +
      "proxy_admin) or a credential LiteLLM authenticates without a stored key."
    : identity.allowedRoutes !== undefined
    ? `LiteLLM accepts this key but its allowed_routes (${identity.allowedRoutes.join(", ")}) leave out /key/info, so ` +
      "LiteLLM will not describe it: its role is in doubt, and only those allowed_routes rule tools out."
    : identity.status === 500
    ? "LiteLLM accepts this key but answered /key/info with an internal error (HTTP 500): on releases before December " +
      "2025 that is how it refuses a key whose allowed_routes leave out /key/info; a JWT caller or a proxy without a " +
      "database answers so too. Its role is in doubt: every tool is listed, and LiteLLM decides each call."
    : `LiteLLM accepts this key but would not describe it (HTTP ${identity.status}: ${identity.message}): its role is ` +
      "in doubt, and LiteLLM decides each call."

const isMasterKey = (identity: Identity) => identity._tag === "Undescribed" && identity.status === 404

const roleOf = (identity: Identity): string | null =>
  isMasterKey(identity)
    ? "proxy_admin"
    : identity._tag === "Described" && identity.access.role != null
    ? identity.access.role
    : null

const noteOf = (identity: Identity): string | undefined =>
  identity._tag === "Undescribed"
    ? undescribedNote(identity)
    : typeof identity.key.user_id !== "string"
    ? `This key has no user, so LiteLLM gives it no role: it acts for ${
      typeof identity.key["team_id"] === "string" ? `its team ${identity.key["team_id"]}` : "no team and no user"
    } only.`
    : identity.access.role === undefined
    ? "LiteLLM's answers leave this key's role in doubt (its user's row could not be read, or has a role this " +
      "server has no rule for): only the key's allowed_routes rule tools out."
    : undefined

/** `litellm_whoami`, which judges the server's other tools for the caller's key. */
export const whoami = (others: ReadonlyArray<Tool.Tool>): Tool.Tool =>
  Tool.make({
    name: "litellm_whoami",
    // It answers whatever LiteLLM says of the key, a refusal included.
    needs: null,
    title: "Who am I on LiteLLM",
    description: "Call this first. Who this server acts as, from LiteLLM's own answers about the caller's key: its " +
      "alias and hash, its user (id, email, role), the user's teams and role in each, budgets and spend, allowed " +
      "models and routes, expiry and blocked state, and which of this server's tools LiteLLM will let this key use " +
      "(tools.usable) or refuse (tools.refused, with why).",
    input: Schema.Struct({}),
    output: Whoami,
    annotations: Tool.readOnly,
    run: Effect.fn("Caller.whoami")(function*() {
      const identity = yield* identify
      const access = accessOf(admission(identity))
      const judged = others.map((t) => ({ tool: t.name, reason: refusal(access, t.needs) }))
      const note = noteOf(identity)
      const teams = identity._tag === "Described" ? [...identity.teams, ...yield* keysTeam(identity)] : []
      const enterprise = yield* licensed
      const usable = new Set(judged.filter((j) => j.reason === undefined).map((j) => j.tool))
      return {
        role: roleOf(identity),
        master_key: isMasterKey(identity),
        key: identity._tag === "Described" ? { token: identity.token, ...pick(identity.key, KEY_FIELDS) } : null,
        user: identity._tag === "Described" && identity.user !== null ? pick(identity.user, USER_FIELDS) : null,
        teams: identity._tag === "Described"
          ? teams.map((t) => ({
            ...pick(t, TEAM_FIELDS),
            team_id: t.team_id,
            role: (t.members_with_roles ?? []).find((m) => m.user_id === identity.key.user_id)?.role ?? null
          }))
          : [],
        tools: {
          usable: ["litellm_whoami", ...usable],
          refused: judged.flatMap((j) => j.reason === undefined ? [] : [{ tool: j.tool, reason: j.reason }])
        },
        enterprise: {
          licensed: enterprise,
          needed_by: enterprise === true ? [] : others.flatMap((t) =>
            t.enterprise !== undefined && usable.has(t.name) ? [{ tool: t.name, what: t.enterprise }] : []
          )
        },
        ...(note === undefined ? {} : { note })
      }
    })
  })
