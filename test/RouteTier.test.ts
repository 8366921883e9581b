import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, FastCheck } from "effect"
import { readFileSync } from "node:fs"
import { catalogue, keyOf, resolved } from "../src/routes/Catalogue.js"
import { call, connect, emptyProxy, expectFailure, expectSuccess, TestEnv, TestEnvLive } from "./support/Harness.js"

const published: unknown = JSON.parse(readFileSync(new URL("../src/litellm/litellm-openapi-1.96.0.json", import.meta.url), "utf8"))
const bundled = catalogue(published)

describe("the route table, from LiteLLM 1.96's OpenAPI document", () => {
  it("holds the management routes by method and path, read or change, and no serving, pass-through or UI route", () => {
    const route = (method: string, path: string) => bundled.byKey.get(keyOf(method, path))
    expect(route("POST", "/key/generate")).toMatchObject({ kind: "change", tags: ["key management"] })
    expect(route("GET", "/key/info")?.kind).toBe("read")
    // A POST reviewed in LiteLLM's source as reading only.
    expect(route("POST", "/budget/info")?.kind).toBe("read")
    expect(route("POST", "/organization/new")?.kind).toBe("change")
    expect(route("DELETE", "/credentials/{credential_name}")?.kind).toBe("change")
    for (const [method, path] of [["POST", "/chat/completions"], ["POST", "/v1/embeddings"], ["GET", "/sso/key/generate"]]) {
      expect(route(method!, path!)).toBeUndefined()
    }
    expect(bundled.routes.every((r) => r.tags.length > 0)).toBe(true)
    expect(new Set(bundled.routes.map((r) => keyOf(r.method, r.path))).size).toBe(bundled.routes.length)
    expect(bundled.routes.length).toBeGreaterThan(150)
    expect(bundled.version).toBe("1.96.0")
  })

  it("keeps proxy-wide destructive routes out, each with its class and reason", () => {
    expect(bundled.byKey.get("POST /global/spend/reset")?.excluded).toEqual({
      class: "spend-reset",
      reason: "erases every key's, user's and team's recorded spend, proxy-wide"
    })
    expect(bundled.byKey.get("GET /v1/models")?.excluded?.class).toBe("model-serving")
    expect(bundled.byKey.get("PATCH /config/cost_discount_config")?.excluded?.class).toBe("config")
    expect(bundled.byKey.get("GET /config/cost_discount_config")?.excluded).toBeUndefined()
  })

  it("resolves a body's references within its budget, however large (POST /model/new)", () => {
    const body = bundled.byKey.get("POST /model/new")!.body
    const text = JSON.stringify(resolved(bundled, body, 6_000))
    expect(text.length).toBeLessThan(8_000)
    expect(text).not.toContain("#/components/")
  })

  // Any document: references to themselves, to each other, to nothing; a budget is a budget.
  const Schemas = FastCheck.dictionary(
    FastCheck.constantFrom("A", "B", "C"),
    FastCheck.letrec((tie) => ({
      node: FastCheck.oneof(
        { depthSize: "small" },
        FastCheck.record({ $ref: FastCheck.constantFrom("#/components/schemas/A", "#/components/schemas/B", "#/components/schemas/Z") }),
        FastCheck.record({ type: FastCheck.constant("object"), properties: FastCheck.dictionary(FastCheck.string({ maxLength: 8 }), tie("node"), { maxKeys: 4 }) }),
        FastCheck.record({ type: FastCheck.constant("array"), items: tie("node") }),
        FastCheck.record({ type: FastCheck.constant("string"), description: FastCheck.string({ maxLength: 300 }) })
      )
    })).node
  )
  it.prop("resolution ends and stays within its budget for any set of schemas", [Schemas, FastCheck.integer({ min: 100, max: 3_000 })], ([schemas, budget]) => {
    const c = catalogue({ paths: {}, components: { schemas } })
    const text = JSON.stringify(resolved(c, { $ref: "#/components/schemas/A" }, budget))
    // One key, or one value, may cross the line before the walk stops.
    expect(text.length).toBeLessThan(budget * 2 + 600)
  })
})

// A LiteLLM of its own release: a route 1.96 does not have, to tell its document from the bundled one.
const own = {
  openapi: "3.1.0",
  info: { version: "1.99.0" },
  paths: {
    "/key/generate": { post: { tags: ["key management"], summary: "Generate Key Fn", responses: { 200: { content: { "application/json": {} } } } } },
    "/widget/new": {
      post: {
        tags: ["organization management"],
        summary: "New Widget",
        requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/Widget" } } } },
        responses: { 200: { content: { "application/json": {} } } }
      }
    }
  },
  components: { schemas: { Widget: { type: "object", properties: { name: { type: "string", title: "Name" } }, required: ["name"] } } }
}

