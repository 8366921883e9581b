import { describe, expect, it } from "@effect/vitest"
import { endpointOf } from "../src/demo/Demo.js"

describe("--demo's banner", () => {
  it("names a URL a client can open: loopback for a wildcard address (said to be this machine's only), brackets for IPv6", () => {
    expect(endpointOf("127.0.0.1", 3100)).toEqual({ url: "http://127.0.0.1:3100/mcp", wildcard: false })
    expect(endpointOf("0.0.0.0", 3100)).toEqual({ url: "http://127.0.0.1:3100/mcp", wildcard: true })
    expect(endpointOf("::", 3100)).toEqual({ url: "http://127.0.0.1:3100/mcp", wildcard: true })
    expect(endpointOf("::1", 3100)).toEqual({ url: "http://[::1]:3100/mcp", wildcard: false })
    expect(new URL(endpointOf("::1", 3100).url).port).toBe("3100")
  })
})
