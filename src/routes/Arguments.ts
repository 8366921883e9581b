import type { Ajv2020, ErrorObject, ValidateFunction } from "ajv/dist/2020.js"
import { Effect, Either } from "effect"
import type { InputIssue } from "../mcp/Errors.js"
import { issue } from "../mcp/Tool.js"
import type { Catalogue, Route } from "./Catalogue.js"

// A route tier call's arguments, checked against the route's own schema (from the same document
// as the route) before anything is sent: one clear message per field, as for the curated tools.

export type QueryValue = string | number | boolean | ReadonlyArray<string | number | boolean>

export interface Arguments {
  readonly path_params?: Readonly<Record<string, string | number>> | undefined
  readonly query?: Readonly<Record<string, QueryValue>> | undefined
  readonly body?: Readonly<Record<string, unknown>> | undefined
}

/** What goes to LiteLLM: the path with its parameters in place, the query, the body. */
export interface Prepared {
  readonly path: string
  readonly query: Readonly<Record<string, QueryValue>>
  readonly body: Readonly<Record<string, unknown>> | undefined
}

interface Compiled {
  readonly query: ValidateFunction
  readonly body: ValidateFunction | undefined
}

// One validator pair per document and route, compiled on first use: the document's components
// are added once, under an id the routes' references are rebased onto.
const validators = new WeakMap<Catalogue, { readonly query: Ajv2020; readonly body: Ajv2020; readonly routes: Map<Route, Compiled> }>()

const rebase = (schema: unknown): unknown =>
  JSON.parse(JSON.stringify(schema ?? {}).replaceAll("\"#/components/", "\"litellm#/components/"))

// ajv-formats is CommonJS whose function is its module and its `default` both.
const fnOf = (mod: unknown): ((ajv: Ajv2020) => unknown) => {
  let f = mod as { default?: unknown }
  while (typeof f !== "function" && f.default !== undefined) f = f.default as { default?: unknown }
  return f as unknown as (ajv: Ajv2020) => unknown
}

// Loaded on the first route call, not at start-up: most processes never make one.
let validation: Promise<{ readonly Ajv: typeof Ajv2020; readonly addFormats: (ajv: Ajv2020) => unknown }> | undefined
const loadValidation = Effect.promise(() =>
  validation ??= Promise.all([import("ajv/dist/2020.js"), import("ajv-formats")]).then(([ajv, formats]) => ({
    // CommonJS through import(): its exports sit on `default` once bundled, beside it under tsx.
    Ajv: (ajv.Ajv2020 ?? (ajv as unknown as { default: { Ajv2020: typeof Ajv2020 } }).default.Ajv2020),
    addFormats: fnOf(formats)
  }))
)

const ajvFor = (lib: Effect.Effect.Success<typeof loadValidation>, catalogue: Catalogue, coerce: boolean) => {
  // Query values arrive as text at LiteLLM: "3" for an integer is as good as 3.
  const ajv = new lib.Ajv({ strict: false, allErrors: true, coerceTypes: coerce ? "array" : false, logger: false })
  lib.addFormats(ajv)
  ajv.addSchema({ $id: "litellm", components: { schemas: rebase(catalogue.schemas) } })
  return ajv
}

const compiled = (lib: Effect.Effect.Success<typeof loadValidation>, catalogue: Catalogue, route: Route): Compiled => {
  let held = validators.get(catalogue)
  if (held === undefined) {
    held = { query: ajvFor(lib, catalogue, true), body: ajvFor(lib, catalogue, false), routes: new Map() }
    validators.set(catalogue, held)
  }
  let c = held.routes.get(route)
  if (c === undefined) {
    const query = route.parameters.filter((p) => p.in === "query")
    c = {
      // A name the route does not take is refused, not dropped: a misspelt filter must not be a
      // silent "every row".
      query: held.query.compile({
        type: "object",
        properties: Object.fromEntries(query.map((p) => [p.name, rebase(p.schema)])),
        required: query.filter((p) => p.required).map((p) => p.name),
        additionalProperties: false
      }),
      body: route.body === undefined ? undefined : held.body.compile({ allOf: [rebase(route.body)], unevaluatedProperties: false })
    }
    held.routes.set(route, c)
  }
  return c
}

