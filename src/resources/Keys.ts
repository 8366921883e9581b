import { Clock, Effect, Either, Schema } from "effect"
import * as Envelope from "../mcp/Envelope.js"
import { LiteLlmApiError, type LiteLlmError } from "../litellm/Errors.js"
import { Ambiguous, nothingToChange, NotFound, Unsupported } from "../mcp/Errors.js"
import { sha256Hex, toKeyHash } from "../litellm/KeyHash.js"
import { isUnexpected, LiteLlm, onStatus, Written } from "../litellm/LiteLlm.js"
import * as Users from "./Users.js"
import {
  Amount,
  DateTime,
  Duration,
  Batch,
  Int,
  JsonObject,
  KeyOrHash,
  MAX_BATCH,
  NonEmptyString,
  NonNegativeInt,
  Page,
  SortOrder,
  StringList
} from "../mcp/Schemas.js"
import { Open, SizePaged } from "../litellm/Answers.js"
import * as Tool from "../mcp/Tool.js"

// == LiteLLM's shapes (lenient: only what this module reads is required)

const KeyRow = Open({
  token: Schema.String,
  key_alias: Schema.optional(Schema.NullOr(Schema.String)),
  key_name: Schema.optional(Schema.NullOr(Schema.String))
})

// What litellm_key_list answers: rows, or bare hashes when return_full_object is false.
const KeyListResponse = Open({ keys: Schema.Array(Schema.Union(Schema.String, KeyRow)), ...SizePaged })

// What this server asks LiteLLM for: always whole rows, so filters can be checked on them.
const FullKeyList = Open({ keys: Schema.Array(KeyRow), ...SizePaged })

// GenerateKeyResponse in _types.py: `token` and `token_id` are Optional. /key/generate sets token to
// the hash; /key/regenerate moves the hash to token_id and leaves token null.
const GeneratedKey = Open({
  key: Schema.String.annotations({ description: "The new raw key: shown once, here only" }),
  token: Schema.optional(Schema.NullOr(Schema.String).annotations({ description: "Its sha256 hash, which other tools accept" })),
  token_id: Schema.optional(Schema.NullOr(Schema.String))
})

const UpdateKeyResponse = Open({ key: Schema.String })

// In results, a key's hash is always `token`, as in LiteLLM's key rows; `key` is only ever a raw
// key, returned once. LiteLLM's /key/update and /key/info answer the hash as `key`.
const UpdatedKey = Open({ token: Schema.String.annotations({ description: "The key's hash" }) })
const KeyInfo = Open({ token: Schema.String.annotations({ description: "The key's hash" }), info: Open({}) })

const hashAsToken = <A extends { readonly key: string }>({ key, ...rest }: A) => ({ ...rest, token: key })

// delete_verification_tokens' answer: the keys or aliases it was sent, as sent.
const DeleteKeyResponse = Open({ deleted_keys: Schema.Array(Schema.String) })

const KeyInfoResponse = Open({ key: Schema.String, info: Open({}) })

const BlockedKey = Open({ token: Schema.String, blocked: Schema.optional(Schema.NullOr(Schema.Boolean)) })

/** A new key's answer with its hash always in `token`: the hash of the raw key LiteLLM returned. */
const withHash = <A extends { readonly key: string }>(answer: A): A & { readonly token: string } => ({
  ...answer,
  token: sha256Hex(answer.key)
})

// == Inputs

const LimitType = Schema.Literal("guaranteed_throughput", "best_effort_throughput", "dynamic")

// Fields /key/generate and /key/update share, under LiteLLM's own names.
const keySettings = {
  models: Schema.optional(StringList.annotations({ description: "Models the key may call; [] = all the owner may use." })),
  user_id: Schema.optional(NonEmptyString.annotations({
    description: "Owner user id; the user must exist (404 otherwise: LiteLLM would make a key no user owns)."
  })),
  team_id: Schema.optional(NonEmptyString.annotations({ description: "Team that owns the key." })),
  organization_id: Schema.optional(NonEmptyString),
  rpm_limit_type: Schema.optional(LimitType),
  tpm_limit_type: Schema.optional(LimitType),
  model_rpm_limit: Schema.optional(JsonObject.annotations({ description: "Per-model requests per minute." })),
  model_tpm_limit: Schema.optional(JsonObject.annotations({ description: "Per-model tokens per minute." })),
  model_max_budget: Schema.optional(JsonObject.annotations({
    description: "Per-model budgets (LiteLLM Enterprise only)."
  })),
  metadata: Schema.optional(JsonObject),
  aliases: Schema.optional(JsonObject.annotations({ description: "Model name aliases, {\"alias\": \"model\"}." })),
  tags: Schema.optional(StringList.annotations({ description: "Spend-tracking tags (LiteLLM Enterprise only)." })),
  guardrails: Schema.optional(StringList),
  allowed_routes: Schema.optional(StringList.annotations({ description: "LiteLLM routes the key may call." })),
  allowed_cache_controls: Schema.optional(StringList),
  blocked: Schema.optional(Schema.Boolean.annotations({ description: "A blocked key is refused by LiteLLM." })),
  auto_rotate: Schema.optional(Schema.Boolean),
  rotation_interval: Schema.optional(Duration)
}