interface Row { method: string; path: string; kind: string; allowed: boolean; tool?: string }

layer(TestEnvLive(), { excludeTestServices: true })("the route tier", (it) => {
  it.scoped("without LiteLLM's document (a release with its docs off) it searches 1.96's, says so, and names this server's own tool for a route", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      emptyProxy(env.standIn, "legacy")
      const client = yield* connect(env.adminKey)
      const found = expectSuccess(yield* call(client, "litellm_route_search", { query: "key block" })) as { routes: Array<Row>; note: string; matches: number }
      expect(found.note).toContain("does not serve its /openapi.json")
      expect(found.routes).toContainEqual(expect.objectContaining({ method: "POST", path: "/key/block", kind: "change", allowed: true, tool: "litellm_key_block" }))
      // The best matches first: both words.
      expect(found.routes[0]!.path).toMatch(/block/)
      expect(found.routes.length).toBeLessThanOrEqual(15)
      const reads = expectSuccess(yield* call(client, "litellm_route_search", { query: "budget", kind: "read" })) as { routes: Array<Row> }
      expect(reads.routes.length).toBeGreaterThan(0)
      expect(reads.routes.every((r) => r.kind === "read")).toBe(true)
      // Excluded routes are not offered.
      const reset = expectSuccess(yield* call(client, "litellm_route_search", { query: "global spend reset" })) as { routes: Array<Row> }
      expect(reset.routes.map((r) => r.path)).not.toContain("/global/spend/reset")
    }))

  it.scoped("describe gives a route's parameters and body, resolved, with its trap; an excluded route says why; an unknown one is 404", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      emptyProxy(env.standIn, "current")
      const client = yield* connect(env.adminKey)
      const update = expectSuccess(yield* call(client, "litellm_route_describe", { method: "POST", path: "/user/update" })) as {
        kind: string
        body: Record<string, unknown>
        trap: string
        tool: string
        body_required: boolean
      }
      expect(update.kind).toBe("change")
      expect(update.tool).toBe("litellm_user_update")
      expect(update.trap).toContain("Creates the user")
      expect(update.body_required).toBe(true)
      expect(JSON.stringify(update.body)).toContain("user_email")
      expect(JSON.stringify(update.body)).not.toContain("$ref\":\"#/")
      const callback = expectSuccess(yield* call(client, "litellm_route_describe", { method: "GET", path: "/team/{team_id}/callback" })) as {
        parameters: Array<{ name: string; in: string; required: boolean }>
      }
      expect(callback.parameters).toContainEqual(expect.objectContaining({ name: "team_id", in: "path", required: true }))
      const reset = expectSuccess(yield* call(client, "litellm_route_describe", { method: "POST", path: "/global/spend/reset" })) as {
        excluded: { class: string; reason: string }
      }
      expect(reset.excluded.class).toBe("spend-reset")
      expect(reset.excluded.reason).toContain("Not reachable through this server")
      const unknown = expectFailure(yield* call(client, "litellm_route_describe", { method: "GET", path: "/nowhere" }), 404)
      expect(unknown.message).toContain("litellm_route_search")
      // A body its handler reads from the raw request, which 1.96's document leaves out, is described and checked.
      const orgUpdate = expectSuccess(yield* call(client, "litellm_route_describe", { method: "PATCH", path: "/organization/update" })) as {
        body: { required: Array<string> }
        body_required: boolean
        tool: string
        trap: string
      }
      expect(orgUpdate).toMatchObject({ body: { required: ["organization_id"] }, body_required: true, tool: "litellm_org_update" })
      expect(orgUpdate.trap).toContain("budget row")
      env.standIn.organizations.set("o-1", { organization_id: "o-1", organization_alias: "Old" })
      const changed = expectSuccess(yield* call(client, "litellm_route_change", {
        method: "PATCH",
        path: "/organization/update",
        body: { organization_id: "o-1", organization_alias: "New" }
      }))
      expect(changed).toMatchObject({ answer: { organization_alias: "New" } })
      expectFailure(yield* call(client, "litellm_route_change", { method: "PATCH", path: "/organization/update", body: { organization_alias: "x" } }), 400)
    }))

  it.scoped("rows say whether LiteLLM may let this key call a route: an internal user may not create organizations", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      emptyProxy(env.standIn, "current")
      const ivan = yield* connect(env.standIn.addCaller("internal_user", "ivan"))
      const found = expectSuccess(yield* call(ivan, "litellm_route_search", { query: "organization new" })) as { routes: Array<Row> }
      expect(found.routes).toContainEqual(expect.objectContaining({ method: "POST", path: "/organization/new", allowed: false }))
      const keys = expectSuccess(yield* call(ivan, "litellm_route_search", { query: "key generate" })) as { routes: Array<Row> }
      expect(keys.routes).toContainEqual(expect.objectContaining({ path: "/key/generate", allowed: true }))
      // LiteLLM's lists hold templates (/key/{key_id}/regenerate) that match a segment under any name.
      const regenerate = expectSuccess(yield* call(ivan, "litellm_route_search", { query: "regenerate" })) as { routes: Array<Row> }
      expect(regenerate.routes).toContainEqual(expect.objectContaining({ path: "/key/{key}/regenerate", allowed: true }))
    }))
})

