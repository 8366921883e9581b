import * as Envelope from "./Envelope.js"
import { ResultTooLarge } from "./Errors.js"

/** An envelope and its JSON text, made once: the text is what the result carries. */
export interface Fitted {
  readonly envelope: Envelope.Envelope
  readonly text: string
}

/** Where a paged tool keeps its items and which arguments page them. */
export interface Paging {
  readonly items: string
  readonly page: string
  readonly size: string
  readonly defaultSize: number
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), "utf8")

const fitted = (envelope: Envelope.Envelope): Fitted => ({ envelope, text: JSON.stringify(envelope) })

const largestFitting = (fits: (k: number) => boolean, upTo: number) => {
  let low = 0
  let high = upTo
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (fits(mid)) low = mid
    else high = mid - 1
  }
  return low
}

const SHORT_FIELD = 512

/**
 * A write has happened once LiteLLM answered 2xx, so an answer too large to return is still a
 * success: its short top-level fields (a new raw key, ids, hashes) and a warning. If even those do
 * not fit, the raw key alone.
 */
const writeSummary = (data: unknown, size: number, max: number): Envelope.Envelope => {
  const warning = `LiteLLM carried out the change, but its answer (${size} bytes) is over MAX_RESULT_BYTES (${max}): ` +
    "only its short fields are here; read the object with its info tool."
  const fields = typeof data === "object" && data !== null && !Array.isArray(data) ? data as Record<string, unknown> : {}
  const short = Object.fromEntries(
    Object.entries(fields).filter(([, v]) => (v === null || typeof v !== "object") && JSON.stringify(v).length <= SHORT_FIELD)
  )
  const summary: Envelope.Envelope = { success: true, data: { ...short, warning } }
  if (bytes(summary) <= max) return summary
  return { success: true, data: typeof fields["key"] === "string" ? { key: fields["key"], warning } : { warning } }
}

/**
 * An envelope whose JSON fits in `max` bytes. A page that does not fit is cut to its longest
 * prefix that does, of a length that divides the page's offset, so `next` names a page that
 * starts exactly at the first item left out. What cannot be cut becomes an error saying so:
 * never a partial JSON text.
 */
export const fit = (
  envelope: Envelope.Envelope,
  max: number,
  paging: Paging | undefined,
  args: Readonly<Record<string, unknown>>,
  write = false
): Fitted => {
  const text = JSON.stringify(envelope)
  // A UTF-16 unit is at most 3 UTF-8 bytes: count bytes only when it might matter.
  if (text.length * 3 <= max) return { envelope, text }
  const size = Buffer.byteLength(text, "utf8")
  if (size <= max) return { envelope, text }
  if (write && envelope.success) return fitted(writeSummary(envelope.data, size, max))
  const data = envelope.success ? envelope.data as Record<string, unknown> : undefined
  const items = paging === undefined || data === undefined ? undefined : data[paging.items]
  if (paging !== undefined && data !== undefined && Array.isArray(items) && items.length > 1) {
    const page = typeof args[paging.page] === "number" ? args[paging.page] as number : 1
    const size = typeof args[paging.size] === "number" ? args[paging.size] as number : paging.defaultSize
    const offset = (page - 1) * size
    const cut = (k: number, taken: ReadonlyArray<unknown> = items.slice(0, k)): Envelope.Envelope => ({
      success: true,
      data: {
        ...data,
        [paging.items]: taken,
        truncated: true,
        returned: k,
        next: { [paging.page]: offset / k + 2, [paging.size]: k },
        note: `Only ${k} of this page's ${items.length} items fit in MAX_RESULT_BYTES (${max}); ask for next to continue.`
      }
    })
    // A cut's size is its frame (the page without items) plus its items and their commas: each item
    // is measured once, not once per try (a 8 MiB page tried 15 times held the loop for 0.4 s).
    const prefix = [0]
    for (const item of items) prefix.push(prefix.at(-1)! + bytes(item))
    const frame = (k: number) => bytes(cut(k, []))
    const fits = largestFitting((k) => frame(k) + prefix[k]! + Math.max(0, k - 1) <= max, items.length - 1)
    let k = fits
    while (k > 0 && offset % k !== 0) k--
    if (k > 0) return fitted(cut(k))
  }
  return fitted(Envelope.fromError(new ResultTooLarge({ bytes: size, max })))
}
