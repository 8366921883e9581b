import type { AppConfig } from "../config/AppConfig.js"

// DNS rebinding (MCP spec, Security Warning): a web page whose name now resolves to this machine
// makes the browser send its own Origin and Host. A loopback server accepts only loopback names
// unless the operator lists more; requests without Origin (non-browser clients) pass.

export const isLoopbackName = (hostname: string) =>
  hostname === "localhost" || hostname.endsWith(".localhost") || /^127(\.\d{1,3}){3}$/.test(hostname) ||
  hostname === "[::1]" || hostname === "::1"

const hostnameOf = (host: string): string | undefined => {
  try {
    return new URL(`http://${host}`).hostname
  } catch {
    return undefined
  }
}

/** Why a request must be refused, or undefined when it may proceed. */
export const make = (config: Pick<AppConfig, "host" | "allowedOrigins" | "allowedHosts">) => {
  const origins = new Set(config.allowedOrigins.map((o) => o.replace(/\/+$/, "").toLowerCase()))
  const hosts = new Set(config.allowedHosts.map((h) => h.toLowerCase()))
  const checkHost = isLoopbackName(config.host) || hosts.size > 0
  return (headers: { readonly origin?: string | undefined; readonly host?: string | undefined }): string | undefined => {
    const origin = headers.origin
    if (origin !== undefined) {
      const hostname = origin === "null" ? undefined : hostnameOf(origin.replace(/^[a-z][a-z0-9+.-]*:\/\//i, ""))
      const allowed = origins.has(origin.toLowerCase()) || origins.has("*") ||
        (hostname !== undefined && isLoopbackName(hostname))
      if (!allowed) return `Origin ${origin} is not allowed (ALLOWED_ORIGINS)`
    }
    const host = headers.host
    if (checkHost && host !== undefined) {
      const hostname = hostnameOf(host)
      const allowed = hostname !== undefined &&
        (hosts.has(host.toLowerCase()) || hosts.has(hostname) || isLoopbackName(hostname))
      if (!allowed) return `Host ${host} is not allowed (ALLOWED_HOSTS)`
    }
    return undefined
  }
}
