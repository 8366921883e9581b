// undici's Agent alone: its package root also loads fetch, WebSocket, caching and mocks (about
// 1 MB of source the server would parse and keep, none of it used here).
declare module "undici/lib/dispatcher/agent.js" {
  import type { Agent } from "undici"
  const AgentClass: typeof Agent
  export default AgentClass
}
