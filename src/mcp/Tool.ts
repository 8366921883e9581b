import type { Tool as McpTool, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js"
import { Clock, Duration, Effect, Either, FiberRef, JSONSchema, Option, ParseResult, Schema } from "effect"
import * as Envelope from "./Envelope.js"
import { CallDeadline } from "../litellm/CallDeadline.js"
import { InputIssue, InvalidInput, type ToolError } from "./Errors.js"
import { redactAndCut, redactKeys } from "../litellm/Redaction.js"
import { MAX_FIELDS, MAX_LIST } from "./Schemas.js"
import type { LiteLlm } from "../litellm/LiteLlm.js"
import type { KeyAccess, Need } from "../litellm/Access.js"
import * as ResultSize from "./ResultSize.js"

/** A tool as the MCP server sees it: its advertised definition, and a call that cannot fail. */
export interface Tool {
  readonly name: string
  readonly annotations: ToolAnnotations
  /** Built when first asked for (a listing), not at start-up: deriving every schema costs time. */
  readonly definition: McpTool
  readonly input: Schema.Schema.AnyNoContext
  /**
   * The LiteLLM route it cannot do without: a key LiteLLM refuses there is not offered the tool.
   * Null for a tool any key may use (it answers even when LiteLLM refuses what it asks).
   */
  readonly needs: Need | null
  /** What of it needs a LiteLLM Enterprise licence ("the whole tool", or which arguments), if any. */
  readonly enterprise?: string
  /** Runs the tool within `limits.deadline`; its envelope's JSON text fits in `limits.maxResultBytes`. */
  readonly call: (args: unknown, limits: Limits) => Effect.Effect<ResultSize.Fitted, never, LiteLlm>
}

/** What a tool may know of the call beyond its arguments: the caller's key, the tools it may use. */
export type CallContext = Pick<Limits, "access" | "caller" | "toolForRoute" | "hiddenToolForRoute" | "routeClasses">

/** What one tool call may cost: its result's size, and the time for all its LiteLLM requests. */
export interface Limits {
  readonly maxResultBytes: number
  readonly deadline: Duration.Duration
  /** The tool this caller may call for a LiteLLM route, to name where LiteLLM's message names the route. */
  readonly toolForRoute?: (route: string) => string | undefined
  /** The tool for a LiteLLM route that the settings hide, with its toolset: what an operator could enable. */
  readonly hiddenToolForRoute?: (route: string) => { readonly tool: string; readonly toolset: string | undefined } | undefined
  /** What LiteLLM said of the caller's key, where it was asked (undefined: in doubt, nothing ruled out). */
  readonly access?: KeyAccess
  /** Asks it (kept CALLER_CHECK_TTL_MS) for a call that was not checked at the edge; undefined when it cannot say. */
  readonly caller?: Effect.Effect<KeyAccess | undefined>
  /** Excluded route classes the operator lets the route tier call (LITELLM_MCP_ROUTE_CLASSES). */
  readonly routeClasses?: ReadonlyArray<string>
}

// A route as LiteLLM's messages name it ("Update via `/key/unblock` if you're an admin").
const ROUTE = /\/[a-z][a-z0-9_]*(?:\/[a-z0-9_]+)+/g

/** A failure whose message names a LiteLLM route also names the tool that calls it. */
const namingTools = (envelope: Envelope.Envelope, self: string, toolFor: Limits["toolForRoute"]): Envelope.Envelope => {
  if (envelope.success || toolFor === undefined) return envelope
  const named = [...new Set(envelope.error.message.match(ROUTE) ?? [])].flatMap((route) => {
    const tool = toolFor(route)
    return tool === undefined || tool === self ? [] : [`${tool} calls ${route}`]
  })
  return named.length === 0
    ? envelope
    : { success: false, error: { ...envelope.error, message: `${envelope.error.message} (with this server: ${named.join("; ")})` } }
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

/** Problems reported for one call: enough to fix the first ones, never one per bad item. */
const MAX_ISSUES = 5
/** Characters of one problem's message: it quotes the value it met, which may be long or a key. */
const MAX_ISSUE_MESSAGE = 300

/** One problem with the arguments, as the agent reads it: keys redacted, the message cut short. */
export const issue = (path: string, message: string) =>
  new InputIssue({ path: redactAndCut(path, 200, redactKeys), message: redactAndCut(message, MAX_ISSUE_MESSAGE, redactKeys) })

/** The arguments' problems, the first MAX_ISSUES of them and a count of the rest. */
export const invalidInput = (all: ReadonlyArray<InputIssue>): InvalidInput => {
  const shown = all.slice(0, MAX_ISSUES)
  return new InvalidInput({
    issues: all.length > MAX_ISSUES ? [...shown, issue("", `and ${all.length - MAX_ISSUES} more problems`)] : shown
  })
}

// An optional or nullable field's alternatives: a union reports each, and "Expected undefined"
// reads as "leave this out". One problem per field says what it takes.
const ALTERNATIVE = /^Expected (undefined|null), actual /

const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}

/** An unknown argument, named with the valid ones it is closest to, not the whole list. */
const unknownArgument = (name: string, known: ReadonlyArray<string>) => {
  const closest = known
    .map((k) => [k, distance(name.toLowerCase(), k)] as const)
    .filter(([k, d]) => d <= Math.max(2, Math.floor(k.length / 3)) || k.includes(name) || name.includes(k))
    .sort((a, b) => a[1] - b[1])
    .slice(0, 3)
    .map(([k]) => k)
  return closest.length > 0
    ? `is not an argument of this tool; did you mean ${closest.join(" or ")}?`
    : "is not an argument of this tool (see its inputSchema)"
}

// A union of literals reports each value it wanted on its own line: one problem names them all.
const LITERAL = /^Expected ("(?:[^"\\]|\\.)*"|-?\d[\d.e+-]*|true|false), actual (.*)$/s

