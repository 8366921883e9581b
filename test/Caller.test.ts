import { describe, expect, it, layer } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Layer, Option, Redacted } from "effect"
import { createHash } from "node:crypto"
import { CallerToken } from "../src/litellm/CallerToken.js"
import { CallerCheck } from "../src/resources/Caller.js"
import { layerTest } from "../src/sandbox/InProcess.js"
import { type Release, RELEASES } from "../src/sandbox/Sandbox.js"
import * as Tools from "../src/resources/Tools.js"
import { call, connect, type Env, expectFailure, emptyProxy, expectSuccess, listTools, mcpHeaders, rawRequest, TestEnv, TestEnvLive } from "./support/Harness.js"
import { READ_ONLY_TOOLS } from "./support/ToolNames.js"
import { LiteLlmStandIn, proxyError } from "./support/StandIn.js"

// What a caller sees when it connects: LiteLLM is asked about its key first, a key LiteLLM refuses
// fails there, and the tool list leaves out what LiteLLM would certainly refuse that key.

const sha256 = (raw: string) => createHash("sha256").update(raw).digest("hex")

const ALL = Tools.all.map((t) => t.definition.name).sort()
const READS = READ_ONLY_TOOLS
const KEY_WRITES = [
  "litellm_key_block",
  "litellm_key_delete",
  "litellm_key_generate",
  "litellm_key_regenerate",
  "litellm_key_unblock",
  "litellm_key_update"
]
const BUDGETS = ["litellm_budget_create", "litellm_budget_delete", "litellm_budget_info", "litellm_budget_list", "litellm_budget_update"]
// management_routes hold no /organization route at all.
const ORGS = [
  "litellm_org_create", "litellm_org_delete", "litellm_org_info", "litellm_org_list", "litellm_org_member_add",
  "litellm_org_member_delete", "litellm_org_member_update", "litellm_org_update"
]
const CUSTOMER_READS = ["litellm_customer_info", "litellm_customer_list", "litellm_customer_unblock"]
const CUSTOMERS = [...CUSTOMER_READS, "litellm_customer_block", "litellm_customer_create", "litellm_customer_delete", "litellm_customer_update"]
const MODEL_WRITES = ["litellm_model_create", "litellm_model_delete", "litellm_model_update"]
const without = (names: ReadonlyArray<string>, ...out: ReadonlyArray<string>) => names.filter((n) => !out.includes(n))
const sorted = (names: ReadonlyArray<string>) => [...names].sort()

// An internal_user_viewer may still add members to a team the proxy lists in
// default_internal_user_params.available_teams (_is_available_team): in doubt, so listed.
// The route tier's tools need no route of their own (LiteLLM decides each call): every key gets them.
const INTERNAL_VIEWER = sorted([...without(READS, "litellm_user_list", "litellm_budget_info", "litellm_budget_list", "litellm_org_info", ...CUSTOMER_READS), "litellm_team_member_add", "litellm_route_change"])
const INTERNAL_USER = sorted([...INTERNAL_VIEWER, ...KEY_WRITES])

const KEY_ROUTES_ONLY = ["/key/generate", "/key/list", "/key/update", "/key/delete"]

/** Per kind of key, what its tool list holds (the same on every release, but where LiteLLM says less). */
const EXPECTED: Record<string, ReadonlyArray<string>> = {
  master: ALL,
  proxy_admin: ALL,
  proxy_admin_viewer: READS,
  internal_user_viewer: INTERNAL_VIEWER,
  internal_user: INTERNAL_USER,
  // A team admin may add, change and delete its team's own models (ModelManagementAuthChecks).
  team_admin: sorted([...INTERNAL_USER, "litellm_team_member_delete", "litellm_team_member_update", ...MODEL_WRITES]),
  // No user: no role, so only the info and self-managed routes.
  team_key: sorted([...without(INTERNAL_VIEWER, "litellm_usage_spend_logs")]),
  // The route tier reads only LiteLLM's own document: any key may search it.
  narrow_key: sorted([
    "litellm_key_info", "litellm_key_list", "litellm_route_describe", "litellm_route_search", "litellm_route_read",
    "litellm_route_change", "litellm_whoami"
  ]),
  // key_type "management" (handle_key_type): management_routes holds team list/info and, since the
  // spend-log routes joined key_management_routes, /spend/logs/v2; never the team member routes.
  management_key: sorted([
    ...without(INTERNAL_USER, "litellm_team_member_add", "litellm_org_list")
  ]),
  // management_routes holds /model/new and /model/delete, never PATCH /model/{model_id}/update.
  admin_management_key: without(ALL, "litellm_team_member_add", "litellm_team_member_delete", "litellm_model_update", ...BUDGETS, ...ORGS, ...CUSTOMERS,
    "litellm_team_member_update", "litellm_team_model_add", "litellm_team_model_remove"),
  // Its allowed_routes leave out /key/info: LiteLLM's refusal quotes them, and they alone rule out.
  no_info_key: sorted([
    "litellm_key_delete", "litellm_key_generate", "litellm_key_list", "litellm_key_update", "litellm_route_describe",
    "litellm_route_search", "litellm_route_read", "litellm_route_change", "litellm_whoami"
  ])
}

