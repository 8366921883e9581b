import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { ErrorCode, isJSONRPCRequest, McpError } from "@modelcontextprotocol/sdk/types.js"
import { Effect, Either, Layer, Option, Redacted, Runtime, Schedule, Schema } from "effect"
import * as Logging from "../observability/Logging.js"
import * as Tracing from "../observability/Tracing.js"
import * as Tools from "../resources/Tools.js"
import { AppConfig, requireMode } from "../config/AppConfig.js"
import { CallerToken } from "../litellm/CallerToken.js"
import type { LiteLlmApiError, LiteLlmError } from "../litellm/Errors.js"
import { sha256Hex } from "../litellm/KeyHash.js"
import { LiteLlm } from "../litellm/LiteLlm.js"
import * as McpServer from "../mcp/McpServer.js"
import { protoKeyError, protoKeyPath } from "../mcp/ProtoKeys.js"
import { accessOf, type Admission, CallerCheck, isKeyRefusal } from "../resources/Caller.js"
import { redactKeys } from "../litellm/Redaction.js"
import { ToolPolicy } from "../mcp/ToolPolicy.js"

/** The stdio transport closed on an error of its own, not because the client closed stdin. */
export class StdioClosed extends Schema.TaggedError<StdioClosed>()("StdioClosed", { reason: Schema.String }) {
  override get message() {
    return `the stdio transport closed: ${this.reason}`
  }
}

/**
 * The same tools over stdin/stdout, for desktop clients that launch servers as child processes,
 * until the client closes stdin. No request carries a header here, so the operator's
 * LITELLM_API_KEY enters the same CallerToken the HTTP edge sets, for this one client's session.
 */