const KeyListInput = Schema.Struct({
  user_id: Schema.optional(NonEmptyString.annotations({ description: "Keys of this user (exact)." })),
  team_id: Schema.optional(NonEmptyString.annotations({ description: "Keys of this team (exact)." })),
  organization_id: Schema.optional(NonEmptyString),
  key_alias: Schema.optional(NonEmptyString.annotations({ description: "Exact alias (substring with substring_matching)." })),
  key_hash: Schema.optional(KeyOrHash.annotations({
    description: "One key, by its hash; a raw sk- key is hashed here first (LiteLLM itself would match nothing)."
  })),
  project_id: Schema.optional(NonEmptyString),
  access_group_id: Schema.optional(NonEmptyString),
  agent_id: Schema.optional(NonEmptyString),
  substring_matching: Schema.optional(Schema.Boolean.annotations({
    description: "Match user_id and key_alias as case-insensitive substrings."
  })),
  expires: Schema.optional(Schema.Literal("expired", "active")),
  status: Schema.optional(Schema.Literal("deleted").annotations({ description: "\"deleted\" lists deleted keys." })),
  return_full_object: Schema.optional(Schema.Boolean.annotations({
    description: "Whole key objects (default true here); false returns only hashes."
  })),
  include_team_keys: Schema.optional(Schema.Boolean),
  include_created_by_keys: Schema.optional(Schema.Boolean),
  expand: Schema.optional(Schema.Array(Schema.Literal("user")).annotations({ description: "[\"user\"] nests each key's user." })),
  page: Schema.optional(Page),
  size: Schema.optional(Int(1, 100).annotations({ description: "Keys per page, 1 to 100 (LiteLLM default 10)." })),
  sort_by: Schema.optional(Schema.Literal("spend", "max_budget", "created_at", "updated_at", "token", "key_alias")),
  sort_order: Schema.optional(SortOrder.annotations({ description: "desc (default) or asc." }))
})

const KeyGenerateInput = Schema.Struct({
  key: Schema.optional(Schema.String.pipe(Schema.pattern(/^sk-\S+$/, { message: () => "must start with the sk- prefix and hold no spaces" })).annotations({
    description: "A custom raw key, starting sk-; LiteLLM makes one if omitted."
  })),
  key_alias: Schema.optional(NonEmptyString.annotations({ description: "Unique alias for the key." })),
  duration: Schema.optional(Duration.annotations({ description: "Lifetime, e.g. 30d; omitted = never expires." })),
  max_budget: Schema.optional(Amount.annotations({ description: "Budget in USD." })),
  soft_budget: Schema.optional(Amount.annotations({ description: "Spend in USD at which LiteLLM alerts." })),
  budget_duration: Schema.optional(Duration.annotations({ description: "Budget reset period, e.g. 30d." })),
  tpm_limit: Schema.optional(NonNegativeInt),
  rpm_limit: Schema.optional(NonNegativeInt),
  max_parallel_requests: Schema.optional(NonNegativeInt),
  key_type: Schema.optional(Schema.Literal("default", "llm_api", "management", "read_only").annotations({
    description: "Route preset: llm_api (model calls only), management (admin routes), read_only, default."
  })),
  send_invite_email: Schema.optional(Schema.Boolean),
  ...keySettings
})

const nullable = <A, I>(schema: Schema.Schema<A, I>, description: string) =>
  Schema.optional(Schema.NullOr(schema).annotations({ description }))

const KeyUpdateInput = Schema.Struct({
  key: Schema.optional(KeyOrHash.annotations({ description: "The key to update: raw sk- key or its hash." })),
  key_alias: Schema.optional(NonEmptyString.annotations({
    description: "Without key: the alias of the key to update. With key: the key's new alias."
  })),
  duration: nullable(Duration, "New lifetime counted from now; null = never expires (where LiteLLM supports it)."),
  max_budget: nullable(Amount, "Budget in USD; null removes the budget."),
  // prepare_key_update_data keeps budget_duration only when it is a non-empty string: LiteLLM
  // answers 200 to null and keeps the old period, so null is refused here instead of pretending.
  budget_duration: Schema.optional(Duration.annotations({
    description: "New budget reset period, e.g. 30d. LiteLLM cannot remove a key's period (it ignores null).",
    message: () => ({
      message: "must be a LiteLLM duration such as 30d or 1mo; a key's budget period cannot be removed (LiteLLM ignores " +
        "null and keeps the old one), only replaced",
      override: true
    })
  })),
  tpm_limit: nullable(NonNegativeInt, "Tokens per minute; null removes the limit."),
  rpm_limit: nullable(NonNegativeInt, "Requests per minute; null removes the limit."),
  max_parallel_requests: nullable(NonNegativeInt, "null removes the limit."),
  spend: Schema.optional(Amount.annotations({ description: "Overwrites the key's recorded spend in USD." })),
  temp_budget_increase: Schema.optional(Amount.annotations({ description: "Temporary extra budget; needs temp_budget_expiry." })),
  temp_budget_expiry: Schema.optional(DateTime.annotations({
    description: "ISO-8601 date-time when temp_budget_increase ends."
  })),
  ...keySettings
}).pipe(
  Schema.filter((i) => i.key !== undefined || i.key_alias !== undefined, {
    message: () => "give key (raw or hash) or key_alias to say which key to update"
  }),
  Schema.filter((i) => (i.temp_budget_increase === undefined) === (i.temp_budget_expiry === undefined), {
    message: () => "temp_budget_increase and temp_budget_expiry go together"
  })
)