/** Releases before December 2025 refuse such a key with a plain 500 that quotes nothing: in doubt, every tool. */
const expectedFor = (release: Release, kind: string) => kind === "no_info_key" && release === "legacy" ? ALL : EXPECTED[kind]!

const world = (release: Release) =>
  Effect.gen(function*() {
    const env = yield* TestEnv
    const s = env.standIn
    emptyProxy(s, release)
    s.seedTeam({ team_id: "t-team", team_alias: "Platform" })
    s.seedTeam({ team_id: "t-other" })
    const keys: Record<string, string> = {
      master: env.adminKey,
      proxy_admin: s.addCaller("proxy_admin", "padma"),
      proxy_admin_viewer: s.addCaller("proxy_admin_viewer", "vera"),
      internal_user_viewer: s.addCaller("internal_user_viewer", "uma"),
      internal_user: s.addCaller("internal_user", "ivan"),
      team_admin: s.addCaller("internal_user", "tadmin", [{ team_id: "t-team", role: "admin" }]),
      team_key: s.seedKey({ key_alias: "service", team_id: "t-team" }).raw,
      narrow_key: s.seedKey({ key_alias: "narrow", user_id: "ivan", allowed_routes: ["/key/list", "/key/info"] }).raw,
      management_key: s.seedKey({ key_alias: "ivan-mgmt", user_id: "ivan", allowed_routes: ["management_routes"] }).raw,
      admin_management_key: s.seedKey({ key_alias: "padma-mgmt", user_id: "padma", allowed_routes: ["management_routes"] }).raw,
      no_info_key: s.seedKey({ key_alias: "ivan-keys", user_id: "ivan", allowed_routes: KEY_ROUTES_ONLY }).raw
    }
    s.seedUser({ user_id: "other" })
    s.budgets.set("b-1", { budget_id: "b-1" })
    s.organizations.set("o-1", { organization_id: "o-1", organization_alias: "Org", budget_id: "b-1" })
    s.customers.set("c-1", { user_id: "c-1", blocked: false, budget_id: null })
    s.orgMemberships.push({ user_id: "other", organization_id: "o-1", user_role: "internal_user", budget_id: null })
    s.models.push({ model_name: "gpt-4o", litellm_params: { model: "openai/gpt-4o" }, model_info: { id: "m-db", db_model: true } })
    return { env, s, keys }
  })

const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "test", version: "0" } }
})

const post = (env: Env, key: string, body: string) => rawRequest(env.mcpUrl, { headers: mcpHeaders(key), body })

