// A parsed JSON answer of LiteLLM's is passed on only if every step after this one can carry it:
// the shape checks, the redaction and the result's size walk recurse, and a number JSON.parse
// read as Infinity would come out as null, a changed value.

/** The deepest nesting an answer may have; LiteLLM's own answers are a few levels deep. */
export const MAX_DEPTH = 64

/** Why this value cannot be passed on as it came, or undefined when it can. Iterative: any depth is safe here. */
export const unrepresentable = (value: unknown, maxDepth: number = MAX_DEPTH): string | undefined => {
  // Two stacks side by side, and keys walked in place: every answer passes here, and a pair or a
  // list of values per object was most of what the walk allocated.
  const values: Array<unknown> = [value]
  const depths: Array<number> = [0]
  while (values.length > 0) {
    const v = values.pop()
    const depth = depths.pop()!
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return "it holds a number too large for JSON to carry"
      continue
    }
    if (typeof v !== "object" || v === null) continue
    if (depth >= maxDepth) return `it is nested deeper than ${maxDepth} levels`
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        values.push(v[i])
        depths.push(depth + 1)
      }
    } else {
      for (const key in v) {
        if (!Object.hasOwn(v, key)) continue
        values.push((v as Record<string, unknown>)[key])
        depths.push(depth + 1)
      }
    }
  }
  return undefined
}