const KeyDeleteInput = Schema.Struct({
  keys: Schema.optional(Batch(KeyOrHash).annotations({
    description: `Keys to delete: raw sk- keys or hashes (at most ${MAX_BATCH} a call, with key_aliases).`
  })),
  key_aliases: Schema.optional(Batch(NonEmptyString).annotations({
    description: "Aliases of keys to delete."
  }))
}).pipe(
  Schema.filter((i) => i.keys !== undefined || i.key_aliases !== undefined, {
    message: () => "give keys and/or key_aliases"
  }),
  Schema.filter((i) => (i.keys?.length ?? 0) + (i.key_aliases?.length ?? 0) <= MAX_BATCH, {
    message: () => `at most ${MAX_BATCH} keys and aliases together in one call; delete the rest in another`
  })
)

const keyRefFields = {
  key: Schema.optional(KeyOrHash.annotations({ description: "Raw sk- key or its hash." })),
  key_alias: Schema.optional(NonEmptyString.annotations({ description: "The key's alias (exact)." }))
}

const exactlyOneKey = (i: { readonly key?: string | undefined; readonly key_alias?: string | undefined }) =>
  (i.key === undefined) !== (i.key_alias === undefined)

/** One key, named by exactly one of its raw value, its hash or its alias. */
const KeyRef = Schema.Struct(keyRefFields).pipe(
  Schema.filter(exactlyOneKey, { message: () => "give exactly one of key or key_alias" })
)

/** Block or unblock: one key as KeyRef, or several (raw, hash or alias), at most MAX_BATCH a call. */
const BlockInput = Schema.Struct({
  ...keyRefFields,
  keys: Schema.optional(Batch(KeyOrHash).annotations({ description: "Several keys: raw sk- keys or hashes." })),
  key_aliases: Schema.optional(Batch(NonEmptyString).annotations({ description: "Several keys, by alias." }))
}).pipe(
  Schema.filter((i) => [i.key, i.key_alias, i.keys, i.key_aliases].filter((x) => x !== undefined).length === 1 ||
    (i.key === undefined && i.key_alias === undefined && i.keys !== undefined && i.key_aliases !== undefined), {
    message: () => "give exactly one of key or key_alias, or keys and/or key_aliases for several"
  }),
  Schema.filter((i) => (i.keys?.length ?? 0) + (i.key_aliases?.length ?? 0) <= MAX_BATCH, {
    message: () => `at most ${MAX_BATCH} keys and aliases together in one call`
  })
)

/** What happened to each of several keys, named by where it was given (never by the raw key). */
const BlockedKeys = Schema.Struct({
  results: Schema.Array(Schema.Struct({
    given: Schema.String.annotations({ description: "Where the key was named: keys[0], key_aliases[1]" }),
    token: Schema.NullOr(Schema.String).annotations({ description: "The key's hash, when found" }),
    blocked: Schema.NullOr(Schema.Boolean).annotations({ description: "Its state after the call; null when the call failed" }),
    error: Schema.optional(Schema.Struct({ status: Schema.Number, message: Schema.String }, Schema.Record({ key: Schema.String, value: Schema.Unknown })))
  }))
})

const RegenerateInput = Schema.Struct({
  ...keyRefFields,
  new_key: Schema.optional(Schema.String.pipe(Schema.pattern(/^sk-\S{13,}$/, { message: () => "must start with the sk- prefix, be 16 characters or more and hold no spaces" })).annotations({
    description: "A custom new raw key, starting sk-, at least 16 characters; LiteLLM makes one if omitted."
  })),
  grace_period: Schema.optional(Duration.annotations({
    description: "How long the old key keeps working, e.g. 24h; omitted = it stops at once."
  }))
}).pipe(Schema.filter(exactlyOneKey, { message: () => "give exactly one of key or key_alias" }))

// == Operations

/** How many pages of /key/list one lookup reads before it gives up: a bound on one call's cost. */
const MAX_LOOKUP_PAGES = 10

type KeyRowType = typeof KeyRow.Type

