import type { UrlParams } from "@effect/platform"
import { Effect, Either, Schema } from "effect"
import { type KeyAccess, refusal } from "../litellm/Access.js"
import { NotFound } from "../mcp/Errors.js"
import { LiteLlm, onMissingRoute, Written } from "../litellm/LiteLlm.js"
import { prepare } from "./Arguments.js"
import { Int, JsonObject, NonEmptyString } from "../mcp/Schemas.js"
import * as Tool from "../mcp/Tool.js"
import { keyOf, resolved, type Route } from "./Catalogue.js"
import { sourceNote, type Table, table } from "./Source.js"

// What this server knows of a route that its schema does not say: the trap an agent would meet.
const TRAPS: Readonly<Record<string, string>> = {
  "POST /user/update": "Creates the user when the id or email matches none; litellm_user_update checks first.",
  "POST /key/delete": "Ignores key_aliases when keys is given, and deletes whatever subset exists; litellm_key_delete checks every key first.",
  "GET /key/info": "Without key it describes the caller's own key; it has no alias lookup.",
  "POST /key/unblock": "Some 2025 releases hash a hash again and answer 401; litellm_key_unblock works around it.",
  "POST /key/regenerate": "LiteLLM Enterprise only; litellm_key_regenerate rotates by copy without it.",
  "GET /spend/logs/v2": "api_key is compared with the stored hash as is; dates are YYYY-MM-DD HH:MM:SS in UTC.",
  "POST /team/member_add": "role admin needs LiteLLM Enterprise.",
  "POST /model/new": "Its body holds provider credentials in litellm_params: they are stored in LiteLLM's database.",
  "PATCH /model/{model_id}/update": "Merges: a field sent null is kept, and config-file deployments cannot be changed.",
  "POST /customer/update": "Drops every 0, false, [] and {} it is sent (max_budget 0, blocked false); litellm_customer_update handles max_budget 0.",
  "POST /customer/block": "Creates ids no customer has, blocked; LiteLLM cannot unblock a customer through its API.",
  "PATCH /organization/update": "Takes no budget fields (they are on the organization's budget row); 1.96's document omits its body.",
  "DELETE /organization/delete": "Also deletes every team, membership and key of the organizations; an unknown id fails only after the ones before it are gone.",
  "POST /team/model/delete": "Removing a team's last model leaves [], which LiteLLM reads as every model.",
  "POST /global/spend/reset": "Erases every recorded spend, proxy-wide."
}

// A JSON Schema, as LiteLLM's document states it: an object.
const JsonSchema = Schema.Record({ key: Schema.String, value: Schema.Unknown })

const JsonBody = JsonObject.annotations({ description: "The JSON body, as litellm_route_describe gives its schema." })

const asSchema = (u: unknown): Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u) ? u as Record<string, unknown> : {}

const MethodName = Schema.Literal("GET", "POST", "PUT", "PATCH", "DELETE")

// The route checks this server knows are by path; any method but GET writes.
const likelyAllowed = (access: KeyAccess | undefined, route: Route) =>
  refusal(access, { method: route.method === "GET" ? "GET" : "POST", route: route.path }) === undefined

// Who calls, as LiteLLM said at connect (kept by the edge); in doubt, nothing is ruled out.
const accessOf = (call: Tool.CallContext) =>
  call.access !== undefined ? Effect.succeed(call.access) : call.caller ?? Effect.succeed(undefined)

// The route named, in the table's document, or where to look for it.
const routeOf = (t: Table, method: string, path: string): Effect.Effect<Route, NotFound> => {
  const route = t.catalogue.byKey.get(keyOf(method, path))
  return route !== undefined ? Effect.succeed(route) : Effect.fail(new NotFound({
    message: `No management route ${method} ${path} in ${t.source === "litellm" ? "this LiteLLM's" : "LiteLLM 1.96's"} ` +
      "document; find routes with litellm_route_search."
  }))
}

// What search and describe both say of a route.
const rowOf = (route: Route, access: KeyAccess | undefined, call: Tool.CallContext) => {
  const tool = call.toolForRoute?.(route.path)
  const hidden = tool === undefined ? call.hiddenToolForRoute?.(route.path) : undefined
  return {
    method: route.method,
    path: route.path,
    summary: route.summary,
    kind: route.kind,
    allowed: likelyAllowed(access, route),
    ...(tool === undefined ? {} : { tool }),
    // The curated tool handles the route's traps: the operator can list it.
    ...(hidden === undefined ? {} : { curated: `${hidden.tool}${hidden.toolset === undefined ? "" : ` (toolset ${hidden.toolset})`}, not enabled here` })
  }
}

const words = (text: string) => text.toLowerCase().split(/[^a-z0-9_]+/).filter((w) => w.length > 1)