const oneOf = (messages: ReadonlyArray<string>): ReadonlyArray<string> => {
  const literals = messages.flatMap((m) => {
    const match = LITERAL.exec(m)
    return match === null ? [] : [[match[1]!, match[2]!] as const]
  })
  if (literals.length < 2) return messages
  const rest = messages.filter((m) => !LITERAL.test(m))
  return [`Expected one of ${literals.map(([value]) => value).join(", ")}, actual ${literals[0]![1]}`, ...rest]
}

const toInvalidInput = (known: ReadonlyArray<string>) => (error: ParseResult.ParseError): InvalidInput => {
  const byPath = new Map<string, Array<string>>()
  for (const i of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const path = formatPath(i.path)
    const message = i.message.startsWith("is unexpected") ? unknownArgument(path, known) : i.message
    byPath.set(path, [...(byPath.get(path) ?? []), message])
  }
  const all = [...byPath].map(([path, messagesOfPath]) => {
    const messages = oneOf(messagesOfPath)
    const main = messages.filter((m) => !ALTERNATIVE.test(m))
    const nullable = messages.some((m) => m.startsWith("Expected null"))
    const first = main[0] ?? messages[0]!
    return issue(path, main.length > 0 && nullable ? first.replace(/^Expected (.+?), actual /, "Expected $1 or null, actual ") : first)
  })
  return invalidInput(all)
}

/** Bounds on the arguments as a whole, checked before any decoding: nesting and JSON values. */
const MAX_DEPTH = 16
export const MAX_VALUES = 10_000
/** Characters in any one text of the arguments (a name, an id, a metadata value or key). */
export const MAX_TEXT = 4_096

/**
 * A problem if the arguments are bigger than any tool takes, found in one bounded walk: more
 * values in all, or more items in one list or entries in one object, than any argument's schema
 * allows. Decoding half a million items, or an object with tens of thousands of keys, would cost
 * tens of milliseconds to seconds and an issue per item before the schema's own limits are reached.
 */