const issueOf = (where: string) => (e: ErrorObject): InputIssue => {
  const at = `${where}${e.instancePath.replaceAll("/", ".")}`
  const params = e.params as Record<string, unknown>
  if (e.keyword === "additionalProperties") {
    return issue(`${at}.${String(params["additionalProperty"])}`, "is not a query parameter of this route")
  }
  if (e.keyword === "unevaluatedProperties") {
    return issue(`${at}.${String(params["unevaluatedProperty"])}`, "is not a field of this route's body")
  }
  if (e.keyword === "required") {
    return issue(`${at}.${String(params["missingProperty"])}`, "is required")
  }
  if (e.keyword === "enum") {
    return issue(at, `must be one of ${(params["allowedValues"] as Array<unknown>).map((v) => JSON.stringify(v)).join(", ")}`)
  }
  return issue(at, e.message ?? "does not match the route's schema")
}

// A union's branches each report: one problem per place is enough to say what is wrong there.
const onePerPath = (issues: ReadonlyArray<InputIssue>) => [...new Map(issues.map((i) => [i.path, i])).values()]

const segment = (name: string, value: string | number | undefined): Either.Either<string, InputIssue> => {
  const text = value === undefined ? "" : String(value)
  if (text === "") return Either.left(issue(`path_params.${name}`, "is required"))
  // Encoded, it cannot leave its segment; these would still name another route.
  if (text === "." || text === ".." || /[/\\]/.test(text)) {
    return Either.left(issue(`path_params.${name}`, "must be one path segment: no / or \\, not . or .."))
  }
  return Either.right(encodeURIComponent(text))
}

/** The request for `route`, or every problem with its arguments, one per place. */
export const prepare = (catalogue: Catalogue, route: Route, args: Arguments): Effect.Effect<Either.Either<Prepared, ReadonlyArray<InputIssue>>> =>
  Effect.map(loadValidation, (lib) => check(lib, catalogue, route, args))

const check = (
  lib: Effect.Effect.Success<typeof loadValidation>,
  catalogue: Catalogue,
  route: Route,
  args: Arguments
): Either.Either<Prepared, ReadonlyArray<InputIssue>> => {
  const issues: Array<InputIssue> = []
  const names = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!)
  for (const given of Object.keys(args.path_params ?? {})) {
    if (!names.includes(given)) issues.push(issue(`path_params.${given}`, `is not a parameter of ${route.path}`))
  }
  let path = route.path
  for (const name of names) {
    const value = segment(name, args.path_params?.[name])
    if (Either.isLeft(value)) issues.push(value.left)
    else path = path.replace(`{${name}}`, value.right)
  }
  // A schema of LiteLLM's that cannot be compiled cannot be checked: nothing is sent unchecked.
  let checks: Compiled
  try {
    checks = compiled(lib, catalogue, route)
  } catch (e) {
    return Either.left([issue("", `${route.method} ${route.path}'s schema in LiteLLM's document cannot be checked (${String(e)}); nothing was sent`)])
  }
  const { query, body } = checks
  const queryCopy = structuredClone(args.query ?? {}) as Record<string, unknown>
  if (!query(queryCopy)) issues.push(...(query.errors ?? []).map(issueOf("query")))
  if (body === undefined) {
    if (args.body !== undefined) issues.push(issue("body", "this route takes no body"))
  } else if (args.body === undefined) {
    if (route.bodyRequired) issues.push(issue("body", "is required"))
  } else if (!body(args.body)) {
    issues.push(...(body.errors ?? []).map(issueOf("body")))
  }
  const distinct = onePerPath(issues)
  return distinct.length > 0 ? Either.left(distinct) : Either.right({ path, query: args.query ?? {}, body: args.body })
}
