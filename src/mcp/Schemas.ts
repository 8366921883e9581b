import { Schema } from "effect"

// Building blocks for tool inputs. Each is a plain refinement (no identifier), so the derived
// JSON Schema stays flat: some MCP clients cope poorly with `$ref`. Each refinement says in words
// what it takes: without a message, a description annotated on it would be printed as the
// expected type ("Expected Budget in USD., actual -3").

// Bounds no real admin task reaches, stated in the schemas so clients and agents see them: they
// keep the cost of any one call small whatever it carries.

/** Items in one list argument (models, routes, tags). */
export const MAX_LIST = 1_000
/** Names in one call that each cost a LiteLLM request (ids to delete, members to add). */
export const MAX_BATCH = 100
/** Entries in one object argument (metadata, per-model limits). */
export const MAX_FIELDS = 1_000
export const NonEmptyString = Schema.String.pipe(Schema.minLength(1, { message: () => "must not be empty" }))

/** A list's bounds, said in words. */
export const atMost = (max: number) => <A, I, R>(self: Schema.Schema<ReadonlyArray<A>, I, R>) =>
  self.pipe(Schema.maxItems(max, { message: () => `must have at most ${max} items` }))

export const items = (min: number, max: number) => <A, I, R>(self: Schema.Schema<ReadonlyArray<A>, I, R>) =>
  self.pipe(atMost(max), Schema.minItems(min, { message: () => `must have at least ${min} item${min === 1 ? "" : "s"}` }))

/** An id that is sent inside a comma-joined list, so it cannot itself hold a comma. */
const ListItemId = Schema.String.pipe(
  Schema.pattern(/^[^,]+$/, { message: () => "must be non-empty and contain no comma" })
)

export const IdList = (description: string) =>
  Schema.Array(ListItemId).pipe(items(1, MAX_BATCH)).annotations({ description })

/** Names of things one call acts on, one LiteLLM request each: 1 to MAX_BATCH of them. */
export const Batch = <A, I>(item: Schema.Schema<A, I>) => Schema.Array(item).pipe(items(1, MAX_BATCH))

export const Int = (min: number, max?: number) =>
  max === undefined
    ? Schema.Number.pipe(
      Schema.int({ message: () => "must be a whole number" }),
      Schema.greaterThanOrEqualTo(min, { message: () => `must be ${min} or more` })
    )
    : Schema.Number.pipe(
      Schema.int({ message: () => "must be a whole number" }),
      Schema.between(min, max, { message: () => `must be from ${min} to ${max}` })
    )

export const NonNegativeInt = Int(0)

export const Amount = Schema.Number.pipe(
  Schema.finite({ message: () => "must be a finite number" }),
  Schema.nonNegative({ message: () => "must be 0 or more" })
)

export const Duration = Schema.String.pipe(
  Schema.pattern(/^\d+(s|m|h|d|w|mo)$/, {
    message: () => "must be a LiteLLM duration such as 30s, 30m, 30h, 30d or 1mo"
  })
)

export const Email = Schema.String.pipe(
  Schema.pattern(/^[^\s@]+@[^\s@]+$/, { message: () => "must be an email address" })
)

/** An object argument's bound, said in words. */
export const atMostFields = <A extends object, I, R>(self: Schema.Schema<A, I, R>) =>
  self.pipe(
    Schema.filter((o) => Object.keys(o).length <= MAX_FIELDS, {
      message: () => `must have at most ${MAX_FIELDS} entries`,
      jsonSchema: { maxProperties: MAX_FIELDS }
    })
  )

export const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown }).pipe(atMostFields)

export const StringList = Schema.Array(NonEmptyString).pipe(atMost(MAX_LIST))

// Its name and `minimum: 1` say all there is to say.
export const Page = Int(1)

export const SortOrder = Schema.Literal("asc", "desc")

export const Sha256Hex = /^[0-9a-f]{64}$/

/** A virtual key as LiteLLM accepts it wherever it "hashes if needed": raw `sk-…` or its hash. */
export const KeyOrHash = Schema.String.pipe(
  Schema.filter((s) => s.startsWith("sk-") && s.length > 3 || Sha256Hex.test(s), {
    message: () => "must be a raw virtual key or its 64-character lowercase hex sha256 hash",
    jsonSchema: { pattern: "^(sk-.+|[0-9a-f]{64})$" },
    arbitrary: () => (fc) => fc.oneof(fc.stringMatching(/^sk-[A-Za-z0-9_-]{1,40}$/), fc.stringMatching(/^[0-9a-f]{64}$/))
  })
)

export const DATE = /^\d{4}-\d{2}-\d{2}$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

// A real calendar date and time: JavaScript would quietly turn 2025-02-30 into 2 March.
const isReal = (s: string) => {
  const date = new Date(`${s.slice(0, 10)}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(s.slice(0, 10)) &&
    (s.length === 10 || !Number.isNaN(Date.parse(s)))
}

const arbitraryDate = (dateOnly: boolean) => (fc: typeof import("effect").FastCheck) =>
  fc.tuple(fc.date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true }), fc.boolean())
    .map(([date, short]) => dateOnly && short ? date.toISOString().slice(0, 10) : date.toISOString())

/** A date (YYYY-MM-DD) or an ISO-8601 date-time with a zone. */
export const DateInput = Schema.String.pipe(
  Schema.filter((s) => (DATE.test(s) || DATE_TIME.test(s)) && isReal(s), {
    message: () => "must be a date (YYYY-MM-DD) or an ISO-8601 date-time with a zone (2025-01-31T12:00:00Z)",
    jsonSchema: { pattern: "^\\d{4}-\\d{2}-\\d{2}(T.*)?$" },
    arbitrary: () => arbitraryDate(true)
  })
)

/** An RFC 3339 date-time, as LiteLLM's `format: date-time` fields want. */
export const DateTime = Schema.String.pipe(
  Schema.filter((s) => RFC3339.test(s) && isReal(s), {
    message: () => "must be an ISO-8601 date-time with seconds and a zone, e.g. 2025-01-31T12:00:00Z",
    jsonSchema: { format: "date-time" },
    arbitrary: () => arbitraryDate(false)
  })
)
