// Key material must never travel on to an agent's transcript, a log or a trace: LiteLLM's error
// texts echo the key as sent ("sk-...abcd" or whole) and the sha256 of an unknown key, and a
// caller's own arguments may hold either. Redaction happens where such text enters the process.

// Anything after `sk-` up to a delimiter (at least one character: the bare prefix, as in "starting
// with sk-", is no key): LiteLLM's own keys are URL-safe base64, but an
// operator-chosen master key may hold any printable character, and a URL may carry it encoded.
const KEY = /sk(?:-|%2[dD])[^\s"'`<>()[\]{},;\\]+/g
// Any run of 64 or more hex digits, in either case and wherever it starts: a run glued to a word
// or longer than a hash is still a hash with something around it. Tried only where a run begins,
// so a long text of runs one digit short costs one pass, not one per digit.
const HASH = /(?<![0-9a-fA-F])[0-9a-fA-F]{64,}/g

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

// Kept past the cut while redacting, then dropped: a hash that crosses the cut is still whole
// here, and a key is caught by its prefix whatever follows.
const CUT_MARGIN = 256

/**
 * Cuts to the limit with a margin, redacts, then cuts to the limit: redaction costs a bounded
 * time however long the text, and no part of a key or hash escapes at the cut.
 */
export const redactAndCut = (text: string, max: number, redact: (text: string) => string = redactKeysAndHashes): string => {
  const safe = redact(text.length > max + CUT_MARGIN ? text.slice(0, max + CUT_MARGIN) : text)
  return safe.length > max ? `${safe.slice(0, max)}…` : safe
}
