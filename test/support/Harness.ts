import { HttpServer } from "@effect/platform"
import { afterEach, expect } from "@effect/vitest"
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import {
  ConfigProvider,
  Context,
  Duration,
  Effect,
  FiberId,
  FiberRefs,
  Layer,
  Logger,
  Option,
  Redacted,
  Runtime,
  type Scope
} from "effect"
import { CallerToken } from "../../src/litellm/CallerToken.js"
import { layerTest } from "../../src/sandbox/InProcess.js"
import * as McpServer from "../../src/mcp/McpServer.js"
import { Policy } from "../../src/mcp/ToolPolicy.js"
import { request as httpRequest } from "node:http"
import type { Envelope } from "../../src/mcp/Envelope.js"
import { AppConfig } from "../../src/config/AppConfig.js"
import { HttpApp } from "../../src/http/Http.js"
import { nodeServer } from "../../src/http/NodeServer.js"
import * as Tools from "../../src/resources/Tools.js"
import { LiteLlmStandIn } from "./StandIn.js"
import type { Release } from "../../src/sandbox/Sandbox.js"

export interface Env {
  readonly standIn: LiteLlmStandIn
  /** An SDK client that acts with `token`: over HTTP to this server, or in process. */
  readonly client: (token: string | undefined, headers: Record<string, string>) => Effect.Effect<Client, never, Scope.Scope>
  /** The MCP endpoint of this server, listening on 127.0.0.1. */
  readonly mcpUrl: string
  /** A key the stand-in accepts as LiteLLM's master key. */
  readonly adminKey: string
  /** Every line the server logged. */
  readonly logs: ReadonlyArray<string>
}

export class TestEnv extends Context.Tag("test/TestEnv")<TestEnv, Env>() {}

// Every environment a test file has running: after each test, nothing secret may have been logged
// by any of them (a check at the end alone would pass a test only because of the ones before it).
const running = new Set<Env>()
afterEach(() => {
  for (const env of running) expectNoSecretsLogged(env)
})

const tracked = (env: Env) =>
  Effect.acquireRelease(Effect.sync(() => (running.add(env), env)), () => Effect.sync(() => running.delete(env)))

/** The real HTTP app on a free loopback port, pointed at a fresh LiteLLM stand-in. */
export const TestEnvLive = (
  options: {
    readonly timeoutMs?: number
    readonly baseUrl?: string
    readonly env?: Record<string, string>
    /** Serve the default toolsets, as an operator who names none gets; otherwise every tool. */
    readonly defaultToolsets?: boolean
  } = {}
) =>
  Layer.scoped(
    TestEnv,
    Effect.gen(function*() {
      const standIn = new LiteLlmStandIn()
      yield* Effect.acquireRelease(Effect.promise(() => standIn.start()), () => Effect.promise(() => standIn.stop()))
      const logs: Array<string> = []
      const capture = Logger.logfmtLogger.pipe(Logger.map((line) => void logs.push(line)))
      const app = HttpApp.pipe(
        Layer.provide(Tools.layer),
        Layer.provideMerge(nodeServer({ port: 0, host: "127.0.0.1" }).pipe(Layer.provide(AppConfig.Default))),
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(
          new Map([
            ["LITELLM_BASE_URL", options.baseUrl ?? standIn.url],
            ["LITELLM_TIMEOUT_MS", String(options.timeoutMs ?? 5_000)],
            ["LITELLM_WRITE_TIMEOUT_MS", String(options.timeoutMs ?? 5_000)],
            ...(options.defaultToolsets === true ? [] : [["LITELLM_MCP_TOOLSETS", "all"] as const]),
            ...Object.entries(options.env ?? {})
          ])
        ))),
        Layer.provide(Logger.replace(Logger.defaultLogger, capture))
      )
      const context = yield* Layer.build(app)
      const address = Context.get(context, HttpServer.HttpServer).address
      if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("expected a TCP address")
      const mcpUrl = `http://127.0.0.1:${address.port}/mcp`
      return yield* tracked({
        standIn,
        mcpUrl,
        adminKey: standIn.addAdminKey(),
        logs,
        client: (token: string | undefined, headers: Record<string, string>) =>
          Effect.acquireRelease(
            Effect.promise(async () => {
              const client = new Client({ name: "litellm-admin-mcp-test", version: "0.0.0" })
              const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
                requestInit: { headers: { ...headers, ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }) } }
              })
              await client.connect(transport)
              return client
            }),
            (client) => Effect.promise(() => client.close())
          )
      })
    })
  )

