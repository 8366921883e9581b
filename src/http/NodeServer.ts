import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer, Option } from "effect"
import { createServer } from "node:http"
import { AppConfig } from "../config/AppConfig.js"
import { parseAuthorization } from "../litellm/CallerToken.js"

/** How long an idle kept-alive connection stays open: past the 60 s of common load balancers. */
const KEEP_ALIVE_MS = 65_000

/** Time for the last answers to leave before a stopping server drops its open connections. */
const FLUSH_MS = 250

/**
 * Node's HTTP server with its timeouts set, not left at Node's defaults (a body may trickle in
 * for 300 s): headers within HEADERS_TIMEOUT_MS, the whole request within REQUEST_TIMEOUT_MS,
 * checked every second. Its close() also drops, shortly after, the connections still open: it
 * runs after the drain (HttpLive's finalizer), so once the last answers are flushed what is left
 * is a client still sending a request, which would otherwise hold the shutdown for up to
 * REQUEST_TIMEOUT_MS.
 */
export const nodeServer = (listen: { readonly port: number; readonly host: string }) =>
  Layer.unwrapEffect(Effect.map(AppConfig, (config) =>
    NodeHttpServer.layer(() => {
      const server = createServer({
        headersTimeout: config.headersTimeoutMs,
        requestTimeout: config.requestTimeoutMs,
        connectionsCheckingInterval: 1_000,
        // The side that closes an idle connection should be the client: a server that closes first
        // (Node's 5 s) races the client's next request on it, which then fails with a reset, and
        // load balancers keep idle connections for 60 s.
        keepAliveTimeout: KEEP_ALIVE_MS
      })
      // Node answers `Expect: 100-continue` itself, before any handler has seen the request: only a
      // request with a key it may send its body; any other gets the 401 it would get anyway.
      server.on("checkContinue", (request, response) => {
        if (Option.isNone(parseAuthorization(request.headers.authorization))) {
          response.writeHead(401, { "content-type": "application/json", "www-authenticate": "Bearer", connection: "close" })
          response.end(JSON.stringify({
            jsonrpc: "2.0",
            error: { code: -32001, message: "Send your LiteLLM key as Authorization: Bearer sk-… before the body." },
            id: null
          }))
          return
        }
        response.writeContinue()
        server.emit("request", request, response)
      })
      const close = server.close.bind(server)
      server.close = (callback) => {
        close(callback)
        setTimeout(() => server.closeAllConnections(), FLUSH_MS).unref()
        return server
      }
      return server
    }, listen)))
