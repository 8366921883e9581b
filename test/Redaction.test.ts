import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { createHash } from "node:crypto"
import { parseErrorBody } from "../src/litellm/ErrorBody.js"
import { redactAndCut, redactDeep, redactKeys, redactKeysAndHashes, redactSecret } from "../src/litellm/Redaction.js"

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex")

// Any key an operator could choose: printable ASCII but for what ends a token in text.
const KeyChars = fc.stringMatching(/^[!#$%&*+\-./0-9:=?@A-Z^_a-z|~]{1,40}$/)
const Key = KeyChars.map((rest) => `sk-${rest}`)
const Text = fc.string({ maxLength: 40 }).map((s) => s.replace(/sk/g, "xx"))

// The key itself, or any 8-character piece of it past the prefix, must not survive.
const leaks = (output: string, key: string) =>
  output.includes(key) || (key.length >= 11 && output.includes(key.slice(3, 11)) && !"[redacted key]".includes(key.slice(3, 11)))

// Every key the edge accepts: `Bearer sk-` and any printable ASCII after it, delimiters included.
const AnyKey = fc.stringMatching(/^[\x21-\x7e]{1,40}$/).map((rest) => `sk-${rest}`)

describe("redaction", () => {
  it.prop("a text cut to a limit leaves no part of a hash or key that crosses the cut", [
    fc.integer({ min: 0, max: 400 }),
    fc.integer({ min: 100, max: 300 }),
    Key
  ], ([at, max, key]) => {
    const hash = sha256(key)
    for (const secret of [hash, key]) {
      const text = `${"x".repeat(at)}${secret}${"y".repeat(50)}`
      const out = redactAndCut(text, max)
      expect(out).not.toMatch(/[0-9a-f]{16}/)
      if (key.length > 12) expect(out).not.toContain(key.slice(3, 12))
    }
  })

  it.prop("the caller's own key, of any character the edge accepts, is hidden whole as sent, URL-encoded or JSON-escaped", [Text, AnyKey, Text], ([a, key, b]) => {
    for (const form of [key, encodeURIComponent(key), JSON.stringify(key).slice(1, -1)]) {
      const out = redactKeysAndHashes(redactSecret(`${a}${form}${b}`, key))
      expect(out.includes(form)).toBe(false)
      // Nothing of it past the prefix survives either: not a single run of 6 of its characters.
      const rest = key.slice(3)
      if (rest.length >= 6 && !`${a}${b}[redacted key]`.includes(rest.slice(0, 6))) expect(out).not.toContain(rest.slice(0, 6))
    }
  })

  it.prop("a key with any printable characters, anywhere in a text, is redacted", [Text, Key, Text], ([a, key, b]) => {
    expect(leaks(redactKeys(`${a} ${key} ${b}`), key)).toBe(false)
    expect(leaks(redactKeys(`${a}"${key}"${b}`), key)).toBe(false)
  })

  it.prop("a URL-encoded key is redacted", [Key], ([key]) => {
    const encoded = encodeURIComponent(key)
    expect(redactKeys(`/mcp?api_key=${encoded}&x=1`)).not.toContain(encoded)
  })

  it.prop("a key or hash used as a JSON object key is redacted", [Key], ([key]) => {
    const hash = sha256(key)
    const text = JSON.stringify(redactDeep({ [key]: { [hash]: [key] } }, redactKeysAndHashes))
    expect(text).not.toContain(key)
    expect(text).not.toContain(hash)
  })

  it.prop("a hash in either case, glued to a word or inside a longer hex run, is redacted", [
    fc.stringMatching(/^[0-9a-f]{64}$/),
    fc.constantFrom("", "x", "a", "token=", "Z9", "ab12")
  ], ([hash, before]) => {
    for (const form of [hash, hash.toUpperCase()]) {
      const out = redactKeysAndHashes(`${before}${form}tail`)
      expect(out).not.toContain(form.slice(0, 16))
      expect(out).not.toContain(form.slice(48))
    }
  })

  it.prop("a cut never leaves part of a key or hash behind", [Key, fc.integer({ min: 0, max: 200 })], ([key, cutAt]) => {
    const hash = sha256(key)
    const text = `${"-".repeat(cutAt)} ${key} ${hash} end`
    const out = redactAndCut(text, cutAt + 20)
    expect(leaks(out, key)).toBe(false)
    expect(out).not.toMatch(/[0-9a-f]{12}/)
  })

  it.prop("LiteLLM's error bodies, redacted as they enter, yield no key or hash in message or detail", [Key], ([key]) => {
    const hash = sha256(key)
    const body = JSON.stringify({
      error: { message: `Authentication Error, Invalid proxy server token passed. Received API Key = ${key}, Key Hash (Token) =${hash}`, code: "401" },
      [key]: hash
    })
    const { message, detail } = parseErrorBody(401, redactKeysAndHashes(body))
    const text = JSON.stringify({ message, detail })
    expect(text).not.toContain(key)
    expect(text).not.toContain(hash)
    expect(message).toContain("Invalid proxy server token")
  })
})