/** An SDK client that acts with `token` (over HTTP, or in process), closed with the scope. */
export const connect = (token: string | undefined, headers: Record<string, string> = {}) =>
  Effect.flatMap(TestEnv, (env) => env.client(token, headers))

/**
 * The same tools, SDK client and server in process, with no socket: the SDK's in-memory
 * transport, and `layerTest` answered by a fresh stand-in (still checking every request against
 * LiteLLM's contract). For testing a resource's tools quickly; the HTTP edge has its own tests.
 */
export const InProcessEnv = () =>
  Layer.scoped(
    TestEnv,
    Effect.gen(function*() {
      const standIn = new LiteLlmStandIn()
      const logs: Array<string> = []
      const capture = Logger.logfmtLogger.pipe(Logger.map((line) => void logs.push(line)))
      const runtime = yield* Layer.toRuntime(layerTest(standIn).pipe(Layer.provide(Logger.replace(Logger.defaultLogger, capture))))
      const limits = { maxResultBytes: 256 * 1024, deadline: Duration.seconds(60) }
      return yield* tracked({
        standIn,
        mcpUrl: "in-process",
        adminKey: standIn.addAdminKey(),
        logs,
        client: (token: string | undefined) =>
          Effect.acquireRelease(
            Effect.promise(async () => {
              const caller = Runtime.updateFiberRefs(runtime, (refs) =>
                FiberRefs.updateAs(refs, {
                  fiberId: FiberId.none,
                  fiberRef: CallerToken,
                  value: token === undefined ? Option.none() : Option.some(Redacted.make(token))
                }))
              const policy = new Policy(Tools.registry)
              const server = McpServer.single({ runtime: caller, policy, limits, listed: () => Promise.resolve(policy.definitions) })
              const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
              await server.connect(serverSide)
              const client = new Client({ name: "litellm-admin-mcp-test", version: "0.0.0" })
              await client.connect(clientSide)
              return client
            }),
            (client) => Effect.promise(() => client.close())
          )
      })
    })
  )

const ajv = new Ajv2020({ strict: false, allErrors: true })
const outputValidators = new Map<string, ValidateFunction>()

/** The validator of the outputSchema a tool declares (as tools/list advertises it). */
const outputValidator = (tool: string): ValidateFunction | undefined => {
  const schema = Tools.byName.get(tool)?.definition.outputSchema
  if (schema === undefined) return undefined
  if (!outputValidators.has(tool)) outputValidators.set(tool, ajv.compile(schema))
  return outputValidators.get(tool)
}

/**
 * Calls a tool and returns its envelope, checking on the way the result laws every call must
 * keep: structuredContent is the envelope and valid against the tool's declared outputSchema, the
 * one text block is the same JSON, isError exactly when success is false, and the stand-in saw no
 * request outside LiteLLM's contract.
 */
export const call = (client: Client, name: string, args: Record<string, unknown> = {}) =>
  Effect.gen(function*() {
    const { standIn } = yield* TestEnv
    const result = (yield* Effect.promise(() => client.callTool({ name, arguments: args }))) as CallToolResult
    const envelope = result.structuredContent as unknown as Envelope
    expect(result.content).toHaveLength(1)
    expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(envelope)
    expect(result.isError).toBe(!envelope.success)
    const validate = outputValidator(name)
    if (validate !== undefined && !validate(envelope)) {
      throw new Error(`${name}: structuredContent breaks its outputSchema: ${ajv.errorsText(validate.errors)}`)
    }
    expect(standIn.violations).toEqual([])
    return envelope
  })

export const expectSuccess = (envelope: Envelope): unknown => {
  if (!envelope.success) throw new Error(`expected success, got ${JSON.stringify(envelope.error)}`)
  return envelope.data
}

