import { FiberRef, Option, Redacted } from "effect"

/**
 * The caller's own LiteLLM key, from the `Authorization: Bearer` header it sent (or, in stdio
 * mode, LITELLM_API_KEY). It is set where the request enters (in the fiber the platform makes for
 * that request alone; the SDK runs each tool call on that request's runtime, which carries it) and read only
 * where a LiteLLM request leaves, as that request's bearer token: the server never holds a key of
 * its own, and one caller's key can never reach another caller's LiteLLM call.
 */
export const CallerToken: FiberRef.FiberRef<Option.Option<Redacted.Redacted<string>>> = FiberRef.unsafeMake(
  Option.none()
)

// LiteLLM itself insists on the exact `Bearer ` prefix; a virtual or master key starts with `sk-`.
const BEARER_SK = /^Bearer sk-[\x21-\x7e]+$/

/** The key of a `Bearer sk-…` header, or none. */
export const parseAuthorization = (header: string | undefined): Option.Option<Redacted.Redacted<string>> =>
  header !== undefined && BEARER_SK.test(header) ? Option.some(Redacted.make(header.slice("Bearer ".length))) : Option.none()
