import type { HttpServerRequest } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Effect } from "effect"
import * as Tool from "../mcp/Tool.js"

// A request body at the edge: read up to a limit, sized up before it is parsed, and what happens
// to a connection whose body is too large.

/**
 * More JSON values than any tool takes (the same bound as Tool.ts's walk over the arguments),
 * told from the text by its commas without parsing it: parsing an object with tens of thousands of
 * keys is what such a request would cost.
 */
export const MAX_JSON_VALUES = Tool.MAX_VALUES
export const tooManyValues = (text: string) => {
  let commas = 0
  for (let at = text.indexOf(","); at !== -1; at = text.indexOf(",", at + 1)) {
    if (++commas > MAX_JSON_VALUES) return true
  }
  return false
}


/** A body at least this long is served only while fewer than LARGE_BODIES_AT_ONCE others are. */
export const LARGE_BODY = 64 * 1024
export const LARGE_BODIES_AT_ONCE = 2

/** How long, and how many bytes, an oversize body is still read and discarded after the 413. */
const LINGER_MS = 2_000
const LINGER_BYTES = 4 * 1024 * 1024

/**
 * After a 413 sent with `Connection: close`: the connection closes without the rest of the body
 * being read. Node would close it with destroySoon() once the answer is written, and a socket
 * closed with unread bytes makes the kernel reset the connection, so the client may never read
 * the 413 (1 run in 4). Instead, as servers do with a lingering close: half-close, discard what
 * still arrives for a short, bounded time and amount, then close.
 */
export const lingerThenClose = (request: HttpServerRequest.HttpServerRequest) => {
  const incoming = NodeHttpServerRequest.toIncomingMessage(request)
  const socket = incoming.socket
  socket.destroySoon = function(this: typeof socket) {
    let discarded = 0
    const close = () => this.destroy()
    this.end()
    setTimeout(close, LINGER_MS).unref()
    this.on("data", (chunk: Buffer) => {
      discarded += chunk.length
      if (discarded > LINGER_BYTES) close()
    })
    this.once("end", close)
  }
  incoming.resume()
}

/**
 * The body, or `undefined` as soon as it passes `max` bytes, whether or not Content-Length said
 * so. On overflow it stops collecting; the 413 then closes the connection (`lingerThenClose`).
 */
export const readBody = (request: HttpServerRequest.HttpServerRequest, max: number) =>
  Effect.async<string | undefined, Error>((resume) => {
    const incoming = NodeHttpServerRequest.toIncomingMessage(request)
    const chunks: Array<Buffer> = []
    let size = 0
    const detach = () => {
      incoming.off("data", onData)
      incoming.off("end", onEnd)
      incoming.off("error", onError)
    }
    function onData(chunk: Buffer) {
      size += chunk.length
      if (size <= max) return void chunks.push(chunk)
      detach()
      resume(Effect.succeed(undefined))
    }
    function onEnd() {
      detach()
      resume(Effect.succeed(Buffer.concat(chunks).toString("utf8")))
    }
    function onError(error: Error) {
      detach()
      resume(Effect.fail(error))
    }
    incoming.on("data", onData)
    incoming.on("end", onEnd)
    incoming.on("error", onError)
    return Effect.sync(detach)
  })