/** Arguments that take each tool straight to the route it needs, naming the caller's own things. */
const argsFor = (tool: string, own: { readonly key: string; readonly userId: string }): Record<string, unknown> =>
  ({
    litellm_user_list: {},
    litellm_user_create: { user_id: "newbie", auto_create_key: false },
    litellm_user_update: { user_id: own.userId, max_budget: 3 },
    litellm_user_delete: { user_ids: [own.userId] },
    litellm_key_generate: { key_alias: "fresh" },
    litellm_key_update: { key: own.key, rpm_limit: 3 },
    litellm_key_delete: { keys: [own.key] },
    litellm_key_block: { key: own.key },
    litellm_key_unblock: { key: own.key },
    litellm_key_regenerate: { key: own.key },
    litellm_route_change: { method: "POST", path: "/key/update", body: { key: sha256(own.key), rpm_limit: 3 } },
    litellm_route_read: { method: "GET", path: "/key/list" },
    litellm_usage_spend_logs: {},
    litellm_team_create: { team_alias: "new team" },
    litellm_team_update: { team_id: "t-team", max_budget: 9 },
    litellm_team_delete: { team_ids: ["t-other"] },
    litellm_team_member_add: { team_id: "t-team", member: { role: "user", user_id: "other" } },
    litellm_team_member_delete: { team_id: "t-team", user_id: "other" },
    litellm_model_info: { model_id: "m-db" },
    litellm_budget_info: { budget_ids: ["b-1"] },
    litellm_org_info: { organization_id: "o-1" },
    litellm_usage_activity: { entity: "team" },
    litellm_team_member_update: { team_id: "t-team", user_id: "other", max_budget_in_team: 4 },
    litellm_team_block: { team_id: "t-other" },
    litellm_team_unblock: { team_id: "t-other" },
    litellm_team_model_add: { team_id: "t-team", models: ["gpt-4o"] },
    litellm_team_model_remove: { team_id: "t-team", models: ["gpt-4o"] },
    litellm_customer_info: { user_id: "c-1" },
    litellm_customer_create: { user_id: "c-new" },
    litellm_customer_update: { user_id: "c-1", alias: "Renamed" },
    litellm_customer_delete: { user_ids: ["c-1"] },
    litellm_customer_block: { user_ids: ["c-1"] },
    litellm_customer_unblock: { user_ids: ["c-1"] },
    litellm_org_create: { organization_alias: "New org" },
    litellm_org_update: { organization_id: "o-1", organization_alias: "Renamed" },
    litellm_org_delete: { organization_ids: ["o-1"] },
    litellm_org_member_add: { organization_id: "o-1", member: { role: "internal_user", user_id: own.userId } },
    litellm_org_member_update: { organization_id: "o-1", user_id: "other", role: "internal_user_viewer" },
    litellm_org_member_delete: { organization_id: "o-1", user_id: "other" },
    litellm_budget_create: { budget_id: "b-2" },
    litellm_budget_update: { budget_id: "b-1", max_budget: 3 },
    litellm_budget_delete: { budget_id: "b-1" },
    litellm_model_create: { model_name: "gpt-4o", litellm_params: { model: "openai/gpt-4o" } },
    litellm_model_update: { model_id: "m-db", litellm_params: { rpm: 3 } },
    litellm_model_delete: { model_id: "m-db" }
  } as Record<string, Record<string, unknown>>)[tool] ?? {}

const ownerOf = (kind: string) =>
  ({
    proxy_admin_viewer: "vera",
    internal_user_viewer: "uma",
    internal_user: "ivan",
    team_admin: "tadmin",
    narrow_key: "ivan",
    management_key: "ivan",
    admin_management_key: "padma",
    no_info_key: "ivan"
  } as Record<string, string>)[kind] ?? "other"