// Filters a release older than the filter drops silently (FastAPI ignores unknown parameters), so
// a filtered list could be every key. Each is checked against the rows that came back.
const keyListChecks: ReadonlyArray<{
  readonly filter: string
  readonly applies: (input: typeof KeyListInput.Type) => boolean
  readonly holds: (input: typeof KeyListInput.Type, row: KeyRowType, now: number) => boolean
}> = [
  {
    filter: "key_hash",
    applies: (i) => i.key_hash !== undefined,
    holds: (i, row) => row.token === toKeyHash(i.key_hash!)
  },
  {
    filter: "key_alias",
    applies: (i) => i.key_alias !== undefined && i.substring_matching !== true,
    holds: (i, row) => row.key_alias === i.key_alias
  },
  {
    filter: "expires",
    applies: (i) => i.expires !== undefined,
    holds: (i, row, now) => {
      const expires = row["expires"]
      const expired = typeof expires === "string" && Date.parse(expires) < now
      return i.expires === "expired" ? expired : !expired
    }
  },
  {
    filter: "agent_id",
    applies: (i) => i.agent_id !== undefined,
    holds: (i, row) => row["agent_id"] === i.agent_id
  },
  // PR #19260 (2026-01-17): LiteLLM_DeletedVerificationToken's rows, which carry deleted_at.
  {
    filter: "status",
    applies: (i) => i.status !== undefined,
    holds: (_, row) => typeof row["deleted_at"] === "string"
  },
  {
    filter: "project_id",
    applies: (i) => i.project_id !== undefined,
    holds: (i, row) => row["project_id"] === i.project_id
  },
  {
    filter: "access_group_id",
    applies: (i) => i.access_group_id !== undefined,
    holds: (i, row) => Array.isArray(row["access_group_ids"]) && row["access_group_ids"].includes(i.access_group_id)
  }
]

/**
 * Rows `_build_key_filter_conditions` ORs in outside the filters: with include_team_keys the keys of
 * teams the caller administers (and its teams' service accounts), with include_created_by_keys the
 * keys it made for others. Such rows say nothing about whether a filter was honoured.
 */
const addedUnfiltered = (input: typeof KeyListInput.Type, row: KeyRowType): boolean =>
  (input.include_team_keys === true && typeof row["team_id"] === "string") ||
  (input.include_created_by_keys === true && (typeof row["user_id"] !== "string" || row["created_by"] !== row["user_id"]))

const listKeys = Effect.fn("Keys.list")(function*(input: typeof KeyListInput.Type) {
  const litellm = yield* LiteLlm
  // Whole objects always come back from LiteLLM, so every filter can be checked on the rows.
  const list = yield* litellm.get("/key/list", {
    ...input,
    key_hash: input.key_hash === undefined ? undefined : toKeyHash(input.key_hash),
    return_full_object: true
  }, FullKeyList)
  const now = yield* Clock.currentTimeMillis
  const checked = list.keys.filter((row) => !addedUnfiltered(input, row))
  const ignored = keyListChecks.filter((c) => c.applies(input) && checked.some((row) => !c.holds(input, row, now)))
  if (ignored.length > 0) {
    const names = ignored.map((c) => c.filter).join(", ")
    return yield* new Unsupported({
      message: `This LiteLLM ignores the ${names} filter of /key/list (an older release drops filters it does not ` +
        `know), so its answer would be keys that do not match. Filter by user_id or team_id, or upgrade LiteLLM.`
    })
  }
  // Bare hashes help no agent; whole objects are what an admin wants to read, unless asked otherwise.
  return input.return_full_object === false ? { ...list, keys: list.keys.map((k) => k.token) } : list
})

/**
 * The one key with this alias among those LiteLLM lets the caller manage. `include_team_keys` adds
 * the keys of the teams the caller administers (LiteLLM fills in a non-admin's own user_id
 * otherwise); LiteLLM adds those without the alias filter, so matches are picked here, page by page.
 */
const hashOfAlias = Effect.fn("Keys.hashOfAlias")(function*(alias: string) {
  const litellm = yield* LiteLlm
  const matches: Array<KeyRowType> = []
  for (let page = 1, pages = 1; page <= pages; page++) {
    if (page > MAX_LOOKUP_PAGES) {
      return yield* new Unsupported({
        message: `Looking up the alias ${alias} would read more than ${MAX_LOOKUP_PAGES * 100} keys; name the key by its hash.`
      })
    }
    const list = yield* litellm.get(
      "/key/list",
      { key_alias: alias, return_full_object: true, include_team_keys: true, size: 100, page },
      FullKeyList
    )
    matches.push(...list.keys.filter((k) => k.key_alias === alias))
    pages = list.total_pages ?? 1
  }
  if (matches.length === 0) return yield* new NotFound({ message: `No key that you can manage has the alias ${alias}.` })
  if (matches.length > 1) {
    return yield* new Ambiguous({
      message: `${matches.length} keys have the alias ${alias}; name one by key (hash).`,
      candidates: matches.map((k) => ({ token: k.token, key_alias: k.key_alias, key_name: k.key_name }))
    })
  }
  return matches[0]!.token
})

