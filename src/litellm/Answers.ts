import { Schema, SchemaAST as AST } from "effect"

// The shapes of LiteLLM's answers: lenient, since LiteLLM adds fields every release, and checked
// by the fields this server reads.

/** An object with at least these fields: LiteLLM adds fields every release, and they pass through. */
export const Open = <Fields extends Schema.Struct.Fields>(fields: Fields) =>
  Schema.Struct(fields, Schema.Record({ key: Schema.String, value: Schema.Unknown }))

/** How the key and model lists (`size`-paged routes) count their pages; older releases omit them. */
export const SizePaged = {
  total_count: Schema.optional(Schema.NullOr(Schema.Number)),
  current_page: Schema.optional(Schema.NullOr(Schema.Number)),
  total_pages: Schema.optional(Schema.NullOr(Schema.Number))
}

/**
 * What checking a LiteLLM answer against an `Open` schema needs: the named fields, without the
 * index signature. Extra fields are ignored either way, and matching each against `Unknown` (40
 * of them in every key object) is work for nothing. An object with no named fields keeps it:
 * without it, `{}` would accept any value at all.
 */
export const namedFieldsOnly = (ast: AST.AST): AST.AST => {
  switch (ast._tag) {
    case "TypeLiteral":
      return new AST.TypeLiteral(
        ast.propertySignatures.map((p) =>
          new AST.PropertySignature(p.name, namedFieldsOnly(p.type), p.isOptional, p.isReadonly, p.annotations)
        ),
        ast.propertySignatures.length > 0 ? [] : ast.indexSignatures,
        ast.annotations
      )
    case "Union":
      return AST.Union.make(ast.types.map(namedFieldsOnly), ast.annotations)
    case "TupleType":
      return new AST.TupleType(
        ast.elements.map((e) => new AST.OptionalType(namedFieldsOnly(e.type), e.isOptional, e.annotations)),
        ast.rest.map((r) => new AST.Type(namedFieldsOnly(r.type), r.annotations)),
        ast.isReadonly,
        ast.annotations
      )
    case "Refinement":
      return new AST.Refinement(namedFieldsOnly(ast.from), ast.filter, ast.annotations)
    default:
      return ast
  }
}
