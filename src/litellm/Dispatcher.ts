import { NodeHttpClient } from "@effect/platform-node"
import { Duration, Effect, Layer } from "effect"
import { Agent, type Dispatcher } from "undici"
import { AppConfig } from "../config/AppConfig.js"
import { LiteLlmAnswerTooLarge, LiteLlmTimeout } from "./Errors.js"

/**
 * One request's limits, enforced inside undici on the fiber's own request: its deadline, from
 * dispatch to the last byte of the body, and the size of its answer. In Effect, a timeout forks
 * fibers and a capped stream runs a channel for every call (docs/PERFORMANCE.md).
 */
class LimitsHandler implements Dispatcher.DispatchHandler {
  readonly #inner: Dispatcher.DispatchHandler
  readonly #timer: NodeJS.Timeout
  readonly #maxBytes: number
  readonly #url: string
  readonly #ms: number
  #received = 0
  #status = 0
  #controller: Dispatcher.DispatchController | undefined
  #expired = false

  constructor(inner: Dispatcher.DispatchHandler, url: string, ms: number, maxBytes: number) {
    this.#inner = inner
    this.#url = url
    this.#ms = ms
    this.#maxBytes = maxBytes
    this.#timer = setTimeout(() => {
      this.#expired = true
      this.#controller?.abort(this.#timeout())
    }, ms)
    // The request's socket keeps the process alive while it matters; the deadline never should.
    this.#timer.unref()
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#controller = controller
    // Expired while connecting (the connect timeout is the same length, so only just).
    if (this.#expired) controller.abort(this.#timeout())
    this.#inner.onRequestStart?.(controller, context)
  }

  onRequestUpgrade(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onRequestUpgrade"]>>): void {
    this.#inner.onRequestUpgrade?.(...args)
  }

  onResponseStart(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onResponseStart"]>>): void {
    const [controller, status, headers] = args
    this.#status = status
    // A stated length over the limit ends the request before a byte of the body is read.
    if (Number(headers["content-length"] ?? 0) > this.#maxBytes) return controller.abort(this.#tooLarge())
    this.#inner.onResponseStart?.(...args)
  }

  onResponseData(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onResponseData"]>>): void {
    const [controller, chunk] = args
    this.#received += chunk.length
    if (this.#received > this.#maxBytes) return controller.abort(this.#tooLarge())
    this.#inner.onResponseData?.(...args)
  }

  // The request fails with the client's own typed errors: nothing has to recognise them later.
  #timeout() {
    return new LiteLlmTimeout({ url: this.#url, timeoutMs: this.#ms })
  }

  #tooLarge() {
    return new LiteLlmAnswerTooLarge({ url: this.#url, status: this.#status, maxBytes: this.#maxBytes })
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
 * The undici agent behind the LiteLLM client: keep-alive connections, LITELLM_TIMEOUT_MS as the
 * connect timeout and a read's total deadline, LITELLM_WRITE_TIMEOUT_MS as a change's (every POST
 * this server sends changes LiteLLM), and MAX_LITELLM_RESPONSE_BYTES.
 */
const layer = Layer.scoped(
  NodeHttpClient.Dispatcher,
  Effect.gen(function*() {
    const config = yield* AppConfig
    const ms = Duration.toMillis(config.litellmTimeout)
    const writeMs = Duration.toMillis(config.litellmWriteTimeout)
    const agent = yield* Effect.acquireRelease(
      // At most MAX_LITELLM_CONNECTIONS to LiteLLM, so a burst waits for a connection instead of
      // opening one per call; an idle one closes within uvicorn's own keep-alive (5 s).
      Effect.sync(() => new Agent({ connect: { timeout: ms }, connections: config.maxLitellmConnections, keepAliveTimeout: 4_000 })),
      (agent) => Effect.promise(() => agent.destroy())
    )
    return agent.compose((dispatch) => (options, handler) => dispatch(options, new LimitsHandler(
      handler,
      // Origin and path only: a query string may hold a key's hash.
      `${String(options.origin ?? "")}${options.path.split("?", 1)[0]}`,
      options.method === "GET" ? ms : writeMs,
      config.maxLitellmResponseBytes
    )))
  })
)

/** The HttpClient the LiteLLM client runs on: undici through the agent above. */
export const HttpClientLive = NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
  Layer.provide(layer),
  Layer.provide(AppConfig.Default)
)