export const expectFailure = (envelope: Envelope, status: number) => {
  if (envelope.success) throw new Error(`expected failure ${status}, got success ${JSON.stringify(envelope.data)}`)
  expect(envelope.error.status).toBe(status)
  return envelope.error
}

/** Every request LiteLLM received carried exactly this caller's header. */
export const expectOnlyToken = (standIn: LiteLlmStandIn, token: string) => {
  expect(standIn.requests.length).toBeGreaterThan(0)
  for (const request of standIn.requests) expect(request.authorization).toBe(`Bearer ${token}`)
}

/** No secret the stand-in knows (caller tokens, generated keys) in anything the server logged. */
export const expectNoSecretsLogged = (env: Env) => {
  const leaks = [...env.standIn.secrets].filter((secret) => env.logs.some((line) => line.includes(secret)))
  expect(leaks).toEqual([])
  expect(env.logs.filter((line) => /sk-[A-Za-z0-9_-]{8,}/.test(line))).toEqual([])
}

export interface RawResponse {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly body: string
}

/**
 * A request with exactly these headers and body (fetch would refuse to set Host, and would add
 * headers of its own). A body given as chunks is sent without Content-Length.
 */
export const rawRequest = (
  url: string,
  options: {
    readonly method?: string
    readonly headers?: Record<string, string>
    /** Headers sent after `headers`, in order, repeats kept: the same name may come twice. */
    readonly repeatedHeaders?: ReadonlyArray<readonly [string, string]>
    readonly body?: string | Buffer | ReadonlyArray<Buffer>
  } = {}
) =>
  Effect.async<RawResponse, Error>((resume) => {
    const target = new URL(url)
    // Node frames a body only for some methods by default; frame every one, or its bytes would be
    // read as the next request on the connection.
    const framing: Record<string, string> = options.body === undefined
      ? {}
      : Array.isArray(options.body)
      ? { "transfer-encoding": "chunked" }
      : { "content-length": String(Buffer.byteLength(options.body as string | Buffer)) }
    const named = { ...framing, ...options.headers }
    const request = httpRequest({
      // A connection of its own: a kept-alive socket of the global agent can be reused just as the
      // server times it out, and the request then fails with ECONNRESET before it is sent.
      agent: false,
      host: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      method: options.method ?? "POST",
      headers: options.repeatedHeaders === undefined
        ? named
        : [
          ...(named["host"] === undefined ? ["host", target.host] : []),
          ...Object.entries(named).flat(),
          ...options.repeatedHeaders.flat()
        ],
      setHost: options.headers?.["host"] === undefined && options.headers?.["Host"] === undefined &&
        options.repeatedHeaders === undefined
    }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () =>
        resume(Effect.succeed({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString("utf8")
        })))
      response.on("error", (e) => resume(Effect.fail(e)))
    })
    request.on("error", (e) => resume(Effect.fail(e)))
    if (Array.isArray(options.body)) {
      for (const chunk of options.body) request.write(chunk)
      request.end()
    } else {
      request.end(options.body as string | Buffer | undefined)
    }
  })

/** The headers of a JSON-RPC POST to /mcp, acting with `token`. */
export const mcpHeaders = (token: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${token}`,
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  ...extra
})

/** An SDK client acting with `token` and the names of the tools it is listed, sorted. */
export const listTools = (token: string, headers: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const client = yield* connect(token, headers)
    const { tools } = yield* Effect.promise(() => client.listTools())
    return { client, names: tools.map((t) => t.name).sort() }
  })

/** A stand-in with no users, keys, teams or spend, answering as `release`, faults and records cleared. */
export const emptyProxy = (standIn: LiteLlmStandIn, release: Release) => {
  standIn.reset()
  standIn.release = release
  standIn.keys.clear()
  standIn.deletedKeys.length = 0
  standIn.users.clear()
  standIn.teams.clear()
  standIn.spendLogs.length = 0
  standIn.models.length = 0
  standIn.storeModelInDb = true
  standIn.budgets.clear()
  standIn.organizations.clear()
  standIn.orgMemberships.length = 0
  standIn.customers.clear()
}