const oversize = (args: unknown): InputIssue | undefined => {
  let values = 0
  const stack: Array<[unknown, number, string]> = [[args, 0, ""]]
  const tooMany = () => issue("", `the arguments hold more than ${MAX_VALUES} values; no tool takes that many`)
  while (stack.length > 0) {
    const [value, depth, path] = stack.pop()!
    if (++values > MAX_VALUES) return tooMany()
    if (depth > MAX_DEPTH) return issue("", `the arguments are nested deeper than ${MAX_DEPTH} levels`)
    // An id of 200,000 characters would become a request target LiteLLM's server refuses.
    if (typeof value === "string" && value.length > MAX_TEXT) {
      return issue(path, `has ${value.length} characters; the most any text argument takes is ${MAX_TEXT}`)
    }
    if (Array.isArray(value)) {
      if (value.length > MAX_LIST) return issue("", `a list holds ${value.length} items; the most any argument takes is ${MAX_LIST}`)
      if (values + value.length > MAX_VALUES) return tooMany()
      for (let i = 0; i < value.length; i++) stack.push([value[i], depth + 1, path === "" ? String(i) : `${path}.${i}`])
    } else if (value !== null && typeof value === "object") {
      const keys = Object.keys(value)
      if (keys.length > MAX_FIELDS) {
        return issue("", `an object holds ${keys.length} entries; the most any argument takes is ${MAX_FIELDS}`)
      }
      if (values + keys.length > MAX_VALUES) return tooMany()
      for (const key of keys) {
        if (key.length > MAX_TEXT) return issue(path, `has a name of ${key.length} characters; the most any text argument takes is ${MAX_TEXT}`)
        stack.push([(value as Record<string, unknown>)[key], depth + 1, path === "" ? key : `${path}.${key}`])
      }
    }
  }
  return undefined
}

// Filters add titles such as "minLength(1)", descriptions such as "a non-negative number" (the
// keywords beside them say the same), and Unknown an `$id`: noise to an agent, context it pays
// for on every listing, and a repeated `$id` is an error to some validators. An empty
// `required` and `additionalProperties: {}` say nothing and make clients warn.
const GENERATED = /^an? (string|array|non-negative|positive|negative|integer|number|finite|valid|object|record|date)\b/

const tidy = (schema: unknown): unknown => {
  if (Array.isArray(schema)) return schema.map(tidy)
  if (schema === null || typeof schema !== "object") return schema
  const kept: Array<[string, unknown]> = []
  for (const [key, value] of Object.entries(schema)) {
    if (key === "title" || key === "$id") continue
    const tidied = key === "properties" && value !== null && typeof value === "object"
      ? Object.fromEntries(Object.entries(value).map(([name, field]) => [name, tidy(field)]))
      : tidy(value)
    if (key === "description" && typeof tidied === "string" && GENERATED.test(tidied)) continue
    if (key === "required" && Array.isArray(tidied) && tidied.length === 0) continue
    if (key === "additionalProperties" && isEmptyObject(tidied)) continue
    // A record's `properties: {}` says nothing its `type: object` does not.
    if (key === "properties" && isEmptyObject(tidied) && !hasRequired(schema)) continue
    kept.push([key, tidied])
  }
  // Nullable stays `anyOf: [{type: T}, {type: "null"}]`: a `type` array is shorter, but clients that
  // map tools onto a one-type dialect (Gemini's function declarations) reject or drop it.
  return Object.fromEntries(kept)
}

const hasRequired = (schema: object) => {
  const required = (schema as Record<string, unknown>)["required"]
  return Array.isArray(required) && required.length > 0
}

const isEmptyObject = (value: unknown) =>
  value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0

/** A Schema's JSON Schema as tools advertise theirs: flat, without generated filler. */
export const objectJsonSchema = <A, I>(schema: Schema.Schema<A, I>) => {
  const { $schema: _, ...json } = tidy(JSONSchema.make(schema, { target: "jsonSchema2020-12" })) as Record<string, unknown>
  return json
}