layer(TestEnvLive(), { excludeTestServices: true })("knowing the caller", (it) => {
  for (const release of RELEASES) {
    it.scoped(`${release}: an invalid, blocked or expired key is refused at initialize with 401, and LiteLLM is asked once`, () =>
      Effect.gen(function*() {
        const { env, s } = yield* world(release)
        const blocked = s.seedKey({ key_alias: "blocked", blocked: true }).raw
        const expired = s.seedKey({ key_alias: "expired", expires: "2020-01-01T00:00:00.000Z" }).raw
        // Of its own per release: a refusal is kept a while, and this test asks LiteLLM anew.
        const unknown = `sk-never-issued-${release}-0000000000`
        s.secrets.add(unknown)
        const reasons = {
          [unknown]: /^LiteLLM refused this key \(HTTP 401\): Authentication Error, Invalid proxy server token passed\./,
          [blocked]: /^LiteLLM refused this key \(HTTP 401\): Authentication Error, Key is blocked\./,
          [expired]: /^LiteLLM refused this key \(HTTP 400\): Authentication Error - Expired Key\./
        }
        for (const [key, reason] of Object.entries(reasons)) {
          s.requests.length = 0
          for (const attempt of [1, 2]) {
            const answer = yield* post(env, key, INITIALIZE)
            expect({ attempt, status: answer.status }).toEqual({ attempt, status: 401 })
            expect(answer.headers["www-authenticate"]).toMatch(/^Bearer error="invalid_token"/)
            const body = JSON.parse(answer.body) as { id: unknown; error: { code: number; message: string } }
            expect(body).toMatchObject({ id: 1, error: { code: -32001 } })
            expect(body.error.message).toMatch(reason)
            // LiteLLM's text quotes the key's hash, and older releases the key itself: neither reaches the client.
            expect(answer.body).not.toContain(key)
            expect(answer.body).not.toContain(sha256(key))
          }
          expect(s.requests.map((r) => r.path)).toEqual(["/key/info"])
        }
        // The SDK's client reports it when it connects.
        const exit = yield* Effect.exit(Effect.scoped(connect(unknown)))
        expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain("LiteLLM refused this key (HTTP 401)")
      }))

    it.scoped(`${release}: each key lists what LiteLLM may let it use, and every tool left out is one LiteLLM refuses it`, () =>
      Effect.gen(function*() {
        const { keys } = yield* world(release)
        for (const [kind, key] of Object.entries(keys)) {
          const { names } = yield* listTools(key)
          expect({ kind, names }).toEqual({ kind, names: expectedFor(release, kind) })
        }
        // The rules only ever leave out what LiteLLM refuses: each hidden tool, called anyway,
        // reaches LiteLLM and is refused there (401 from its route checks, 403 from a handler or
        // from a key's allowed_routes, or the plain 500 older releases answer for those).
        for (const kind of Object.keys(keys)) {
          for (const tool of without(ALL, ...expectedFor(release, kind))) {
            // A fresh world each time: a refused write must not be one an earlier call made moot.
            const { env, keys: again } = yield* world(release)
            const fresh = again[kind]!
            const client = yield* connect(fresh)
            const envelope = yield* call(client, tool, argsFor(tool, { key: fresh, userId: ownerOf(kind) }))
            const refusal = [...env.standIn.answers].reverse().find((a) => a.status >= 400)
            expect({ kind, tool, success: envelope.success, litellm: refusal?.status }).toEqual({
              kind,
              tool,
              success: false,
              litellm: expect.toSatisfy((status: number) =>
                status === 401 || status === 403 || (status === 500 && refusal?.body === "Internal Server Error")
              )
            })
          }
        }
      }))
  }

  it.scoped("a proxy admin viewer lists no tool that writes; called by name, LiteLLM itself refuses it", () =>
    Effect.gen(function*() {
      const { env, keys } = yield* world("current")
      const { client, names } = yield* listTools(keys["proxy_admin_viewer"]!)
      for (const name of names) expect(Tools.byName.get(name)!.definition.annotations?.readOnlyHint).toBe(true)
      const refused = expectFailure(yield* call(client, "litellm_key_generate", {}), 403)
      expect(refused.message).toBe("user not allowed to access this route, role= proxy_admin_viewer. Trying to access: /key/generate")
      expect(env.standIn.requestsTo("/key/generate")).toHaveLength(1)
    }))

  it.scoped("litellm_whoami says who each key acts as, and for every kind of key its usable tools are its list", () =>
    Effect.gen(function*() {
      const { keys } = yield* world("current")
      type Whoami = {
        role: string | null
        master_key: boolean
        key: Record<string, unknown> | null
        user: Record<string, unknown> | null
        teams: Array<Record<string, unknown>>
        tools: { usable: Array<string>; refused: Array<{ tool: string; reason: string }> }
        note?: string
      }
      const whoami = (key: string) =>
        Effect.gen(function*() {
          const { client, names } = yield* listTools(key)
          const me = expectSuccess(yield* call(client, "litellm_whoami")) as Whoami
          expect(sorted(me.tools.usable)).toEqual(names)
          expect(sorted([...me.tools.usable, ...me.tools.refused.map((r) => r.tool)])).toEqual(ALL)
          return me
        })
      for (const key of Object.values(keys)) yield* whoami(key)
      const admin = yield* whoami(keys["proxy_admin"]!)
      expect(admin.key).toMatchObject({ token: sha256(keys["proxy_admin"]!), key_alias: "padma-own-key", user_id: "padma", blocked: null })
      expect(admin.user).toMatchObject({ user_id: "padma", user_role: "proxy_admin", spend: 0 })
      expect(admin.tools.refused).toEqual([])
      expect([admin.role, admin.master_key]).toEqual(["proxy_admin", false])
      expect((yield* whoami(keys["proxy_admin_viewer"]!)).role).toBe("proxy_admin_viewer")

      const teamAdmin = yield* whoami(keys["team_admin"]!)
      expect(teamAdmin.user).toMatchObject({ user_id: "tadmin", user_role: "internal_user" })
      expect(teamAdmin.teams).toEqual([expect.objectContaining({ team_id: "t-team", team_alias: "Platform", role: "admin" })])
      expect(teamAdmin.tools.refused).toContainEqual({
        tool: "litellm_user_create",
        reason: "LiteLLM lets only proxy admins call /user/new (this key's role: internal_user)"
      })

      const narrow = yield* whoami(keys["narrow_key"]!)
      expect(narrow.key).toMatchObject({ allowed_routes: ["/key/list", "/key/info"] })
      expect(narrow.tools.refused).toContainEqual({
        tool: "litellm_user_info",
        reason: "the key's allowed_routes do not include /user/info"
      })

      const viewer = yield* whoami(keys["proxy_admin_viewer"]!)
      expect(viewer.tools.refused).toContainEqual({
        tool: "litellm_key_generate",
        reason: "LiteLLM's proxy_admin_viewer role may not call /key/generate, which writes"
      })

      const service = yield* whoami(keys["team_key"]!)
      expect(service.key).toMatchObject({ team_id: "t-team", user_id: null })
      expect(service.user).toBeNull()
      // A team's key without a user: its team, from /team/info, which a key may read of its own team.
      expect(service.teams).toEqual([expect.objectContaining({ team_id: "t-team", team_alias: "Platform", role: null })])
      expect([service.role, service.master_key]).toEqual([null, false])
      expect(service.note).toContain("no user")
      expect(service.note).toContain("its team t-team")

      const master = yield* whoami(keys["master"]!)
      expect(master).toMatchObject({ role: "proxy_admin", master_key: true, key: null, user: null, teams: [] })
      expect(master.note).toContain("master key")
    }))

  it.scoped("a key LiteLLM accepts but whose user it cannot describe connects, with every tool listed: in doubt a tool stays", () =>
    Effect.gen(function*() {
      const { env, keys } = yield* world("current")
      env.standIn.injectFault("/user/info", { kind: "status", status: 200, body: JSON.stringify({ unexpected: true }), repeat: true })
      expect((yield* listTools(keys["internal_user"]!)).names).toEqual(ALL)
      env.standIn.injectFault("/user/info", { kind: "status", status: 404, body: JSON.stringify({ detail: "Not Found" }), repeat: true })
      expect((yield* listTools(keys["internal_user_viewer"]!)).names).toEqual(ALL)
      // The key's own allowed_routes still hold: they need no user row.
      env.standIn.injectFault("/user/info", { kind: "status", status: 500, body: "{}", repeat: true })
      expect((yield* listTools(keys["narrow_key"]!)).names).toEqual(EXPECTED["narrow_key"])
    }))

  it.scoped("LiteLLM failing at connect is 502 or 504 saying so, never a 401, and is not kept", () =>
    Effect.gen(function*() {
      const { env, keys } = yield* world("current")
      // A gateway in front of LiteLLM: not LiteLLM's word about the key.
      env.standIn.injectFault("/key/info", { kind: "status", status: 503, body: JSON.stringify({ detail: { error: "upstream unavailable" } }) })
      const down = yield* post(env, keys["internal_user"]!, INITIALIZE)
      expect(down.status).toBe(502)
      expect(JSON.parse(down.body)).toMatchObject({ id: 1, error: { message: "Could not check this key with LiteLLM: upstream unavailable" } })
      // FastAPI's own 404 for the route: no LiteLLM admin API at this URL (a /v1 base URL, another app).
      env.standIn.injectFault("/key/info", { kind: "status", status: 404, body: JSON.stringify({ detail: "Not Found" }) })
      const elsewhere = yield* post(env, keys["internal_user"]!, INITIALIZE)
      expect(elsewhere.status).toBe(502)
      expect(JSON.parse(elsewhere.body).error.message).toContain("no LiteLLM admin API is at this URL")
      // Not a LiteLLM: a 200 that is not LiteLLM's answer (a wrong LITELLM_BASE_URL) says so.
      env.standIn.injectFault("/key/info", { kind: "status", status: 200, body: "<html>a proxy login page</html>", contentType: "text/html" })
      const wrong = yield* post(env, keys["internal_user"]!, INITIALIZE)
      expect(wrong.status).toBe(502)
      expect(JSON.parse(wrong.body).error.message).toContain("Is LITELLM_BASE_URL a LiteLLM Proxy?")
      // Once LiteLLM answers, the same key connects: the failures were not kept as an answer.
      const third = yield* post(env, keys["internal_user"]!, INITIALIZE)
      expect({ status: third.status, body: third.status === 200 ? "" : third.body }).toEqual({ status: 200, body: "" })
      expect(env.standIn.requestsTo("/key/info")).toHaveLength(4)
    }))

  for (const release of RELEASES) {
    it.scoped(`${release}: a key whose allowed_routes leave out /key/info connects, its role in doubt, and whoami says why`, () =>
      Effect.gen(function*() {
        const { env, keys } = yield* world(release)
        const key = keys["no_info_key"]!
        env.standIn.requests.length = 0
        for (const attempt of [1, 2]) {
          const answer = yield* post(env, key, INITIALIZE)
          expect({ attempt, status: answer.status }).toEqual({ attempt, status: 200 })
        }
        // Kept like any other answer: LiteLLM is asked once.
        expect(env.standIn.requestsTo("/key/info")).toHaveLength(1)
        const { client } = yield* listTools(key)
        const me = expectSuccess(yield* call(client, "litellm_whoami")) as { key: unknown; note: string; tools: { usable: Array<string> } }
        expect(me.key).toBeNull()
        expect(sorted(me.tools.usable)).toEqual(expectedFor(release, "no_info_key"))
        expect(me.note).toContain(release === "legacy" ? "HTTP 500" : "leave out /key/info")
        // And the key does what LiteLLM lets it.
        expectSuccess(yield* call(client, "litellm_key_list", {}))
      }))
  }

  it.scoped("initialize and tools/list are checked whatever their params hold, and a message without a readable method is refused", () =>
    Effect.gen(function*() {
      const { env, keys } = yield* world("current")
      const madeUp = "sk-made-up-for-params-0000000000"
      env.standIn.secrets.add(madeUp)
      const message = (method: unknown, params: unknown) => JSON.stringify({ jsonrpc: "2.0", id: 7, method, params })
      for (const odd of [{ name: 1 }, { name: null }, { name: {} }, { name: ["x"] }, null, [], "x", 5]) {
        const params = odd !== null && typeof odd === "object" && !Array.isArray(odd)
          ? { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" }, ...odd }
          : odd
        const init = yield* post(env, madeUp, message("initialize", params))
        expect({ odd, status: init.status }).toEqual({ odd, status: 401 })
        const list = yield* post(env, madeUp, message("tools/list", odd))
        expect({ odd, status: list.status }).toEqual({ odd, status: 401 })
      }
      // A viewer's list stays tailored with odd params.
      const viewer = yield* post(env, keys["proxy_admin_viewer"]!, message("tools/list", { name: 1 }))
      const listed = JSON.parse(viewer.body.split("\n").find((l) => l.startsWith("data: "))?.slice(6) ?? viewer.body) as {
        result?: { tools: Array<{ name: string }> }
      }
      expect(listed.result?.tools.map((t) => t.name).sort() ?? []).toEqual(READS)
      for (const body of [{ jsonrpc: "2.0", id: 1, method: 5 }, { jsonrpc: "2.0", id: 1 }, 42, "initialize"]) {
        const refused = yield* post(env, madeUp, JSON.stringify(body))
        expect({ body, status: refused.status }).toEqual({ body, status: 400 })
      }
    }))

  it.scoped("a key_type management key of an internal user is offered the team and spend-log reads, and LiteLLM serves them", () =>
    Effect.gen(function*() {
      const { env, keys } = yield* world("current")
      const team = env.standIn.teams.get("t-team")!
      ;(team["members_with_roles"] as Array<Record<string, unknown>>).push({ user_id: "ivan", role: "user" })
      ;(env.standIn.users.get("ivan")!["teams"] as Array<string>).push("t-team")
      const { client, names } = yield* listTools(keys["management_key"]!)
      for (const tool of ["litellm_team_list", "litellm_team_info", "litellm_usage_spend_logs"]) expect(names).toContain(tool)
      expect(expectSuccess(yield* call(client, "litellm_team_info", { team_id: "t-team" }))).toMatchObject({ team_id: "t-team" })
      expect(expectSuccess(yield* call(client, "litellm_team_list", {}))).toMatchObject({ teams: [expect.objectContaining({ team_id: "t-team" })] })
      expectSuccess(yield* call(client, "litellm_usage_spend_logs", {}))
    }))

  it.scoped("a caller LiteLLM authenticates but cannot describe (a JWT, a proxy without a database) connects in doubt", () =>
    Effect.gen(function*() {
      const { env, keys } = yield* world("current")
      // info_key_fn with api_key None, or without Prisma: handle_exception_on_proxy's 500 envelope.
      env.standIn.injectFault("/key/info", proxyError(500, "Database not connected", "internal_server_error", { repeat: true }))
      const key = keys["internal_user"]!
      expect((yield* post(env, key, INITIALIZE)).status).toBe(200)
      expect((yield* post(env, key, INITIALIZE)).status).toBe(200)
      expect(env.standIn.requestsTo("/key/info")).toHaveLength(1)
      const { client, names } = yield* listTools(key)
      expect(names).toEqual(ALL)
      const me = expectSuccess(yield* call(client, "litellm_whoami")) as { note: string }
      expect(me.note).toContain("HTTP 500")
    }))
})

layer(TestEnvLive({ timeoutMs: 300 }), { excludeTestServices: true })("a slow LiteLLM at connect", (it) => {
  it.scoped("is 504 naming LITELLM_TIMEOUT_MS", () =>
    Effect.gen(function*() {
      const { env, keys } = yield* world("current")
      env.standIn.injectFault("/key/info", { kind: "hang" })
      const slow = yield* post(env, keys["internal_user"]!, INITIALIZE)
      expect(slow.status).toBe(504)
      expect(JSON.parse(slow.body).error.message).toContain("LITELLM_TIMEOUT_MS")
    }))
})

layer(TestEnvLive({ env: { CALLER_CHECK_TTL_MS: "300", CALLER_CHECK_CACHE_SIZE: "1" } }), { excludeTestServices: true })(
  "the caller check's answers",
  (it) => {
    it.scoped("are kept for CALLER_CHECK_TTL_MS, for at most CALLER_CHECK_CACHE_SIZE keys", () =>
      Effect.gen(function*() {
        const { env, keys } = yield* world("current")
        const asked = () => env.standIn.requestsTo("/key/info").filter((r) => !r.query.has("key")).length
        const a = keys["internal_user"]!
        const b = keys["proxy_admin"]!
        yield* post(env, a, INITIALIZE)
        yield* post(env, a, INITIALIZE)
        expect(asked()).toBe(1)
        // One key kept at a time: b pushes a out.
        yield* post(env, b, INITIALIZE)
        yield* post(env, a, INITIALIZE)
        expect(asked()).toBe(3)
        yield* Effect.sleep("400 millis")
        yield* post(env, a, INITIALIZE)
        expect(asked()).toBe(4)
      }))
  }
)

layer(TestEnvLive({ env: { LITELLM_MCP_TAILOR: "false", LITELLM_MCP_READ_ONLY: "true" } }), { excludeTestServices: true })(
  "LITELLM_MCP_TAILOR=false",
  (it) => {
    it.scoped("lists what the operator allows to every key LiteLLM accepts, and still refuses a key LiteLLM refuses", () =>
      Effect.gen(function*() {
        const { env, keys } = yield* world("current")
        expect((yield* listTools(keys["team_key"]!)).names).toEqual(READS)
        expect((yield* listTools(keys["master"]!)).names).toEqual(READS)
        expect((yield* post(env, "sk-never-issued-0000000000", INITIALIZE)).status).toBe(401)
      }))
  }
)

describe("the caller check", () => {
  it.live("a check under way is not cut short when the request that started it goes away: others waiting get its answer", () => {
    const standIn = new LiteLlmStandIn()
    const key = standIn.addCaller("internal_user", "ivan")
    standIn.injectFault("/key/info", { kind: "delay", ms: 200 })
    const asKey = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.locally(effect, CallerToken, Option.some(Redacted.make(key)))
    return Effect.gen(function*() {
      const callers = yield* CallerCheck
      const first = yield* Effect.fork(asKey(callers.admit(sha256(key))))
      yield* Effect.sleep("50 millis")
      const second = yield* Effect.fork(asKey(callers.admit(sha256(key))))
      yield* Effect.sleep("20 millis")
      yield* Fiber.interrupt(first)
      const identity = yield* Fiber.join(second)
      expect(identity).toMatchObject({ _tag: "Described", userId: "ivan", role: "internal_user" })
      expect(standIn.requestsTo("/key/info")).toHaveLength(1)
    }).pipe(Effect.provide(CallerCheck.Default.pipe(Layer.provide(layerTest(standIn)))))
  })
})
