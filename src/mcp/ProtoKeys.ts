// JSON may name a key "__proto__"; the SDK's argument parsing then assigns it as an object's
// prototype and the argument vanishes without a word (a metadata entry, or a misspelt argument
// that would otherwise be refused). Both edges look for one in the parsed message first.

const MAX_STEPS = 20_000

/** Where the first "__proto__" key in a parsed JSON value is, as a path, or undefined. */
export const protoKeyPath = (value: unknown): string | undefined => {
  const stack: Array<readonly [unknown, string]> = [[value, ""]]
  for (let steps = 0; stack.length > 0 && steps < MAX_STEPS; steps++) {
    const [v, path] = stack.pop()!
    if (typeof v !== "object" || v === null) continue
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, `${path}[${i}]`]))
      continue
    }
    for (const key of Object.keys(v)) {
      const at = path === "" ? key : `${path}.${key}`
      if (key === "__proto__") return at
      stack.push([(v as Record<string, unknown>)[key], at])
    }
  }
  return undefined
}

/** The JSON-RPC error for a tool call whose arguments hold one. */
export const protoKeyError = (path: string) => ({
  code: -32602,
  message: `Invalid params: arguments.${path}: "__proto__" is not a name this server accepts, as an argument or as a key`
})
