import { NodeHttpClient } from "@effect/platform-node"
import { Duration, Effect, Layer } from "effect"
import { Agent, type Dispatcher } from "undici"
import { AppConfig } from "./AppConfig.js"

/** What a LiteLLM request fails with when LITELLM_TIMEOUT_MS passes before its answer is complete. */
export class DeadlineExceeded extends Error {
  readonly code = "LITELLM_TIMEOUT"
}

/** True when `cause`, or one it wraps, says the request ran out of time (to connect, or in all). */
export const isDeadline = (cause: unknown): boolean => {
  for (let c = cause, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    if (c instanceof DeadlineExceeded || (c as NodeJS.ErrnoException).code === "UND_ERR_CONNECT_TIMEOUT") return true
  }
  return false
}

/**
 * One request's deadline, from dispatch to the last byte of the body. It runs inside undici, on
 * the fiber's own request: `Effect.timeoutFail` around each call forked two fibers and merged
 * their FiberRefs back, 7–10% of a tool call's CPU.
 */
class DeadlineHandler implements Dispatcher.DispatchHandler {
  readonly #inner: Dispatcher.DispatchHandler
  readonly #timer: NodeJS.Timeout
  #controller: Dispatcher.DispatchController | undefined
  #expired = false

  constructor(inner: Dispatcher.DispatchHandler, ms: number) {
    this.#inner = inner
    this.#timer = setTimeout(() => {
      this.#expired = true
      this.#controller?.abort(new DeadlineExceeded(`no complete answer within ${ms} ms`))
    }, ms)
    // The request's socket keeps the process alive while it matters; the deadline never should.
    this.#timer.unref()
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#controller = controller
    // Expired while connecting (the connect timeout is the same length, so only just).
    if (this.#expired) controller.abort(new DeadlineExceeded("no connection within the deadline"))
    this.#inner.onRequestStart?.(controller, context)
  }

  onRequestUpgrade(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onRequestUpgrade"]>>): void {
    this.#inner.onRequestUpgrade?.(...args)
  }

  onResponseStart(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onResponseStart"]>>): void {
    this.#inner.onResponseStart?.(...args)
  }

  onResponseData(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onResponseData"]>>): void {
    this.#inner.onResponseData?.(...args)
  }

  onResponseEnd(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onResponseEnd"]>>): void {
    clearTimeout(this.#timer)
    this.#inner.onResponseEnd?.(...args)
  }

  onResponseError(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onResponseError"]>>): void {
    clearTimeout(this.#timer)
    this.#inner.onResponseError?.(...args)
  }
}

/**
 * The undici agent behind the LiteLLM client: keep-alive connections, and LITELLM_TIMEOUT_MS as
 * both the connect timeout and each request's total deadline.
 */
export const layer = Layer.scoped(
  NodeHttpClient.Dispatcher,
  Effect.gen(function*() {
    const ms = Duration.toMillis((yield* AppConfig).litellmTimeout)
    const agent = yield* Effect.acquireRelease(
      Effect.sync(() => new Agent({ connect: { timeout: ms } })),
      (agent) => Effect.promise(() => agent.destroy())
    )
    return agent.compose((dispatch) => (options, handler) => dispatch(options, new DeadlineHandler(handler, ms)))
  })
)