const SearchInput = Schema.Struct({
  query: NonEmptyString.annotations({ description: "Words to look for in method, path, summary and family, e.g. \"budget new\"." }),
  kind: Schema.optional(Schema.Literal("read", "change")),
  limit: Schema.optional(Int(1, 50).annotations({ description: "Rows, default 15." }))
})

const Row = Schema.Struct({
  method: Schema.String,
  path: Schema.String,
  summary: Schema.String,
  kind: Schema.Literal("read", "change"),
  allowed: Schema.Boolean.annotations({ description: "Whether LiteLLM may let this key call it (when in doubt, true)" }),
  tool: Schema.optional(Schema.String.annotations({ description: "This server's own tool for it: prefer it" })),
  curated: Schema.optional(Schema.String.annotations({ description: "Its tool here that the settings hide" }))
})

const SearchOutput = Schema.Struct({
  routes: Schema.Array(Row),
  matches: Schema.Number.annotations({ description: "Routes that matched, before limit" }),
  note: Schema.optional(Schema.String)
})

const search = (input: typeof SearchInput.Type, call: Tool.CallContext) =>
  Effect.map(Effect.zip(table, accessOf(call)), ([t, access]) => {
    const wanted = words(input.query)
    const scored = t.catalogue.routes
      .filter((r) => r.excluded === undefined && (input.kind === undefined || r.kind === input.kind))
      .map((r) => {
        const haystack = `${r.method} ${r.path} ${r.summary} ${r.tags.join(" ")}`.toLowerCase()
        return { r, score: wanted.filter((w) => haystack.includes(w)).length }
      })
      .filter((s) => s.score > 0)
      .sort((a, b) => b.score - a.score || a.r.path.localeCompare(b.r.path))
    const note = sourceNote(t)
    return {
      routes: scored.slice(0, input.limit ?? 15).map(({ r }) => rowOf(r, access, call)),
      matches: scored.length,
      ...(note === undefined ? {} : { note })
    }
  })

const DescribeInput = Schema.Struct({
  method: MethodName,
  path: NonEmptyString.annotations({ description: "The route as listed, with {placeholders}, e.g. /team/{team_id}/callback." })
})

const DescribeOutput = Schema.Struct({
  method: Schema.String,
  path: Schema.String,
  summary: Schema.String,
  kind: Schema.Literal("read", "change"),
  allowed: Schema.Boolean,
  tool: Schema.optional(Schema.String),
  curated: Schema.optional(Schema.String),
  excluded: Schema.optional(Schema.Struct({ class: Schema.String, reason: Schema.String })),
  parameters: Schema.Array(Schema.Struct({
    name: Schema.String,
    in: Schema.Literal("path", "query"),
    required: Schema.Boolean,
    schema: JsonSchema,
    description: Schema.optional(Schema.String)
  })),
  body: Schema.optional(JsonSchema.annotations({ description: "The JSON body's schema, references resolved, cut where large" })),
  body_required: Schema.Boolean,
  trap: Schema.optional(Schema.String),
  note: Schema.optional(Schema.String)
})

const describe = Effect.fn("RouteTier.describe")(function*(input: typeof DescribeInput.Type, call: Tool.CallContext) {
  const t = yield* table
  const route = yield* routeOf(t, input.method, input.path)
  const trap = TRAPS[keyOf(route.method, route.path)]
  const note = sourceNote(t)
  return {
    ...rowOf(route, yield* accessOf(call), call),
    ...(route.excluded === undefined ? {} : {
      excluded: {
        class: route.excluded.class,
        reason: `Not reachable through this server: it ${route.excluded.reason} (an operator may allow the ${route.excluded.class} class).`
      }
    }),
    parameters: route.parameters.map((p) => ({ ...p, schema: asSchema(resolved(t.catalogue, p.schema, 1_000)) })),
    ...(route.body === undefined ? {} : { body: asSchema(resolved(t.catalogue, route.body)) }),
    body_required: route.bodyRequired,
    ...(trap === undefined ? {} : { trap }),
    ...(note === undefined ? {} : { note })
  }
})


// Finite numbers only: JSON carries no other.
const Numeric = Schema.Number.pipe(Schema.finite({ message: () => "must be a finite number" }))

const PathParams = Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Numeric) }).annotations({
  description: "Values for the path's {placeholders}, e.g. {\"team_id\": \"t1\"}."
})
const Scalar = Schema.Union(Schema.String, Numeric, Schema.Boolean)
const Query = Schema.Record({ key: Schema.String, value: Schema.Union(Scalar, Schema.Array(Scalar)) }).annotations({
  description: "Query parameters by name, as litellm_route_describe lists them."
})

