import { Context, type Effect } from "effect"

/** One request to LiteLLM as it leaves: its headers are complete (the caller's key among them). */
export interface Outgoing {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  /** JSON text, for a request with a body. */
  readonly body: string | undefined
}

/**
 * LiteLLM's answer once its status and headers are in. The body is not read until `text` is
 * run (so an answer waits for room before it is held), and `discard` gives up an answer that will
 * never be read.
 */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  /** The whole body as UTF-8 text; run once. Fails with the transport's cause, as `send` does. */
  readonly text: Effect.Effect<string, unknown>
  readonly discard: () => void
}

/**
 * What carries the LiteLLM client's requests: undici in the running server (Dispatcher.ts), the
 * sandbox in process in resource tests (sandbox/InProcess.ts). A failure is the transport's own
 * cause (a socket error, or the client's typed deadline and size errors), which the client names.
 */
export class Transport extends Context.Tag("app/LiteLlmTransport")<Transport, {
  readonly send: (request: Outgoing) => Effect.Effect<Answer, unknown>
}>() {}
