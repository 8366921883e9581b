import { Schema } from "effect"
import { objectJsonSchema } from "../mcp/Tool.js"

// LiteLLM's management routes, read from an OpenAPI document (the connected LiteLLM's own
// /openapi.json, or the bundled 1.96 one): which are reachable through the route tier, which are
// read or change, and each exclusion with its reason. Routes are keyed by method and path, never
// by operationId, which changes between releases.

/** The management families reachable through the route tier, by LiteLLM's own OpenAPI tags. */
export const FAMILIES: ReadonlySet<string> = new Set([
  "key management", "team management", "Internal User management", "organization management",
  "Customer Management", "budget management", "Budget & Spend Tracking", "model management",
  "tag management", "credential management", "access_groups", "project management", "policies",
  "guardrails", "Audit Logging", "user agent analytics", "Cost Tracking"
])

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE"

/** A class of route an operator must turn on by name (LITELLM_MCP_ROUTE_CLASSES), with why it is off. */
export interface Exclusion {
  readonly class: string
  readonly reason: string
}

// Each exclusion is data: the routes it holds and why an agent should not reach them by default.
const EXCLUSIONS: ReadonlyArray<Exclusion & { readonly matches: (method: Method, path: string) => boolean }> = [
  {
    class: "spend-reset",
    reason: "erases every key's, user's and team's recorded spend, proxy-wide",
    matches: (_, path) => path === "/global/spend/reset"
  },
  {
    class: "cache",
    reason: "flushes or rewrites the proxy-wide cache for every caller",
    matches: (method, path) => path.startsWith("/cache/") && method !== "GET"
  },
  {
    class: "config",
    reason: "rewrites the proxy's configuration for every caller",
    matches: (method, path) => path.startsWith("/config/") && method !== "GET"
  },
  {
    class: "model-serving",
    reason: "an OpenAI-compatible alias for serving, not management (litellm_model_list reads the deployments)",
    matches: (_, path) => /^\/(v1\/)?models(\/|$)/.test(path)
  }
]

export interface Parameter {
  readonly name: string
  readonly in: "path" | "query"
  readonly required: boolean
  readonly schema: unknown
  readonly description?: string
}

export interface Route {
  readonly method: Method
  readonly path: string
  readonly summary: string
  readonly tags: ReadonlyArray<string>
  /** Read: GET, or a POST reviewed as reading only. Change: everything else. */
  readonly kind: "read" | "change"
  readonly parameters: ReadonlyArray<Parameter>
  /** The JSON body's schema, as the document states it (references unresolved). */
  readonly body?: unknown
  readonly bodyRequired: boolean
  readonly excluded?: Exclusion
}

/**
 * Bodies a handler reads from the raw request, which its document therefore leaves out: the
 * handler's own model (_types.py), so the tier can describe and check them too.
 */
const UNDECLARED_BODIES: Readonly<Record<string, Schema.Schema.AnyNoContext>> = {
  // update_organization: LiteLLM_OrganizationTableUpdate, read from the request by 1.96.
  "PATCH /organization/update": Schema.Struct({
    organization_id: Schema.String,
    organization_alias: Schema.optional(Schema.NullOr(Schema.String)),
    budget_id: Schema.optional(Schema.NullOr(Schema.String)),
    spend: Schema.optional(Schema.NullOr(Schema.Number)),
    metadata: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
    models: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))),
    object_permission: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
  })
}

const undeclaredBody = (method: Method, path: string) => {
  const schema = UNDECLARED_BODIES[keyOf(method, path)]
  if (schema === undefined) return undefined
  return { schema: objectJsonSchema(schema), required: true }
}

/** POST routes whose handlers only read (reviewed in LiteLLM's source): the read tool may call them. */
export const READING_POSTS: ReadonlySet<string> = new Set([
  "/budget/info", "/spend/calculate", "/key/health", "/organization/info", "/customer/info"
])

const METHODS: ReadonlyArray<Method> = ["GET", "POST", "PUT", "PATCH", "DELETE"]

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

// A route that answers JSON (or nothing): streaming and HTML routes are out of the tier.
const answersJson = (operation: Record<string, unknown>): boolean => {
  const responses = isObject(operation["responses"]) ? operation["responses"] : {}
  return Object.entries(responses).filter(([status]) => /^2/.test(status)).every(([, response]) => {
    const content = isObject(response) && isObject(response["content"]) ? Object.keys(response["content"]) : []
    return content.length === 0 || content.includes("application/json")
  })
}

const firstSentence = (text: string) => {
  const line = text.trim().split("\n")[0]!.trim()
  return line.length > 120 ? `${line.slice(0, 117)}…` : line
}