/**
 * Whether LiteLLM knows this key, asked of /key/info: exact on every release, and it lets a caller
 * see the keys it may change (own keys, its teams' keys). /key/list's key_hash filter is dropped by
 * older releases, and then any key would seem to exist.
 */
const keyExists = Effect.fn("Keys.exists")(function*(hash: string) {
  const litellm = yield* LiteLlm
  return yield* litellm.get("/key/info", { key: hash }, KeyInfoResponse).pipe(
    Effect.as(true),
    onStatus(404, () => Effect.succeed(false))
  )
})

const generateKey = Effect.fn("Keys.generate")(function*(input: typeof KeyGenerateInput.Type) {
  const litellm = yield* LiteLlm
  // /key/generate does not create the user it is given, and makes a key no user owns: the owner
  // must exist first, as for an update.
  if (input.user_id !== undefined) yield* Users.getUserInfo(input.user_id)
  const answer = yield* litellm.write("/key/generate", input, GeneratedKey)
  return isUnexpected(answer) ? answer : withHash(answer)
})

const updateKey = Effect.fn("Keys.update")(function*(input: typeof KeyUpdateInput.Type) {
  const litellm = yield* LiteLlm
  const { key, key_alias, ...changes } = input
  if (Object.keys(changes).length === 0 && (key === undefined || key_alias === undefined)) {
    return yield* nothingToChange("give the fields to set; to rename, give key and the new key_alias")
  }
  if (input.user_id !== undefined) yield* Users.getUserInfo(input.user_id)
  // The hash, not the raw key, goes out: LiteLLM echoes `key` back, and a raw key must not travel.
  // prepare_key_update_data ignores a null duration (the key keeps its expiry); "-1" means never,
  // on the releases that know it.
  const sent = changes.duration === null ? { ...changes, duration: "-1" } : changes
  const body = key === undefined
    ? { ...sent, key: yield* hashOfAlias(key_alias!) }
    : { ...sent, key: toKeyHash(key), ...(key_alias === undefined ? {} : { key_alias }) }
  const answer = yield* litellm.write("/key/update", body, UpdateKeyResponse).pipe(
    Effect.catchTag("LiteLlmApiError", (e) =>
      Effect.fail(
        // LiteLLM reports an unknown key as "Team not found, passed team_id=None".
        e.status === 404 && input.team_id === undefined
          ? new NotFound({ message: "No key matches the given key." })
          : changes.duration === null && /Invalid duration format/.test(e.message)
          ? new Unsupported({
            message: "This LiteLLM release cannot remove a key's expiry (duration \"-1\" came later), so nothing was " +
              "changed. Give a long duration instead (1200mo is a hundred years), or generate a key without one."
          })
          : e
      ))
  )
  return isUnexpected(answer) ? answer : hashAsToken(answer)
})

const deleteKeys = Effect.fn("Keys.delete")(function*(input: typeof KeyDeleteInput.Type) {
  const litellm = yield* LiteLlm
  // LiteLLM ignores key_aliases when keys is given and deletes whatever subset exists; resolve and
  // check everything first so a delete is all or nothing.
  const byAlias = yield* Effect.forEach(input.key_aliases ?? [], hashOfAlias, { concurrency: 4 })
  const hashes = [...new Set([...(input.keys ?? []).map(toKeyHash), ...byAlias])]
  const exists = yield* Effect.forEach(hashes, keyExists, { concurrency: 4 })
  const missing = hashes.filter((_, i) => !exists[i])
  if (missing.length > 0) {
    // Named by where they were given: a hash in a message is redacted on its way out.
    const given = (input.keys ?? []).flatMap((k, i) => missing.includes(toKeyHash(k)) ? [`keys[${i}]`] : [])
    return yield* new NotFound({ message: `No key matches ${given.join(", ")}; nothing was deleted.` })
  }
  return yield* litellm.write("/key/delete", { keys: hashes }, DeleteKeyResponse)
})

const hashOfRef = (input: typeof KeyRef.Type) =>
  input.key === undefined ? hashOfAlias(input.key_alias!) : Effect.succeed(toKeyHash(input.key))

const keyInfo = Effect.fn("Keys.info")(function*(input: typeof KeyRef.Type) {
  const litellm = yield* LiteLlm
  // Named fields spelt out: hashAsToken's rest type loses them against LiteLLM's index signature.
  const { key, info, ...rest } = yield* litellm.get("/key/info", { key: yield* hashOfRef(input) }, KeyInfoResponse)
  return { ...rest, token: key, info }
})

