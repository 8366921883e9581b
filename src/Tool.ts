import type { Tool as McpTool, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js"
import { Effect, JSONSchema, ParseResult, Schema } from "effect"
import * as Envelope from "./Envelope.js"
import { InputIssue, InvalidInput, type ToolError } from "./Errors.js"
import type { LiteLlm } from "./LiteLlm.js"
import * as ResultSize from "./ResultSize.js"

/** A tool as the MCP server sees it: its advertised definition, and a call that cannot fail. */
export interface Tool {
  readonly definition: McpTool
  readonly input: Schema.Schema.AnyNoContext
  /** Runs the tool; its envelope's JSON text fits in `maxResultBytes`. */
  readonly call: (args: unknown, maxResultBytes: number) => Effect.Effect<ResultSize.Fitted, never, LiteLlm>
}

// Hints describe the effect on LiteLLM's database. LiteLLM is one fixed system, not an open world.
export const readOnly: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false
}
export const additive: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false
}
// Blocking and unblocking change state, but undo each other and repeat harmlessly.
export const reversible: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false
}
// Updates overwrite what was there, so they are destructive too; repeating either changes nothing more.
export const destructive: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: false
}

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (acc, key) => typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`,
    ""
  )

const toInvalidInput = (error: ParseResult.ParseError): InvalidInput =>
  new InvalidInput({
    issues: ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) =>
      new InputIssue({ path: formatPath(issue.path), message: issue.message })
    )
  })

// Filters add titles such as "minLength(1)" and Unknown an `$id`: noise to an agent, and a
// repeated `$id` is an error to some validators.
const tidy = (schema: unknown): unknown => {
  if (Array.isArray(schema)) return schema.map(tidy)
  if (schema === null || typeof schema !== "object") return schema
  return Object.fromEntries(
    Object.entries(schema).filter(([key]) => key !== "title" && key !== "$id").map(([key, value]) =>
      key === "properties" && value !== null && typeof value === "object"
        ? [key, Object.fromEntries(Object.entries(value).map(([name, field]) => [name, tidy(field)]))]
        : [key, tidy(value)]
    )
  )
}

const objectJsonSchema = <A, I>(schema: Schema.Schema<A, I>) => {
  const { $schema: _, ...json } = tidy(JSONSchema.make(schema, { target: "jsonSchema2020-12" })) as Record<string, unknown>
  return json
}

/**
 * The JSON Schema clients validate arguments against, derived from the input Schema. MCP wants an
 * object at the top level, and flat schemas (no `$ref`) are the ones every client handles.
 */
const inputJsonSchema = <A, I>(input: Schema.Schema<A, I>): McpTool["inputSchema"] => {
  const schema = objectJsonSchema(input)
  return (schema["type"] === "object" ? schema : { ...schema, type: "object", properties: {} }) as McpTool["inputSchema"]
}

/** The envelope with this tool's `data`, as MCP's `outputSchema` (an object at the top level). */
const outputJsonSchema = <A, I>(data: Schema.Schema<A, I>): NonNullable<McpTool["outputSchema"]> =>
  ({ type: "object", ...objectJsonSchema(Envelope.schema(data)) }) as NonNullable<McpTool["outputSchema"]>

export const make = <A, I, O, OI>(options: {
  readonly name: string
  readonly title: string
  readonly description: string
  readonly input: Schema.Schema<A, I>
  readonly output: Schema.Schema<O, OI>
  readonly annotations: ToolAnnotations
  readonly paging?: ResultSize.Paging
  readonly run: (input: A) => Effect.Effect<O, ToolError, LiteLlm>
}): Tool => {
  // Unknown arguments are refused rather than dropped: a misspelt field must not be a silent no-op.
  const decode = Schema.decodeUnknown(options.input, { errors: "all", onExcessProperty: "error" })
  return {
    input: options.input,
    definition: {
      name: options.name,
      title: options.title,
      description: options.description,
      inputSchema: inputJsonSchema(options.input),
      outputSchema: outputJsonSchema(options.output),
      annotations: { title: options.title, ...options.annotations }
    },
    call: (args, maxResultBytes) =>
      Envelope.run(
        decode(args ?? {}).pipe(
          Effect.mapError(toInvalidInput),
          Effect.flatMap(options.run)
        )
      ).pipe(
        Effect.map((envelope) =>
          ResultSize.fit(
            envelope,
            maxResultBytes,
            options.paging,
            (args ?? {}) as Record<string, unknown>,
            options.annotations.readOnlyHint !== true
          )
        ),
        Effect.withSpan(`tool.${options.name}`)
      )
  }
}
