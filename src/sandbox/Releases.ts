// The LiteLLM releases the sandbox answers as, and what each does differently. Every trait is
// read in LiteLLM's source or dated by the pull request that changed it; the version strings only
// put the releases in order (the sandbox states them where LiteLLM would).

/**
 * `legacy`: the releases before November 2025 (the 1.79 line). `mid`: the winter of 2025-26,
 * after the route-refusal fix (PR #17723, 2025-12-09) and before `/key/list`'s `status`
 * (PR #19260, 2026-01-17). `current`: 1.96, whose published OpenAPI document the tests check
 * every request against.
 */
export type Release = "current" | "mid" | "legacy"

export const RELEASES: ReadonlyArray<Release> = ["current", "mid", "legacy"]

export interface Traits {
  readonly version: string
  /**
   * `/health/readiness` states `litellm_version` to anyone: the older releases. By 1.84.4 the
   * public readiness answers `{status, db}` unless `allow_public_health_readiness_details`.
   */
  readonly readinessStatesVersion: boolean
  /** `/spend/logs/v2` exists (PR #17167, 2025-11-27); before it, only `/spend/logs/ui`. */
  readonly spendLogsV2: boolean
  /** `/spend/logs/v2` honours `error_message` (PR #19960, 2026-01-28) and `sort_by`/`sort_order` (PR #20991). */
  readonly spendLogsLateFilters: boolean
  /**
   * How a key's allowed_routes refusal reaches the caller. `should_call_route` runs outside the
   * handler that turns exceptions into LiteLLM's envelope: a bare `Exception` before PR #17723 is
   * Starlette's plain-text 500; an `HTTPException(403)` after it is FastAPI's `{"detail": …}`.
   */
  readonly routeRefusal: "plain-500" | "detail-403"
  /** `/v2/model/info` pages and searches (PRs #19521, #19622, January 2026); before, the whole list, unpaged. */
  readonly modelInfoPaged: boolean
  /** `/key/list` knows `status` (PR #19260), `project_id` and `access_group_id` (later still). */
  readonly keyListStatus: boolean
  readonly keyListProjectFilters: boolean
  /** `/key/list` knows `expires` (PR #29137), `substring_matching` and `agent_id`. */
  readonly keyListLateFilters: boolean
  /** `unblock_key` hashes what it is given unconditionally (PR #12840, July 2025, until its prefix check came back). */
  readonly unblockHashesTwice: boolean
  /** `/user/info` about an unknown id answers 200 `{"user_info": {"spend": 0}}` (until PR #16850). */
  readonly unknownUserIsEmpty: boolean
  /** An expired key's refusal quotes the raw key in `param` (older) or an abbreviation (newer). */
  readonly expiredQuotesRawKey: boolean
  /** `/user/daily/activity` takes `user_id` and `timezone`. */
  readonly dailyActivityUserFilter: boolean
  /**
   * `/key/update` reads `duration: "-1"` as "never expires" (prepare_key_update_data, as read in
   * the 1.96 source); before, "-1" fails duration_in_seconds (a 500) and null leaves `expires`.
   */
  readonly neverExpiresDuration: boolean
  /**
   * `/key/generate` by anyone but a proxy admin, without user_id, makes the key the caller's
   * (apply_key_generation_ownership_defaults, in the current source); before, it had no owner.
   */
  readonly keyOwnedByCreator: boolean
  /** `GET /health/license` (health_license_endpoint) exists: license_type says "enterprise" or "community". */
  readonly healthLicense: boolean
  /** Serves `/openapi.json` (1.96's own document); the others answer as a proxy with its docs off. */
  readonly servesOpenApi: boolean
  /**
   * `/budget/new` and `/budget/update` refuse a negative or non-finite budget (400), and `/budget/new`
   * a budget_id that exists (400 "already exists", budget_management_endpoints.py @023475ef); before,
   * negatives were stored and a duplicate was the database's unhandled error, a plain 500.
   */
  readonly budgetChecks: boolean
  /**
   * customer_endpoints.py @029f645f: an unknown customer is a 404 (`not_found`), and /customer/delete
   * checks every id before deleting any. @698c0986: a 400, and delete removes the ids that exist
   * and then fails with a 500 for the rest.
   */
  readonly customerChecks: boolean
}

export const traitsOf: Readonly<Record<Release, Traits>> = {
  current: {
    version: "1.96.0",
    readinessStatesVersion: false,
    spendLogsV2: true,
    spendLogsLateFilters: true,
    routeRefusal: "detail-403",
    modelInfoPaged: true,
    keyListStatus: true,
    keyListProjectFilters: true,
    keyListLateFilters: true,
    unblockHashesTwice: false,
    unknownUserIsEmpty: false,
    expiredQuotesRawKey: false,
    dailyActivityUserFilter: true,
    neverExpiresDuration: true,
    keyOwnedByCreator: true,
    healthLicense: true,
    servesOpenApi: true,
    budgetChecks: true,
    customerChecks: true
  },
  mid: {
    version: "1.80.15",
    readinessStatesVersion: false,
    spendLogsV2: true,
    spendLogsLateFilters: false,
    routeRefusal: "detail-403",
    modelInfoPaged: false,
    keyListStatus: false,
    keyListProjectFilters: false,
    keyListLateFilters: false,
    unblockHashesTwice: true,
    unknownUserIsEmpty: false,
    expiredQuotesRawKey: false,
    dailyActivityUserFilter: false,
    neverExpiresDuration: false,
    keyOwnedByCreator: false,
    healthLicense: false,
    servesOpenApi: false,
    budgetChecks: false,
    customerChecks: false
  },
  legacy: {
    version: "1.79.3",
    readinessStatesVersion: true,
    spendLogsV2: false,
    spendLogsLateFilters: false,
    routeRefusal: "plain-500",
    modelInfoPaged: false,
    keyListStatus: false,
    keyListProjectFilters: false,
    keyListLateFilters: false,
    unblockHashesTwice: true,
    unknownUserIsEmpty: true,
    expiredQuotesRawKey: true,
    dailyActivityUserFilter: false,
    neverExpiresDuration: false,
    keyOwnedByCreator: false,
    healthLicense: false,
    servesOpenApi: false,
    budgetChecks: false,
    customerChecks: false
  }
}

/** The version string each release states. */
export const versionOf = Object.fromEntries(RELEASES.map((r) => [r, traitsOf[r].version])) as Readonly<Record<Release, string>>
