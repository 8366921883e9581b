import { Duration, Effect, Layer } from "effect"
import { Agent, type Dispatcher } from "undici"
import { AppConfig } from "../config/AppConfig.js"
import { LiteLlmAnswerTooLarge, LiteLlmTimeout } from "./Errors.js"
import { type Answer, Transport } from "./Transport.js"

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

// Why a request was given up: its caller went away, or its answer will not be read.
const abandoned = () => new Error("the request was abandoned")

/** What of an answer is taken in before it is read, as a stream's buffer would (then it waits, paused). */
const UNREAD_BYTES = 64 * 1024

/**
 * One request's answer, collected without a stream: resumes the sender once the status and
 * headers are in, and the reader once the body has ended. The body flows on up to UNREAD_BYTES
 * before `text` asks for it (a small answer is then whole by the time it is read), and waits,
 * paused, past that. Chunks are joined once, at the end.
 */
class Collected implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined
  #abandoned = false
  #answered = false
  #ended = false
  #failure: { readonly cause: unknown } | undefined
  readonly #chunks: Array<Buffer> = []
  #unread = 0
  #reader: ((result: Effect.Effect<string, unknown>) => void) | undefined
  readonly #resume: (result: Effect.Effect<Answer, unknown>) => void

  constructor(resume: (result: Effect.Effect<Answer, unknown>) => void) {
    this.#resume = resume
  }

  readonly abandon = () => {
    this.#abandoned = true
    if (!this.#ended && this.#failure === undefined) this.#controller?.abort(abandoned())
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller
    if (this.#abandoned) controller.abort(abandoned())
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: Answer["headers"]): void {
    // An interim answer (100 Continue) is not the answer.
    if (status < 200) return
    this.#answered = true
    this.#resume(Effect.succeed({
      status,
      headers,
      // An answer already whole (the usual small one) is taken as it is: an async step would wait
      // a turn of the scheduler even when resumed at once.
      text: Effect.suspend(() => {
        if (this.#failure !== undefined) return Effect.fail(this.#failure.cause)
        if (this.#ended) return Effect.sync(() => this.#text())
        return Effect.async<string, unknown>((resume) => {
          this.#reader = resume
          if (controller.paused) controller.resume()
          return Effect.sync(this.abandon)
        })
      }),
      discard: this.abandon
    }))
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk)
    if (this.#reader === undefined && (this.#unread += chunk.length) > UNREAD_BYTES && !controller.paused) controller.pause()
  }

  onResponseEnd(): void {
    this.#ended = true
    this.#reader?.(Effect.sync(() => this.#text()))
  }

  onResponseError(_: Dispatcher.DispatchController, error: Error): void {
    this.#failure = { cause: error }
    if (!this.#answered) this.#resume(Effect.fail(error))
    else this.#reader?.(Effect.fail(error))
  }

  #text(): string {
    return this.#chunks.length === 1 ? this.#chunks[0]!.toString("utf8") : Buffer.concat(this.#chunks).toString("utf8")
  }
}

/**
 * The undici agent behind the LiteLLM client: keep-alive connections, LITELLM_TIMEOUT_MS as the
 * connect timeout and a read's total deadline, LITELLM_WRITE_TIMEOUT_MS as a change's (every POST
 * this server sends changes LiteLLM), and MAX_LITELLM_RESPONSE_BYTES. Requests go to undici's
 * dispatch() directly: an HttpClient's response stream, AbortController and per-answer caching
 * were most of what a LiteLLM request cost here (docs/PERFORMANCE.md).
 */
export const TransportLive = Layer.scoped(
  Transport,
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
    const dispatcher = agent.compose((dispatch) => (options, handler) => dispatch(options, new LimitsHandler(
      handler,
      // Origin and path only: a query string may hold a key's hash.
      `${String(options.origin ?? "")}${options.path.split("?", 1)[0]}`,
      options.method === "GET" ? ms : writeMs,
      config.maxLitellmResponseBytes
    )))
    return {
      send: (request) =>
        Effect.async<Answer, unknown>((resume) => {
          const collected = new Collected(resume)
          try {
            dispatcher.dispatch({
              origin: request.url.origin,
              path: request.url.pathname + request.url.search,
              method: request.method as Dispatcher.HttpMethod,
              headers: request.headers,
              body: request.body ?? null,
              // LimitsHandler's deadline is the one that counts, as for the platform's client.
              headersTimeout: 60 * 60 * 1000,
              bodyTimeout: 0
            }, collected)
          } catch (cause) {
            // Undici hands most invalid requests to the handler; whatever it throws instead is this request's failure.
            resume(Effect.fail(cause))
          }
          return Effect.sync(collected.abandon)
        })
    }
  })
).pipe(Layer.provide(AppConfig.Default))
