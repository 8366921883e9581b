import { FiberRef, Option, Redacted } from "effect"

/**
 * The caller's own `Authorization` header value, exactly as it arrived. It is set where the HTTP
 * request enters and read only where a LiteLLM request leaves, so the server never holds a key of
 * its own and one caller's key can never reach another caller's LiteLLM call.
 */
export const CallerToken: FiberRef.FiberRef<Option.Option<Redacted.Redacted<string>>> = FiberRef.unsafeMake(
  Option.none()
)

// LiteLLM itself insists on the exact `Bearer ` prefix; a virtual or master key starts with `sk-`.
const BEARER_SK = /^Bearer sk-[\x21-\x7e]+$/

export const parseAuthorization = (header: string | undefined): Option.Option<Redacted.Redacted<string>> =>
  header !== undefined && BEARER_SK.test(header) ? Option.some(Redacted.make(header)) : Option.none()