const parametersOf = (operation: Record<string, unknown>): ReadonlyArray<Parameter> =>
  (Array.isArray(operation["parameters"]) ? operation["parameters"] : []).flatMap((p): Array<Parameter> => {
    if (!isObject(p) || typeof p["name"] !== "string" || (p["in"] !== "path" && p["in"] !== "query")) return []
    return [{
      name: p["name"],
      in: p["in"],
      required: p["required"] === true,
      schema: p["schema"] ?? {},
      ...(typeof p["description"] === "string" ? { description: firstSentence(p["description"]) } : {})
    }]
  })

const bodyOf = (operation: Record<string, unknown>) => {
  const body = isObject(operation["requestBody"]) ? operation["requestBody"] : undefined
  const content = body !== undefined && isObject(body["content"]) ? body["content"] : undefined
  const json = content !== undefined && isObject(content["application/json"]) ? content["application/json"] : undefined
  return { schema: json?.["schema"], required: body?.["required"] === true }
}

export interface Catalogue {
  /** The management routes, in the document's order: reachable ones and excluded ones (with why). */
  readonly routes: ReadonlyArray<Route>
  readonly byKey: ReadonlyMap<string, Route>
  /** `components.schemas`, for resolving the routes' references. */
  readonly schemas: Readonly<Record<string, unknown>>
  /** The release the document states (info.version). */
  readonly version: string | undefined
}

export const keyOf = (method: string, path: string) => `${method.toUpperCase()} ${path}`

/** The management routes of an OpenAPI document; anything it does not say is left out, never guessed. */
export const catalogue = (document: unknown): Catalogue => {
  const doc = isObject(document) ? document : {}
  const paths = isObject(doc["paths"]) ? doc["paths"] : {}
  const routes: Array<Route> = []
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue
    for (const method of METHODS) {
      const operation = item[method.toLowerCase()]
      if (!isObject(operation)) continue
      const tags = Array.isArray(operation["tags"]) ? operation["tags"].filter((t): t is string => typeof t === "string") : []
      if (!tags.some((t) => FAMILIES.has(t)) || !answersJson(operation)) continue
      const declared = bodyOf(operation)
      const body = declared.schema === undefined ? undeclaredBody(method, path) ?? declared : declared
      const excluded = EXCLUSIONS.find((e) => e.matches(method, path))
      routes.push({
        method,
        path,
        summary: firstSentence(String(operation["summary"] ?? operation["description"] ?? "")),
        tags,
        kind: method === "GET" || (method === "POST" && READING_POSTS.has(path)) ? "read" : "change",
        parameters: parametersOf(operation),
        ...(body.schema === undefined ? {} : { body: body.schema }),
        bodyRequired: body.required,
        ...(excluded === undefined ? {} : { excluded: { class: excluded.class, reason: excluded.reason } })
      })
    }
  }
  const components = isObject(doc["components"]) && isObject(doc["components"]["schemas"]) ? doc["components"]["schemas"] : {}
  const info = isObject(doc["info"]) ? doc["info"] : {}
  return {
    routes,
    byKey: new Map(routes.map((r) => [keyOf(r.method, r.path), r])),
    schemas: components,
    version: typeof info["version"] === "string" ? info["version"] : undefined
  }
}

/**
 * A schema with its `$ref`s resolved, bounded: past `depth` levels, or once `budget` characters of
 * schema have been written, what is left is replaced by a note saying so. A reference met again
 * on its own path is named, not expanded (LiteLLM's schemas are recursive in places).
 */
export const resolved = (catalogue: Catalogue, schema: unknown, budget = 6_000, depth = 6): unknown => {
  let left = budget
  const walk = (node: unknown, level: number, seen: ReadonlySet<string>): unknown => {
    if (left <= 0) return { note: "schema cut here: ask for less, or read LiteLLM's own /openapi.json" }
    if (Array.isArray(node)) return node.map((n) => walk(n, level, seen))
    if (!isObject(node)) {
      left -= JSON.stringify(node ?? null).length
      return node
    }
    const ref = node["$ref"]
    if (typeof ref === "string") {
      const name = ref.replace(/^#\/components\/schemas\//, "")
      if (seen.has(name) || level >= depth) return { $ref: name }
      return walk(catalogue.schemas[name] ?? { note: `unknown schema ${name}` }, level + 1, new Set([...seen, name]))
    }
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(node)) {
      // Titles repeat the property names; examples can be large: neither says what to send.
      if (key === "title" || key === "examples" || key === "example") continue
      left -= key.length + 3
      out[key] = key === "description" && typeof value === "string" ? firstSentence(value) : walk(value, level, seen)
      if (left <= 0) break
    }
    return out
  }
  return walk(schema, 0, new Set())
}