// A layer of its own: the table is kept per LiteLLM client, and this one must start without one.
layer(TestEnvLive(), { excludeTestServices: true })("the route tier on a LiteLLM that serves its document", (it) => {
  it.scoped("reads that document, not the bundled one, and keeps it: one request for several calls", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      emptyProxy(env.standIn, "current")
      env.standIn.injectFault("/openapi.json", { kind: "status", status: 200, body: JSON.stringify(own), repeat: true })
      const client = yield* connect(env.adminKey)
      const found = expectSuccess(yield* call(client, "litellm_route_search", { query: "widget" })) as { routes: Array<Row>; note?: string }
      expect(found.note).toBeUndefined()
      expect(found.routes).toEqual([{ method: "POST", path: "/widget/new", summary: "New Widget", kind: "change", allowed: true }])
      const widget = expectSuccess(yield* call(client, "litellm_route_describe", { method: "POST", path: "/widget/new" })) as { body: unknown }
      expect(widget.body).toEqual({ type: "object", properties: { name: { type: "string" } }, required: ["name"] })
      // A route of 1.96 this release's document does not hold is not there.
      expectFailure(yield* call(client, "litellm_route_describe", { method: "POST", path: "/team/new" }), 404)
      expect(env.standIn.requestsTo("/openapi.json")).toHaveLength(1)
      // Asked with the caller's key, as every LiteLLM request.
      expect(env.standIn.requestsTo("/openapi.json")[0]!.authorization).toBe(`Bearer ${env.adminKey}`)
    }))
})

interface Called { route: string; answer: Record<string, unknown> }

