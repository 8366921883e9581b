// A LiteLLM stand-in that costs as little as possible: prebuilt bodies for the two endpoints the
// benchmark calls, so what is measured is the MCP hop, not the fake.
import { createServer } from "node:http"

const key = (i: number) => ({
  token: `${i}`.padStart(64, "a"),
  key_name: `sk-...${1000 + i}`,
  key_alias: `bench-key-${i}`,
  spend: 1.5 * i,
  max_budget: 100,
  expires: null,
  models: ["gpt-4o", "claude-sonnet"],
  aliases: {},
  config: {},
  user_id: "bench-user",
  team_id: "bench-team",
  organization_id: null,
  permissions: {},
  max_parallel_requests: null,
  metadata: { purpose: "benchmark", owner: "platform" },
  tpm_limit: 100000,
  rpm_limit: 1000,
  budget_duration: "30d",
  budget_reset_at: "2026-12-01T00:00:00Z",
  allowed_cache_controls: [],
  allowed_routes: [],
  model_spend: {},
  model_max_budget: {},
  blocked: null,
  budget_id: null,
  created_at: "2026-01-01T00:00:00Z",
  created_by: "admin",
  updated_at: "2026-01-02T00:00:00Z",
  updated_by: "admin",
  last_active: null,
  object_permission: null,
  rotation_count: 0,
  auto_rotate: false,
  api_key: null
})

const keyList = JSON.stringify({
  keys: Array.from({ length: 10 }, (_, i) => key(i)),
  total_count: 10,
  current_page: 1,
  total_pages: 1
})
const userInfo = JSON.stringify({
  user_id: "bench-user",
  user_info: {
    user_id: "bench-user",
    user_email: "bench@example.com",
    user_role: "internal_user",
    teams: ["bench-team"],
    max_budget: 500,
    spend: 42,
    models: [],
    metadata: {},
    created_at: "2026-01-01T00:00:00Z"
  },
  keys: Array.from({ length: 5 }, (_, i) => ({ ...key(i), team_alias: "bench" })),
  teams: []
})

// /key/info without a key: the caller's own key, which has a user (so connecting asks /user/info too).
const keySelf = JSON.stringify({ key: key(0).token, info: { ...key(0), token: undefined } })

// A LiteLLM answer as large as a page of spend logs with stored prompts can be: 100 MB.
const huge = Buffer.concat([
  Buffer.from("{\"users\":[],\"total\":0,\"page\":1,\"page_size\":25,\"total_pages\":0,\"pad\":\""),
  Buffer.alloc(100 * 1024 * 1024, "x"),
  Buffer.from("\"}")
])

// A valid page of teams of 7.9 MiB, as an unpaged team list of a large proxy can be.
const team = (i: number) => ({ team_id: `team-${i}`, team_alias: `team ${i}`, metadata: { note: "t".repeat(318) }, members_with_roles: [] })
const TEAMS = 20_000
const largeTeams = Buffer.from(JSON.stringify({
  teams: Array.from({ length: TEAMS }, (_, i) => team(i)),
  total: TEAMS,
  page: 1,
  page_size: TEAMS,
  total_pages: 1
}))

// A LiteLLM 400 whose message is 7.9 MiB of 63-hex-digit runs, one short of a key hash: the text
// a backtracking hash pattern rescans from every start.
const hostileError = Buffer.from(JSON.stringify({
  error: { message: Array.from({ length: 126_000 }, () => "a".repeat(63)).join(" "), type: "bad_request", code: "400" }
}))

createServer((req, res) => {
  if (req.headers.authorization === undefined) {
    res.writeHead(401, { "content-type": "application/json" })
    return void res.end("{\"error\":{\"message\":\"Authentication Error, No api key passed in.\",\"code\":\"401\"}}")
  }
  // A LiteLLM that takes 5 s, for a burst of calls in flight.
  if (req.url!.startsWith("/team/info")) {
    return void setTimeout(() => {
      res.writeHead(200, { "content-type": "application/json" })
      res.end("{\"team_id\":\"t\",\"team_info\":{\"team_id\":\"t\"},\"keys\":[]}")
    }, 5_000)
  }
  if (req.url!.startsWith("/v2/team/list")) {
    res.writeHead(200, { "content-type": "application/json", "content-length": largeTeams.length })
    return void res.end(largeTeams)
  }
  if (req.url!.startsWith("/v2/model/info")) {
    res.writeHead(400, { "content-type": "application/json", "content-length": hostileError.length })
    return void res.end(hostileError)
  }
  if (req.url!.startsWith("/user/list")) {
    res.writeHead(200, { "content-type": "application/json", "content-length": huge.length })
    return void res.end(huge)
  }
  const body = req.url!.startsWith("/key/list")
    ? keyList
    : req.url!.startsWith("/user/info")
    ? userInfo
    : req.url === "/key/info"
    ? keySelf
    : undefined
  res.writeHead(body === undefined ? 404 : 200, { "content-type": "application/json" })
  res.end(body ?? "{\"detail\":\"Not Found\"}")
}).listen(Number(process.env["PORT"]), "127.0.0.1", () => process.send?.("ready"))