// The settings a copy carries: GenerateKeyRequest's fields that a key row holds as they are sent
// (tags and per-model limits travel inside metadata). Spend is not copied: it stays with the old hash.
const COPIED = [
  "models", "aliases", "config", "max_budget", "user_id", "team_id", "organization_id", "max_parallel_requests",
  "metadata", "tpm_limit", "rpm_limit", "budget_duration", "allowed_cache_controls", "allowed_routes", "permissions",
  "budget_id", "blocked"
] as const

const copyOf = (info: Readonly<Record<string, unknown>>, now: number): Record<string, unknown> => {
  const copied = Object.fromEntries(COPIED.filter((f) => info[f] != null).map((f) => [f, info[f]]))
  // Per-model budgets are Enterprise: copied only when the old key has some.
  const perModel = info["model_max_budget"]
  if (typeof perModel === "object" && perModel !== null && Object.keys(perModel).length > 0) copied["model_max_budget"] = perModel
  // The same expiry, to the second.
  const expires = typeof info["expires"] === "string" ? Date.parse(info["expires"]) : Number.NaN
  if (Number.isFinite(expires)) copied["duration"] = `${Math.max(0, Math.ceil((expires - now) / 1000))}s`
  return copied
}

/**
 * The steps of a rotation by copy after the new key exists: the old key stopped (or set to
 * expire), then the alias moved to the new key; each step done is said in `done`.
 */
const retireOld = Effect.fn("Keys.retireOld")(function*(
  input: typeof RegenerateInput.Type,
  oldHash: string,
  retired: string | undefined,
  alias: string | undefined,
  newToken: string,
  done: Array<string>
) {
  const litellm = yield* LiteLlm
  if (input.grace_period === undefined) {
    yield* litellm.write("/key/delete", { keys: [oldHash] }, DeleteKeyResponse)
    done.push("deleted the old key")
  } else {
    yield* litellm.write("/key/update", {
      key: oldHash,
      duration: input.grace_period,
      ...(retired === undefined ? {} : { key_alias: retired })
    }, UpdateKeyResponse)
    done.push(`set the old key to expire in ${input.grace_period}${retired === undefined ? "" : `, renamed ${retired}`}`)
  }
  if (alias !== undefined) {
    yield* litellm.write("/key/update", { key: newToken, key_alias: alias }, UpdateKeyResponse)
    done.push(`moved the alias ${alias} to the new key`)
  }
})

/**
 * Rotation where /key/regenerate is Enterprise-only: a new key with the old one's settings under a
 * temporary alias, the old key deleted (or, with grace_period, set to expire then and renamed),
 * then the alias moved. Once the new key exists its raw key is returned whatever happens next, with
 * exactly what exists if a later step failed: a write that happened is never hidden.
 */
const rotateByCopy = Effect.fn("Keys.rotateByCopy")(function*(input: typeof RegenerateInput.Type, oldHash: string) {
  const litellm = yield* LiteLlm
  const { info } = yield* litellm.get("/key/info", { key: oldHash }, KeyInfoResponse)
  const now = yield* Clock.currentTimeMillis
  const alias = typeof info["key_alias"] === "string" ? info["key_alias"] : undefined
  const stamp = new Date(now).toISOString().replace(/[-:]/g, "").slice(0, 15)
  const temporary = alias === undefined ? undefined : `${alias}-rotated-${stamp}`
  const made = yield* litellm.write("/key/generate", {
    ...copyOf(info, now),
    ...(temporary === undefined ? {} : { key_alias: temporary }),
    ...(input.new_key === undefined ? {} : { key: input.new_key })
  }, GeneratedKey)
  if (isUnexpected(made)) return made
  const fresh = withHash(made)
  const retired = alias === undefined ? undefined : `${alias}-retired-${stamp}`
  const done: Array<string> = [`made the new key ${alias === undefined ? "" : `as ${temporary} `}with the old one's settings`]
  const outcome = yield* Effect.either(retireOld(input, oldHash, retired, alias, fresh.token, done))
  const rotation = {
    method: "copy",
    old_token: oldHash,
    done,
    note: "This LiteLLM has no Enterprise licence, so the key was rotated by copy: the new key has a new hash, and the " +
      "old key's spend history stays under its hash (old_token)."
  }
  if (Either.isRight(outcome)) return { ...fresh, key_alias: alias ?? null, rotation }
  const { error } = Envelope.fromError(outcome.left) as { error: { status: number; message: string } }
  // Which step stopped, and whether LiteLLM may have carried it out all the same.
  const unknown = outcome.left._tag === "WriteOutcomeUnknown"
  const atOld = done.length === 1
  const state = atOld
    ? unknown
      ? "The old key may or may not be stopped: read it with litellm_key_info (key: old_token) before anything else."
      : `The old key still works: stop it with litellm_key_delete (keys: [old_token])${input.grace_period === undefined ? "" : ", or set its expiry with litellm_key_update"}.`
    : unknown
    ? `The old key is stopped; the alias ${alias} may or may not be on the new key yet (read it with litellm_key_info).`
    : `The old key is stopped; the new key is still named ${temporary}: rename it with litellm_key_update (key: token, key_alias: ${alias}).`
  return {
    ...fresh,
    rotation,
    warning: "The new key exists and works (this result holds its raw key, shown once here), but the rotation stopped: " +
      `${error.message} (HTTP ${error.status}). ${state}`
  }
})

