import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js"
import addFormats from "ajv-formats"
import { readFileSync } from "node:fs"

interface Parameter {
  readonly name: string
  readonly in: "query" | "header" | "path" | "cookie"
  readonly required?: boolean
  readonly schema?: unknown
}
interface Operation {
  readonly parameters?: ReadonlyArray<Parameter>
  readonly requestBody?: { readonly required?: boolean; readonly content: Record<string, { readonly schema: unknown }> }
}
interface Document {
  readonly paths: Record<string, Record<string, Operation>>
  readonly components: unknown
}

// LiteLLM 1.96.0's own /openapi.json, vendored unmodified so a fresh clone can run the tests.
const published: Document = JSON.parse(
  readFileSync(new URL("../../src/litellm/litellm-openapi-1.96.0.json", import.meta.url), "utf8")
)

const optionalString = { anyOf: [{ type: "string" }, { type: "null" }] }
const optionalNumber = { anyOf: [{ type: "number" }, { type: "null" }] }

/**
 * Routes the published document leaves out (`include_in_schema=False`, or FastAPI's own) that this server calls on
 * older releases, written from their handlers: `ui_view_spend_logs` in
 * spend_management_endpoints.py as it was before /spend/logs/v2 (November 2025).
 */
const hidden: Document["paths"] = {
  // FastAPI's own: the document itself, which the route tier reads.
  "/openapi.json": { get: { parameters: [] } },
  "/spend/logs/ui": {
    get: {
      parameters: [
        ...["api_key", "user_id", "request_id", "team_id", "start_date", "end_date", "status_filter", "model"].map((name) => ({
          name,
          in: "query" as const,
          schema: optionalString
        })),
        { name: "min_spend", in: "query", schema: optionalNumber },
        { name: "max_spend", in: "query", schema: optionalNumber },
        { name: "page", in: "query", schema: { type: "integer", minimum: 1 } },
        { name: "page_size", in: "query", schema: { type: "integer", minimum: 1, maximum: 100 } }
      ]
    }
  }
}

/**
 * Bodies a handler reads from the raw request, so the published document does not declare them:
 * 1.96's update_organization takes LiteLLM_OrganizationTableUpdate (_types.py) that way.
 */
const undeclared: Readonly<Record<string, NonNullable<Operation["requestBody"]>>> = {
  "PATCH /organization/update": {
    required: true,
    content: {
      "application/json": {
        schema: {
          type: "object",
          required: ["organization_id"],
          properties: {
            organization_id: { type: "string" },
            organization_alias: optionalString,
            budget_id: optionalString,
            spend: optionalNumber,
            metadata: { anyOf: [{ type: "object" }, { type: "null" }] },
            models: { anyOf: [{ type: "array", items: { type: "string" } }, { type: "null" }] },
            updated_by: optionalString,
            object_permission: { anyOf: [{ type: "object" }, { type: "null" }] }
          }
        }
      }
    }
  }
}

const withUndeclared = (paths: Document["paths"]): Document["paths"] =>
  Object.fromEntries(Object.entries(paths).map(([path, operations]) => [
    path,
    Object.fromEntries(Object.entries(operations).map(([method, operation]) => {
      const body = undeclared[`${method.toUpperCase()} ${path}`]
      return [method, body === undefined ? operation : { ...operation, requestBody: body }]
    }))
  ]))

const document: Document = { ...published, paths: withUndeclared({ ...published.paths, ...hidden }) }

const ajv = new Ajv2020({ strict: false, allErrors: true, coerceTypes: "array", logger: false })
addFormats.default(ajv)
ajv.addSchema({ $id: "litellm", components: document.components })

const rebase = (schema: unknown): unknown => JSON.parse(JSON.stringify(schema).replaceAll("\"#/components/", "\"litellm#/components/"))

const templates = Object.keys(document.paths).map((path) => ({
  path,
  regex: new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}$`)
}))

interface CompiledOperation {
  readonly query: ValidateFunction
  readonly arrayParams: ReadonlySet<string>
  readonly body: ValidateFunction | undefined
  readonly bodyRequired: boolean
}

const compiled = new Map<string, CompiledOperation>()

const compile = (operation: Operation): CompiledOperation => {
  const query = (operation.parameters ?? []).filter((p) => p.in === "query")
  const schema = operation.requestBody?.content["application/json"]?.schema
  return {
    // Stricter than LiteLLM on one point: a parameter or body field the spec does not name is a
    // mismatch, so a misspelt field in this server fails a test instead of vanishing.
    query: ajv.compile({
      type: "object",
      properties: Object.fromEntries(query.map((p) => [p.name, rebase(p.schema ?? {})])),
      required: query.filter((p) => p.required).map((p) => p.name),
      additionalProperties: false
    }),
    arrayParams: new Set(
      query.filter((p) => JSON.stringify(p.schema ?? {}).includes("\"type\":\"array\"")).map((p) => p.name)
    ),
    body: schema === undefined
      ? undefined
      : ajv.compile({ allOf: [rebase(schema)], unevaluatedProperties: false }),
    bodyRequired: operation.requestBody?.required ?? false
  }
}

const findOperation = (method: string, pathname: string): [string, Operation] | undefined => {
  const exact = document.paths[pathname]
  const template = exact === undefined ? templates.find((t) => t.regex.test(pathname))?.path : pathname
  if (template === undefined) return undefined
  const operation = document.paths[template]?.[method.toLowerCase()]
  return operation === undefined ? undefined : [`${method} ${template}`, operation]
}

const describe = (validate: ValidateFunction, where: string): Array<string> =>
  (validate.errors ?? []).map((e) => `${where}${e.instancePath} ${e.message ?? ""} ${JSON.stringify(e.params)}`)

/**
 * Every way a request breaks LiteLLM 1.96.0's published contract (and its hidden routes above): unknown route or method,
 * query parameters, JSON body. An empty list means the request is valid.
 */
export const validateRequest = (
  method: string,
  url: URL,
  body: { readonly contentType: string | undefined; readonly text: string }
): Array<string> => {
  const found = findOperation(method, url.pathname)
  if (found === undefined) return [`${method} ${url.pathname} is not an operation of LiteLLM 1.96.0`]
  const [id, operation] = found
  let op = compiled.get(id)
  if (op === undefined) {
    op = compile(operation)
    compiled.set(id, op)
  }
  const problems: Array<string> = []
  const query: Record<string, string | Array<string>> = {}
  for (const name of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(name)
    query[name] = op.arrayParams.has(name) ? values : values.length === 1 ? values[0]! : values
  }
  if (!op.query(query)) problems.push(...describe(op.query, "query"))
  if (op.body === undefined) {
    if (body.text !== "") problems.push(`${id} takes no body`)
  } else if (body.text === "") {
    if (op.bodyRequired) problems.push(`${id} requires a JSON body`)
  } else if (!body.contentType?.startsWith("application/json")) {
    problems.push(`${id} body sent as ${body.contentType ?? "no content type"}, not application/json`)
  } else {
    let parsed: unknown
    try {
      parsed = JSON.parse(body.text)
    } catch {
      return [...problems, `${id} body is not JSON`]
    }
    if (!op.body(parsed)) problems.push(...describe(op.body, "body"))
  }
  return problems.map((p) => `${id}: ${p}`)
}
