import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck as fc, Schema, SchemaAST as AST } from "effect"
import { Int } from "../src/mcp/Schemas.js"
import { namedFieldsOnly, Open } from "../src/litellm/Answers.js"
import * as Tools from "../src/resources/Tools.js"

// LiteLLM answers are checked with their Open schemas' named fields only (faster); these are the
// shapes those schemas take: required, optional and nullable fields, refinements, Open objects
// nested in arrays and unions, and Open objects with no required field (or none at all).
const Row = Open({
  token: Schema.String,
  key_alias: Schema.optional(Schema.NullOr(Schema.String)),
  spend: Schema.optional(Int(0))
})
const shapes: Record<string, Schema.Schema.AnyNoContext> = {
  row: Row,
  list: Open({ keys: Schema.Array(Schema.Union(Schema.String, Row)), total_pages: Schema.optional(Schema.NullOr(Schema.Number)) }),
  nested: Open({ key: Schema.String, info: Open({}) }),
  allOptional: Open({ user_id: Schema.optional(Schema.String), teams: Schema.optional(Schema.Array(Row)) }),
  rows: Schema.Array(Row)
}

const accepts = (schema: Schema.Schema.AnyNoContext) => {
  const validate = Schema.validateEither(schema)
  return (u: unknown) => Either.isRight(validate(u))
}

describe("namedFieldsOnly", () => {
  for (const [name, schema] of Object.entries(shapes)) {
    const open = accepts(schema)
    const closed = accepts(Schema.make(namedFieldsOnly(AST.typeAST(schema.ast))))
    const valid = Arbitrary.make(schema) as fc.Arbitrary<unknown>
    // Valid answers, the same with LiteLLM's extra fields added, and JSON of any shape.
    const withExtras = fc.tuple(valid, fc.dictionary(fc.string(), fc.jsonValue())).map(([v, extra]) =>
      typeof v === "object" && v !== null && !Array.isArray(v) ? { ...extra, ...v } : v
    )
    const anyAnswer = fc.oneof(valid, withExtras, fc.jsonValue(), fc.array(fc.jsonValue()))

    it.prop(`${name}: accepts exactly what the Open schema accepts`, [anyAnswer], ([answer]) => {
      expect(closed(answer)).toBe(open(answer))
    })
  }

  it("still refuses what the Open schema refuses", () => {
    const closed = accepts(Schema.make(namedFieldsOnly(AST.typeAST(shapes["list"]!.ast))))
    expect(closed({ keys: [{ key_alias: "no token" }] })).toBe(false)
    expect(closed({ keys: [{ token: 1 }] })).toBe(false)
    expect(closed({ keys: [], total_pages: "2" })).toBe(false)
    expect(closed([])).toBe(false)
    expect(closed({ keys: ["h", { token: "t", extra: [1, 2] }], more: {} })).toBe(true)
    const nested = accepts(Schema.make(namedFieldsOnly(AST.typeAST(shapes["nested"]!.ast))))
    expect(nested({ key: "k", info: "not an object" })).toBe(false)
    expect(nested({ key: "k", info: { anything: 1 } })).toBe(true)
  })
})

// What MCP Inspector's portability check flags, over every schema every tool advertises: a schema
// with no keyword at all (it constrains nothing, and some clients reject it) and a `type` array
// (clients that map tools onto a one-type dialect, such as Gemini's, reject or drop it).
describe("advertised schemas", () => {
  const problems = (schema: unknown, path: string, found: Array<string>): Array<string> => {
    if (Array.isArray(schema)) schema.forEach((s, i) => problems(s, `${path}[${i}]`, found))
    else if (typeof schema === "object" && schema !== null) {
      const record = schema as Record<string, unknown>
      if (Array.isArray(record["type"])) found.push(`${path}: type array`)
      for (const [key, value] of Object.entries(record)) {
        const nested = key === "properties" || key === "$defs"
          ? Object.entries(value as Record<string, unknown>)
          : key === "items" || key === "additionalProperties" || key === "not"
          ? [["", value] as const]
          : key === "anyOf" || key === "oneOf" || key === "allOf"
          ? (value as Array<unknown>).map((v, i) => [`${i}`, v] as const)
          : []
        for (const [name, sub] of nested) {
          const at = `${path}.${key}${name === "" ? "" : `.${name}`}`
          if (typeof sub === "object" && sub !== null && Object.keys(sub).length === 0) found.push(`${at}: {}`)
          problems(sub, at, found)
        }
      }
    }
    return found
  }

  it("carry no empty schema and no type array", () => {
    const found = Tools.all.flatMap((t) => [
      ...problems(t.definition.inputSchema, `${t.definition.name}.inputSchema`, []),
      ...problems(t.definition.outputSchema, `${t.definition.name}.outputSchema`, [])
    ])
    expect(found).toEqual([])
  })
})