const regenerateKey = Effect.fn("Keys.regenerate")(function*(input: typeof RegenerateInput.Type) {
  const litellm = yield* LiteLlm
  const { key: _key, key_alias: _alias, ...options } = input
  const oldHash = yield* hashOfRef(input)
  return yield* litellm.write("/key/regenerate", { ...options, key: oldHash }, GeneratedKey).pipe(
    Effect.map((a) => isUnexpected(a) ? a : withHash(a)),
    // LiteLLM refuses before it changes anything: rotate by copy instead.
    Effect.catchIf(
      (e): e is LiteLlmApiError => e instanceof LiteLlmApiError && Envelope.enterpriseOnly(e.message),
      () => rotateByCopy(input, oldHash)
    )
  )
})

/**
 * From July 2025 (PR #12840) until its prefix check came back, `unblock_key` hashed whatever it
 * was given, so a hash matched no row there and the answer was get_key_object's 401. The same
 * change goes through /key/update (`blocked` is one of its fields), which takes a hash on every
 * release; the raw key is never sent, as nowhere else.
 */
const unblockByUpdate = (hash: string) =>
  Effect.map(
    Effect.flatMap(LiteLlm, (litellm) => litellm.write("/key/update", { key: hash, blocked: false }, BlockedKey)),
    (answer) => ({
      ...answer,
      note: "This LiteLLM's /key/unblock hashes a hash again and finds no key, so the key was unblocked with " +
        "/key/update (blocked: false)."
    })
  )

type UnblockedByUpdate = Effect.Effect.Success<ReturnType<typeof unblockByUpdate>>

const setOneBlocked = (blocked: boolean) =>
  Effect.fn(blocked ? "Keys.blockOne" : "Keys.unblockOne")(function*(hash: string) {
    const litellm = yield* LiteLlm
    return yield* litellm.write(blocked ? "/key/block" : "/key/unblock", { key: hash }, BlockedKey).pipe(
      // An unknown key fails inside LiteLLM as an authentication error (get_key_object): ask
      // whether the key exists before passing on a 401 that would blame the caller's own key.
      onStatus(401, (e) =>
        Effect.flatMap(keyExists(hash), (exists): Effect.Effect<UnblockedByUpdate, LiteLlmError | NotFound, LiteLlm> =>
          !exists
            ? Effect.fail(new NotFound({ message: "No key matches the given key." }))
            : !blocked
            ? unblockByUpdate(hash)
            : Effect.fail(e)))
    )
  })

const blockOne = setOneBlocked(true)
const unblockOne = setOneBlocked(false)

/**
 * One key as before, or several, each its own LiteLLM write: every key's outcome is said, and a
 * failure on one (an unknown alias, a refusal, an outcome unknown) neither hides the others nor
 * stops them.
 */
const setBlocked = (blocked: boolean) =>
  Effect.fn(blocked ? "Keys.block" : "Keys.unblock")(function*(input: typeof BlockInput.Type) {
    const one = blocked ? blockOne : unblockOne
    if (input.keys === undefined && input.key_aliases === undefined) return yield* Effect.flatMap(hashOfRef(input), one)
    const named = [
      ...(input.keys ?? []).map((k, i) => ({ given: `keys[${i}]`, hash: Effect.succeed(toKeyHash(k)) })),
      ...(input.key_aliases ?? []).map((a, i) => ({ given: `key_aliases[${i}]`, hash: hashOfAlias(a) }))
    ]
    type Outcome = typeof BlockedKeys.Type["results"][number]
    const results = yield* Effect.forEach(named, ({ given, hash }): Effect.Effect<Outcome, never, LiteLlm> =>
      Effect.flatMap(Effect.either(hash), (found): Effect.Effect<Outcome, never, LiteLlm> =>
        Either.isLeft(found)
          ? Effect.succeed({ given, token: null, blocked: null, error: errorOf(found.left) })
          : Effect.map(Effect.either(one(found.right)), (done): Outcome =>
            Either.isLeft(done)
              ? { given, token: found.right, blocked: null, error: errorOf(done.left) }
              : { given, token: found.right, blocked: isUnexpected(done.right) ? null : done.right.blocked ?? blocked })), { concurrency: 4 })
    return { results } as typeof BlockedKeys.Type
  })

// A key's failure inside a batch answer: as the envelope would say it on its own.
const errorOf = (error: LiteLlmError | NotFound | Ambiguous | Unsupported): Readonly<Record<string, unknown>> & { status: number; message: string } => {
  const envelope = Envelope.fromError(error)
  return envelope.success ? { status: 500, message: "unknown" } : { ...envelope.error }
}

// == Tools

