// LiteLLM's own error texts echo key material: the key as sent ("sk-...abcd" or whole) and the
// sha256 of an unknown key. Neither may travel on to an agent's transcript or to a log.
const KEY = /sk-[A-Za-z0-9_\-.]*/g
const HASH = /\b[0-9a-f]{64}\b/g

export const redactKeys = (text: string): string => text.replace(KEY, "[redacted key]")

/** Also hides key hashes: for LiteLLM's texts, where a hash identifies the caller's own key. */
export const redactKeysAndHashes = (text: string): string => redactKeys(text).replace(HASH, "[redacted hash]")

export const redactDeep = (value: unknown, redact: (text: string) => string): unknown => {
  if (typeof value === "string") return redact(value)
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact))
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redact)]))
  }
  return value
}