const callFields = {
  path: NonEmptyString.annotations({ description: "The route as listed, with {placeholders}." }),
  path_params: Schema.optional(PathParams),
  query: Schema.optional(Query),
  body: Schema.optional(JsonBody)
}

const ReadInput = Schema.Struct({ method: Schema.Literal("GET", "POST"), ...callFields })
const ChangeInput = Schema.Struct({ method: Schema.Literal("POST", "PUT", "PATCH", "DELETE"), ...callFields })

const Called = Schema.Struct({
  route: Schema.String,
  answer: Schema.Unknown.annotations({ description: "LiteLLM's answer as it came" })
})

type CallInput = typeof ReadInput.Type | typeof ChangeInput.Type

const callRoute = (kind: "read" | "change") =>
  Effect.fn(kind === "read" ? "RouteTier.read" : "RouteTier.change")(function*(input: CallInput, call: Tool.CallContext) {
    const t = yield* table
    const route = yield* routeOf(t, input.method, input.path)
    if (route.excluded !== undefined && !(call.routeClasses ?? []).includes(route.excluded.class)) {
      return yield* Tool.invalidInput([Tool.issue(
        "path",
        `${route.method} ${route.path} ${route.excluded.reason}: this server does not call it unless the operator ` +
          `allows the ${route.excluded.class} class (LITELLM_MCP_ROUTE_CLASSES)`
      )])
    }
    if (route.kind !== kind) {
      return yield* Tool.invalidInput([Tool.issue(
        "method",
        kind === "read"
          ? `${route.method} ${route.path} changes LiteLLM: call it with litellm_route_change`
          : `${route.method} ${route.path} only reads: call it with litellm_route_read`
      )])
    }
    const prepared = yield* prepare(t.catalogue, route, input)
    if (Either.isLeft(prepared)) return yield* Tool.invalidInput(prepared.left)
    const litellm = yield* LiteLlm
    const { path, query, body } = prepared.right
    const answer = yield* litellm.request(route.method, path, query as UrlParams.Input, body, kind === "change").pipe(
      // FastAPI's own 404: the route is in the document read, but this LiteLLM does not serve it.
      onMissingRoute(() =>
        Effect.fail(new NotFound({
          message: `This LiteLLM does not serve ${route.method} ${route.path} (FastAPI's 404 for the route itself)` +
            (t.source === "bundled" ? `: the routes are LiteLLM ${t.catalogue.version ?? "1.96"}'s, and this release differs.` : ".")
        })))
    )
    return { route: `${route.method} ${path}`, answer }
  })

// Searching and describing read only the route table (LiteLLM's /openapi.json, kept ten minutes),
// no route of LiteLLM's own, so any key may; reading and changing leave each route to LiteLLM.
export const tools: ReadonlyArray<Tool.Tool> = [
  Tool.make({
    name: "litellm_route_search",
    needs: null,
    title: "Search LiteLLM's management routes",
    description: "Find any LiteLLM management route by words (organizations, budgets, customers, tags, model " +
      "deployments, credentials…): method, path, summary, read or change, whether this key may call it, and this " +
      "server's own tool for it where there is one (prefer that). Then litellm_route_describe for its arguments.",
    input: SearchInput,
    output: SearchOutput,
    annotations: Tool.readOnly,
    run: search
  }),
  Tool.make({
    name: "litellm_route_describe",
    needs: null,
    title: "Describe a LiteLLM management route",
    description: "One route's path and query parameters and its JSON body schema (references resolved, large ones " +
      "cut), with the trap this server knows of it, if any.",
    input: DescribeInput,
    output: DescribeOutput,
    annotations: Tool.readOnly,
    run: describe
  }),
  Tool.make({
    name: "litellm_route_read",
    needs: null,
    title: "Read from a LiteLLM management route",
    description: "Call a route that only reads (GET, or a POST such as /budget/info), as litellm_route_describe gives " +
      "it: path_params, query and body are checked against the route's schema first. Prefer this server's own tool " +
      "where the search names one.",
    input: ReadInput,
    output: Called,
    annotations: Tool.readOnly,
    run: callRoute("read")
  }),
  Tool.make({
    name: "litellm_route_change",
    // LiteLLM decides each route; only a role that may change nothing is certainly refused.
    needs: { method: "POST", route: "any management route", anyRoute: true },
    title: "Change LiteLLM through a management route",
    description: "Call a route that changes LiteLLM (POST, PUT, PATCH, DELETE), checked like litellm_route_read. " +
      "Never retried: if no answer comes, the result says the change may or may not have been made.",
    input: ChangeInput,
    output: Written(Called),
    annotations: Tool.destructive,
    run: callRoute("change")
  })
]