export const tools: ReadonlyArray<Tool.Tool> = [
  Tool.make({
    name: "litellm_key_list",
    needs: { method: "GET", route: "/key/list" },
    paging: { items: "keys", page: "page", size: "size", defaultSize: 10 },
    output: KeyListResponse,
    title: "List LiteLLM virtual keys",
    description: "List virtual keys with their alias, owner, team, budget, spend, limits and expiry, a page at a time " +
      "(result has total_count, current_page, total_pages). Each key's hash is in token; raw keys are never listed. " +
      "Filters combine; user_id and key_alias are exact unless substring_matching is true. A caller that is not a " +
      "proxy admin sees its own keys; include_team_keys adds those of the teams it administers.",
    input: KeyListInput,
    annotations: Tool.readOnly,
    run: listKeys
  }),
  Tool.make({
    name: "litellm_key_generate",
    enterprise: "the arguments tags and model_max_budget",
    needs: { method: "POST", route: "/key/generate" },
    output: Written(GeneratedKey),
    title: "Generate a LiteLLM virtual key",
    description: "Create a virtual key. The raw sk- key is in this result's data.key and is never shown again: hand " +
      "it to its user now. data.token is its hash, which other tools accept. key_alias must be unique; omitted " +
      "duration = never expires; tags and model_max_budget need LiteLLM Enterprise.",
    input: KeyGenerateInput,
    annotations: Tool.additive,
    run: generateKey
  }),
  Tool.make({
    name: "litellm_key_update",
    enterprise: "the arguments tags and model_max_budget",
    needs: { method: "POST", route: "/key/update" },
    output: Written(UpdatedKey),
    title: "Update a LiteLLM virtual key",
    description: "Change a key's budget, limits, models, expiry, owner, metadata or alias. Name the key by key (raw or " +
      "hash) or by key_alias alone; with key, key_alias renames it. Only the fields given change; null clears " +
      "max_budget or a limit, and duration: null makes the key never expire.",
    input: KeyUpdateInput,
    annotations: Tool.destructive,
    run: updateKey
  }),
  Tool.make({
    name: "litellm_key_delete",
    needs: { method: "POST", route: "/key/delete" },
    output: Written(DeleteKeyResponse),
    title: "Delete LiteLLM virtual keys",
    description: "Delete keys named by keys (raw or hash) and/or key_aliases. Every key is checked first: if any does " +
      "not exist, nothing is deleted (404). Irreversible; deleted keys stop working at once.",
    input: KeyDeleteInput,
    annotations: Tool.destructive,
    run: deleteKeys
  }),
  Tool.make({
    name: "litellm_key_info",
    needs: { method: "GET", route: "/key/info" },
    output: KeyInfo,
    title: "Get one LiteLLM virtual key",
    description: "One key's details: alias, owner, team, budget, spend, limits, models, expiry, blocked. Give exactly " +
      "one of key (raw sk- key or its hash) or key_alias.",
    input: KeyRef,
    annotations: Tool.readOnly,
    run: keyInfo
  }),
  Tool.make({
    name: "litellm_key_block",
    needs: { method: "POST", route: "/key/block" },
    title: "Block a LiteLLM virtual key",
    description: "Block a key: LiteLLM refuses every request made with it until it is unblocked. Name it by exactly " +
      "one of key (raw sk- key or its hash) or key_alias (result: its row, blocked: true), or several by keys and/or " +
      "key_aliases (result: results[], each key's outcome).",
    input: BlockInput,
    output: Schema.Union(Written(BlockedKey), BlockedKeys),
    annotations: Tool.reversible,
    run: setBlocked(true)
  }),
  Tool.make({
    name: "litellm_key_unblock",
    needs: { method: "POST", route: "/key/unblock" },
    title: "Unblock a LiteLLM virtual key",
    description: "Unblock a blocked key so LiteLLM accepts it again. Name it by exactly one of key (raw sk- key or " +
      "its hash) or key_alias (result: its row, blocked: false), or several by keys and/or key_aliases (result: " +
      "results[], each key's outcome).",
    input: BlockInput,
    output: Schema.Union(Written(BlockedKey), BlockedKeys),
    annotations: Tool.reversible,
    run: setBlocked(false)
  }),
  Tool.make({
    name: "litellm_key_regenerate",
    // Asked first on every LiteLLM; its Enterprise refusal is what starts a rotation by copy.
    needs: { method: "POST", route: "/key/regenerate" },
    title: "Regenerate a LiteLLM virtual key",
    description: "Replace a key's secret, keeping its settings: the new raw sk- key is in this result's data.key and " +
      "never shown again; the old one stops working (after grace_period, if given). Name the key by exactly one of " +
      "key (raw or hash) or key_alias. Without LiteLLM Enterprise it rotates by copy (data.rotation says what was " +
      "done): a new key with a new hash, the old one deleted, the alias moved.",
    input: RegenerateInput,
    output: Written(GeneratedKey),
    annotations: Tool.destructive,
    run: regenerateKey
  })
]