layer(TestEnvLive({ timeoutMs: 2_000 }), { excludeTestServices: true })("calling routes through the tier", (it) => {
  it.scoped("a read reaches LiteLLM as its route's schema says; a change too, with the caller's key alone", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      emptyProxy(env.standIn, "current")
      const key = env.standIn.seedKey({ key_alias: "tier" })
      const client = yield* connect(env.adminKey)
      const read = expectSuccess(yield* call(client, "litellm_route_read", { method: "GET", path: "/key/info", query: { key: key.row["token"] as string } })) as Called
      expect(read.route).toBe("GET /key/info")
      expect(read.answer).toMatchObject({ info: { key_alias: "tier" } })
      const changed = expectSuccess(yield* call(client, "litellm_route_change", {
        method: "POST",
        path: "/key/update",
        body: { key: key.row["token"], max_budget: 7 }
      })) as Called
      expect(changed.route).toBe("POST /key/update")
      expect(key.row["max_budget"]).toBe(7)
      // Every request checked against LiteLLM 1.96's document by the stand-in, and only the caller's key sent.
      expect(env.standIn.violations).toEqual([])
      for (const r of env.standIn.requests) expect(r.authorization).toBe(`Bearer ${env.adminKey}`)
    }))

  it.scoped("arguments are checked against the route's schema first: one problem per field, nothing sent", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      emptyProxy(env.standIn, "current")
      const client = yield* connect(env.adminKey)
      env.standIn.reset()
      const query = expectFailure(yield* call(client, "litellm_route_read", { method: "GET", path: "/key/list", query: { size: "many", colour: "red" } }), 400)
      expect(query.detail).toEqual(expect.arrayContaining([
        { path: "query.size", message: expect.stringContaining("integer") },
        { path: "query.colour", message: "is not a query parameter of this route" }
      ]))
      const body = expectFailure(yield* call(client, "litellm_route_change", { method: "POST", path: "/key/update", body: { key: "k", budgett: 5 } }), 400)
      expect(body.detail).toContainEqual({ path: "body.budgett", message: "is not a field of this route's body" })
      const missing = expectFailure(yield* call(client, "litellm_route_change", { method: "POST", path: "/team/new" }), 400)
      expect(missing.detail).toContainEqual({ path: "body", message: "is required" })
      expect(env.standIn.requests.filter((r) => r.path !== "/openapi.json")).toHaveLength(0)
    }))

  it.scoped("a path parameter cannot leave its segment, and is encoded within it", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      emptyProxy(env.standIn, "current")
      const client = yield* connect(env.adminKey)
      env.standIn.reset()
      for (const team_id of ["../key/delete", "a/b", "..", ""]) {
        const error = expectFailure(yield* call(client, "litellm_route_read", { method: "GET", path: "/team/{team_id}/callback", path_params: { team_id } }), 400)
        expect(error.detail).toEqual([{ path: "path_params.team_id", message: team_id === "" ? "is required" : expect.stringContaining("one path segment") }])
      }
      expectFailure(yield* call(client, "litellm_route_read", { method: "GET", path: "/team/{team_id}/callback", path_params: { team: "t" } }), 400)
      expect(env.standIn.requests.filter((r) => r.path !== "/openapi.json")).toHaveLength(0)
      env.standIn.injectFault("/team/t%201/callback", { kind: "status", status: 200, body: "{\"team_id\":\"t 1\",\"callbacks\":[]}" })
      const ok = expectSuccess(yield* call(client, "litellm_route_read", { method: "GET", path: "/team/{team_id}/callback", path_params: { team_id: "t 1" } })) as Called
      expect(ok.route).toBe("GET /team/t%201/callback")
      expect(ok.answer).toEqual({ team_id: "t 1", callbacks: [] })
    }))

  it.scoped("each tool calls its kind only; an excluded route is refused with its reason; a route this LiteLLM lacks says so", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      emptyProxy(env.standIn, "current")
      const client = yield* connect(env.adminKey)
      const wrongTool = expectFailure(yield* call(client, "litellm_route_read", { method: "POST", path: "/key/update", body: {} }), 400)
      expect(wrongTool.message).toContain("changes LiteLLM: call it with litellm_route_change")
      const reset = expectFailure(yield* call(client, "litellm_route_change", { method: "POST", path: "/global/spend/reset" }), 400)
      expect(reset.message).toContain("erases every key's, user's and team's recorded spend")
      expect(reset.message).toContain("LITELLM_MCP_ROUTE_CLASSES")
      expect(env.standIn.requestsTo("/global/spend/reset")).toHaveLength(0)
      // In 1.96's document, not served by this (stand-in) LiteLLM: FastAPI's 404 for the route.
      const absent = expectFailure(yield* call(client, "litellm_route_change", { method: "POST", path: "/tag/new", body: { name: "t" } }), 404)
      expect(absent.message).toContain("This LiteLLM does not serve POST /tag/new")
    }))

  it.scoped("a change whose answer never comes is outcome unknown, never a failure; it is not retried", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      emptyProxy(env.standIn, "current")
      const key = env.standIn.seedKey({ key_alias: "lost" })
      const client = yield* connect(env.adminKey)
      env.standIn.injectFault("/key/update", { kind: "reset" })
      const envelope = yield* call(client, "litellm_route_change", { method: "POST", path: "/key/update", body: { key: key.row["token"], key_alias: "lost" } })
      const error = expectFailure(envelope, 202)
      expect(error).toMatchObject({ outcome: "unknown" })
      expect(error.message).toContain("Read it back before retrying")
      expect(env.standIn.requestsTo("/key/update")).toHaveLength(1)
    }))
})

layer(TestEnvLive({ env: { LITELLM_MCP_ROUTE_CLASSES: "spend-reset" } }), { excludeTestServices: true })("an operator's route classes", (it) => {
  it.scoped("let the tier call an excluded class by name, and no other", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      emptyProxy(env.standIn, "current")
      const client = yield* connect(env.adminKey)
      env.standIn.injectFault("/global/spend/reset", { kind: "status", status: 200, body: "{\"message\":\"Spend for all API Keys and Teams reset successfully\"}" })
      expectSuccess(yield* call(client, "litellm_route_change", { method: "POST", path: "/global/spend/reset" }))
      expect(env.standIn.requestsTo("/global/spend/reset")).toHaveLength(1)
      expectFailure(yield* call(client, "litellm_route_change", { method: "PATCH", path: "/config/cost_discount_config", body: {} }), 400)
    }))
})

layer(TestEnvLive(), { excludeTestServices: true })("the route tier on the stand-in's current release", (it) => {
  it.scoped("reads the document LiteLLM serves, with no note, once", () =>
    Effect.gen(function*() {
      const env = yield* TestEnv
      emptyProxy(env.standIn, "current")
      const client = yield* connect(env.adminKey)
      const found = expectSuccess(yield* call(client, "litellm_route_search", { query: "organization" })) as { routes: Array<Row>; note?: string }
      expect(found.note).toBeUndefined()
      expect(found.routes.length).toBeGreaterThan(3)
      expectSuccess(yield* call(client, "litellm_route_describe", { method: "POST", path: "/organization/new" }))
      expect(env.standIn.requestsTo("/openapi.json")).toHaveLength(1)
    }))
})
