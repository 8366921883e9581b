// A parsed JSON answer of LiteLLM's is passed on only if every step after this one can carry it:
// the shape checks, the redaction and the result's size walk recurse, and a number JSON.parse
// read as Infinity would come out as null, a changed value.

/** The deepest nesting an answer may have; LiteLLM's own answers are a few levels deep. */
export const MAX_DEPTH = 64

/** Why this value cannot be passed on as it came, or undefined when it can. Iterative: any depth is safe here. */
export const unrepresentable = (value: unknown, maxDepth: number = MAX_DEPTH): string | undefined => {
  const stack: Array<readonly [unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return "it holds a number too large for JSON to carry"
      continue
    }
    if (typeof v !== "object" || v === null) continue
    if (depth >= maxDepth) return `it is nested deeper than ${maxDepth} levels`
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1])
  }
  return undefined
}
