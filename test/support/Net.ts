import { createServer } from "node:net"

/** A loopback port that was free a moment ago (nothing listens there until someone binds it). */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })

/**
 * Waits until `url` answers with a status `ready` accepts (a 2xx by default), for at most `ms`:
 * generous, because a server started through tsx while other test files run in parallel on a
 * 2-core machine once took over 10 s to listen (a CI run).
 */
export const waitFor = async (url: string, ready: (status: number) => boolean = (s) => s < 300, ms = 25_000) => {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await fetch(url).then((r) => ready(r.status), () => false)) return
    await new Promise((r) => setTimeout(r, 5))
  }
  throw new Error(`${url} never answered`)
}