export const serve = Effect.gen(function*() {
  const config = yield* AppConfig
  yield* requireMode(config, "stdio")
  const token = config.litellmApiKey
  const { policy } = yield* ToolPolicy
  const callers = yield* CallerCheck
  const runtime = yield* Effect.runtime<never>()
  const log = Runtime.runFork(runtime)
  const check = Effect.locally(
    callers.admit(sha256Hex(Option.match(token, { onNone: () => "", onSome: Redacted.value }))),
    CallerToken,
    token
  )
  const checked = () => Runtime.runPromise(runtime)(Effect.either(check))
  // What LiteLLM says of the key, said at start-up where the operator looks: stderr.
  yield* Effect.flatMap(Effect.either(check), Either.match({
    onLeft: (error) =>
      isKeyRefusal(error)
        ? Effect.logError(`${refusedText(error)}; every request will fail until LITELLM_API_KEY is fixed`)
        : Effect.logWarning(`could not check LITELLM_API_KEY with LiteLLM: ${error.message}`),
    onRight: (admission) => Effect.logInfo(`LiteLLM accepts LITELLM_API_KEY (${describe(admission)})`)
  }))
  const listed = async () => {
    const result = await checked()
    if (Either.isLeft(result)) {
      const { code, message } = asRpcError(result.left)
      throw new McpError(code, message)
    }
    return config.tailor ? policy.listedFor(accessOf(result.right)) : policy.definitions
  }
  const server = McpServer.single({
    runtime: yield* Effect.locally(Effect.runtime<LiteLlm>(), CallerToken, token),
    policy,
    // The route tier's "may this key call it", from the same kept check.
    limits: { ...McpServer.limitsOf(config), caller: Effect.map(Effect.either(check), Either.match({ onLeft: () => undefined, onRight: accessOf })) },
    listed
  })
  const transport = new StdioServerTransport()
  // The transport reports a bad line (not JSON, or over the SDK's 10 MiB line limit) here, and for
  // the second it then closes: said on stderr, so a stop is never silent.
  let lastError: Error | undefined
  server.onerror = (error) => {
    lastError = error
    log(Effect.logWarning(`stdio: ${redactKeys(error.message)}`))
  }
  // A last line without its newline is no message: said, not dropped without a word.
  let partial = false
  process.stdin.on("data", (chunk: Buffer) => {
    partial = chunk.at(-1) !== 0x0a
  })
  // One answer may wait on stdout's drain per request in flight: as many listeners, no warning.
  process.stdout.setMaxListeners(config.maxCallsInFlight + 16)
  const closed = Effect.async<void, StdioClosed>((resume) => {
    let ended = false
    process.stdin.once("end", () => {
      ended = true
      if (partial) log(Effect.logWarning("stdio: the input ended inside a line (no newline after it); that line was not read"))
      resume(Effect.void)
    })
    // The client stopped reading: the session is over, and the answers still due have no reader.
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") return
      ended = true
      log(Effect.logWarning("stdio: the client closed its end of stdout; stopping"))
      // Nothing more can be answered: stop reading too, or an open stdin keeps the process alive.
      process.stdin.destroy()
      resume(Effect.void)
    })
    transport.onclose = () =>
      resume(ended || lastError === undefined ? Effect.void : Effect.fail(new StdioClosed({ reason: redactKeys(lastError.message) })))
  })
  yield* Effect.acquireRelease(Effect.promise(() => server.connect(transport)), () => Effect.promise(() => server.close()))
  // Requests whose answer has not been written yet. On stdin's end or SIGTERM they finish and are
  // answered (within SHUTDOWN_GRACE_MS) before the LiteLLM client closes: a change under way is
  // never cut off unanswered. Runs before the server closes, a finalizer added after its own.
  const pending = new Set<string | number>()
  const send = transport.send.bind(transport)
  transport.send = (message) => {
    if ("id" in message && !("method" in message) && message.id !== undefined) pending.delete(message.id)
    return send(message)
  }
  yield* Effect.addFinalizer(() => {
    if (pending.size === 0) return Effect.void
    const started = Date.now()
    const idle = Effect.repeat(Effect.sync(() => pending.size), { until: (n) => n === 0, schedule: Schedule.spaced("20 millis") })
    return Effect.logInfo(`stopping: waiting for ${pending.size} request(s) in flight`).pipe(
      // Interruptible inside the finalizer, or the grace would bound nothing.
      Effect.zipRight(Effect.timeout(Effect.interruptible(idle), config.shutdownGrace)),
      Effect.zipRight(Effect.logInfo(`stopped after the drain (${Date.now() - started} ms)`)),
      Effect.catchTag("TimeoutException", () =>
        Effect.logWarning(`shutdown grace period over; ${pending.size} request(s) abandoned, their answers not written`))
    )
  })
  // initialize is answered by the SDK itself: a key LiteLLM refuses is answered here instead, so
  // the client shows the refusal when it connects, as over HTTP.
  const deliver = transport.onmessage!
  transport.onmessage = (message) => {
    if (isJSONRPCRequest(message) && message.method === "tools/call") {
      const path = protoKeyPath((message.params as { arguments?: unknown } | undefined)?.arguments)
      if (path !== undefined) return void transport.send({ jsonrpc: "2.0", id: message.id, error: protoKeyError(path) })
    }
    if (isJSONRPCRequest(message)) pending.add(message.id)
    if (!isJSONRPCRequest(message) || message.method !== "initialize") return deliver(message)
    void checked().then((result) =>
      Either.isRight(result)
        ? deliver(message)
        : transport.send({ jsonrpc: "2.0", id: message.id, error: asRpcError(result.left) })
    )
  }
  yield* Effect.logInfo("serving MCP on stdio")
  yield* closed
}).pipe(Effect.scoped)

const refusedText = (error: LiteLlmApiError) => `LiteLLM refused LITELLM_API_KEY (HTTP ${error.status}): ${error.message}`

// A failed check as a JSON-RPC error: an authentication problem (as over HTTP) when LiteLLM refused the key.
const asRpcError = (error: LiteLlmError) =>
  isKeyRefusal(error)
    ? { code: -32001, message: refusedText(error) }
    : { code: ErrorCode.InternalError, message: `Could not check LITELLM_API_KEY with LiteLLM: ${error.message}` }

const describe = (admission: Admission): string =>
  admission._tag === "Undescribed"
    ? admission.status === 404
      ? "its master key, or a key it keeps no row for"
      : `it would not describe it (HTTP ${admission.status}), so its role is in doubt`
    : `user ${admission.userId ?? "none"}, role ${admission.role ?? "none"}`

/** Stdio mode as it runs: the LiteLLM client, the operator's policy, logs and traces on stderr. */
export const run = serve.pipe(
  Effect.provide(
    Layer.mergeAll(CallerCheck.Default, ToolPolicy.Default, Logging.layer({ stderr: true }), Tracing.layer).pipe(
      Layer.provideMerge(LiteLlm.Live),
      Layer.provideMerge(Layer.merge(AppConfig.Default, Tools.layer))
    )
  )
)