/**
 * The JSON Schema clients validate arguments against, derived from the input Schema. MCP wants an
 * object at the top level, and flat schemas (no `$ref`) are the ones every client handles.
 */
const inputJsonSchema = <A, I>(input: Schema.Schema<A, I>): McpTool["inputSchema"] => {
  const schema = objectJsonSchema(input)
  // `Struct({})` renders as "object or array": a tool without arguments takes an empty object.
  return (schema["type"] === "object" ? schema : { type: "object", properties: {}, additionalProperties: false }) as McpTool["inputSchema"]
}

/** The envelope with this tool's `data`, as MCP's `outputSchema` (an object at the top level). */
const outputJsonSchema = <A, I>(data: Schema.Schema<A, I>): NonNullable<McpTool["outputSchema"]> =>
  ({ type: "object", ...objectJsonSchema(Envelope.schema(data)) }) as NonNullable<McpTool["outputSchema"]>

/**
 * A span for each call, when there is a tracer to send it to (Tracing.ts turns it off without
 * OpenTelemetry): a span is a region of its own, some twenty steps on every call, for nothing
 * when no one reads it. Its name says where it was made: a stack trace would say no more.
 */
const traced = (name: string) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiberRuntime((fiber) =>
    fiber.getFiberRef(FiberRef.currentTracerEnabled) ? Effect.withSpan(effect, name, { captureStackTrace: false }) : effect
  )

export const make = <A, I, O, OI>(options: {
  readonly name: string
  readonly title: string
  readonly description: string
  readonly input: Schema.Schema<A, I>
  readonly output: Schema.Schema<O, OI>
  readonly annotations: ToolAnnotations
  readonly needs: Need | null
  readonly enterprise?: string
  readonly paging?: ResultSize.Paging
  readonly run: (input: A, call: CallContext) => Effect.Effect<O, ToolError, LiteLlm>
}): Tool => {
  // Unknown arguments are refused rather than dropped: a misspelt field must not be a silent no-op.
  // Inputs are pure data, so they decode at once, without an effect per call.
  const decode = Schema.decodeUnknownEither(options.input, { errors: "all", onExcessProperty: "error" })
  let definition: McpTool | undefined
  const definitionOf = (): McpTool =>
    definition ??= {
      name: options.name,
      title: options.title,
      description: options.description,
      inputSchema: inputJsonSchema(options.input),
      outputSchema: outputJsonSchema(options.output),
      annotations: { title: options.title, ...options.annotations }
    }
  const known = () => Object.keys((definitionOf().inputSchema as { properties?: Record<string, unknown> }).properties ?? {})
  return {
    name: options.name,
    annotations: options.annotations,
    input: options.input,
    needs: options.needs,
    ...(options.enterprise === undefined ? {} : { enterprise: options.enterprise }),
    get definition() {
      return definitionOf()
    },
    call: (args, limits) =>
      Envelope.run(
        Effect.suspend((): Effect.Effect<O, ToolError, LiteLlm> => {
          const tooBig = oversize(args)
          if (tooBig !== undefined) return Effect.fail(new InvalidInput({ issues: [tooBig] }))
          const input = decode(args ?? {})
          if (Either.isLeft(input)) return Effect.fail(toInvalidInput(known())(input.left))
          return Effect.flatMap(Clock.currentTimeMillis, (now) =>
            // One deadline for the whole call, however many LiteLLM requests it makes: a request
            // is not started after it, and one under way is never cut short (it may be a write).
            Effect.locally(
              options.run(input.right, limits),
              CallDeadline,
              Option.some({ tool: options.name, at: now + Duration.toMillis(limits.deadline) })
            ))
        })
      ).pipe(
        Effect.map((envelope) =>
          ResultSize.fit(
            namingTools(envelope, options.name, limits.toolForRoute),
            limits.maxResultBytes,
            options.paging,
            (args ?? {}) as Record<string, unknown>,
            options.annotations.readOnlyHint !== true
          )
        ),
        traced(`tool.${options.name}`)
      )
  }
}
