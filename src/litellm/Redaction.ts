// Key material must never travel on to an agent's transcript, a log or a trace: LiteLLM's error
// texts echo the key as sent ("sk-...abcd" or whole) and the sha256 of an unknown key, and a
// caller's own arguments may hold either. Redaction happens where such text enters the process.

// Anything after `sk-` up to a delimiter: LiteLLM's own keys are URL-safe base64, but an
// operator-chosen master key may hold any printable character, and a URL may carry it encoded.
const KEY = /sk(?:-|%2[dD])[^\s"'`<>()[\]{},;\\]*/g
// Any run of 64 or more hex digits, in either case and wherever it starts: a run glued to a word
// or longer than a hash is still a hash with something around it.
const HASH = /[0-9a-fA-F]{64,}/g

export const redactKeys = (text: string): string => text.replace(KEY, "[redacted key]")

/**
 * Hides one known key wherever it appears, as sent, URL-encoded or escaped inside a JSON string:
 * the pattern above stops at a delimiter, and an operator-chosen key may hold one.
 */
export const redactSecret = (text: string, secret: string): string => {
  let safe = text
  for (const form of new Set([JSON.stringify(secret).slice(1, -1), secret, encodeURIComponent(secret)])) {
    if (form.length > 0) safe = safe.split(form).join("[redacted key]")
  }
  return safe
}

/** Also hides key hashes: for LiteLLM's texts, where a hash identifies the caller's own key. */
export const redactKeysAndHashes = (text: string): string => redactKeys(text).replace(HASH, "[redacted hash]")

/** Redacts every string in a JSON value, object keys included. */
export const redactDeep = (value: unknown, redact: (text: string) => string): unknown => {
  if (typeof value === "string") return redact(value)
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact))
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v, redact)]))
  }
  return value
}

/** Redacts first, then cuts: a cut made first could leave part of a key or hash to escape. */
export const redactAndCut = (text: string, max: number, redact: (text: string) => string = redactKeysAndHashes): string => {
  const safe = redact(text)
  return safe.length > max ? `${safe.slice(0, max)}…` : safe
}
