import { Schema } from "effect"

// Building blocks for tool inputs. Each is a plain refinement (no identifier), so the derived
// JSON Schema stays flat: some MCP clients cope poorly with `$ref`.

export const NonEmptyString = Schema.String.pipe(Schema.minLength(1))

/** An id that is sent inside a comma-joined list, so it cannot itself hold a comma. */
export const ListItemId = Schema.String.pipe(
  Schema.pattern(/^[^,]+$/, { message: () => "must be non-empty and contain no comma" })
)

export const IdList = (description: string) =>
  Schema.Array(ListItemId).pipe(Schema.minItems(1)).annotations({ description })

export const Int = (min: number, max?: number) =>
  max === undefined
    ? Schema.Number.pipe(Schema.int(), Schema.greaterThanOrEqualTo(min))
    : Schema.Number.pipe(Schema.int(), Schema.between(min, max))

export const NonNegativeInt = Int(0)

export const Amount = Schema.Number.pipe(Schema.finite(), Schema.nonNegative())

export const Duration = Schema.String.pipe(
  Schema.pattern(/^\d+(s|m|h|d|w|mo)$/, {
    message: () => "must be a LiteLLM duration such as 30s, 30m, 30h, 30d or 1mo"
  })
)

export const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })

export const StringList = Schema.Array(NonEmptyString)

export const Page = Int(1).annotations({ description: "Page number, from 1." })

export const SortOrder = Schema.Literal("asc", "desc")

export const Sha256Hex = /^[0-9a-f]{64}$/

/** A virtual key as LiteLLM accepts it wherever it "hashes if needed": raw `sk-…` or its hash. */
export const KeyOrHash = Schema.String.pipe(
  Schema.filter((s) => s.startsWith("sk-") && s.length > 3 || Sha256Hex.test(s), {
    message: () => "must be a raw key (sk-…) or its 64-character lowercase hex sha256 hash",
    jsonSchema: { pattern: "^(sk-.+|[0-9a-f]{64})$" }
  })
)
