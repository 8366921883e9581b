import { randomUUID } from "node:crypto"
import { detail, envelope, page, pyRepr } from "../Answers.js"
import { type Caller, now, type Handler, type Row, type Store } from "../Store.js"

export const modelInfoV2 = (s: Store, q: URLSearchParams) => {
  // Before PRs #19521 and #19622 the route answered every deployment, unpaged and unsearched.
  if (!s.traits.modelInfoPaged) return { data: s.models }
  const search = q.get("search")?.toLowerCase()
  const models = s.models.filter((m) =>
    (search === undefined || m.model_name.toLowerCase().includes(search)) &&
    (q.get("modelId") === null || m.model_info.id === q.get("modelId"))
  )
  const pageNo = Number(q.get("page") ?? 1)
  const size = Number(q.get("size") ?? 50)
  const { items, totalPages } = page(models, pageNo, size)
  return { data: items, total_count: models.length, current_page: pageNo, total_pages: totalPages, size }
}

// model_info_v1: with litellm_model_id, the router's deployment or a 400 (not a 404).
const modelInfo = (s: Store, q: URLSearchParams) => {
  const id = q.get("litellm_model_id")
  if (id === null) return { data: s.models }
  const found = s.models.find((m) => m.model_info.id === id)
  if (found === undefined) throw detail(400, `Model id = ${id} not found on litellm proxy`)
  return { data: [found] }
}

// The handlers of model management wrap an HTTPException's detail, repr and all, in an auth_error.
const wrapped = (status: number, message: string) => envelope(status, pyRepr(message), "auth_error")
const NOT_STORED = `{'error': "Set \`'STORE_MODEL_IN_DB='True'\` in your env to enable this feature."}`

/**
 * ModelManagementAuthChecks.can_user_make_model_call: a team's model needs the team, the licence,
 * and a proxy admin or an admin of that team; any other model, a proxy admin.
 */
const mayManage = (s: Store, caller: Caller, modelInfo: Row | undefined): Refusal | undefined => {
  const teamId = modelInfo?.["team_id"]
  if (typeof teamId === "string") {
    if (!s.teams.has(teamId)) return [400, `Team id=${teamId} does not exist in db`]
    if (!s.enterprise) {
      return [403, "You must be a LiteLLM Enterprise user to use this feature. If you have a license please set `LITELLM_LICENSE` in your env. Get a 7 day trial key here: https://www.litellm.ai/enterprise#trial. \nPricing: https://www.litellm.ai/#pricing"]
    }
    if (caller.role === "proxy_admin" || s.isTeamAdmin(caller, teamId)) return undefined
    return [403, `Team ID=${teamId} does not match the API key's team ID=${caller.teamId ?? "None"}, OR you are not the admin for this team. Check \`/user/info\` to verify your team admin status.`]
  }
  if (caller.role === "proxy_admin") return undefined
  return [403, `User does not have permission to make this model call. Your role=${caller.role ?? "None"}. You can only make model calls if you are a PROXY_ADMIN or if you are a team admin, by specifying a team_id in the model_info.`]
}

type Refusal = readonly [status: number, message: string]

// _add_model_to_db: every litellm_params value encrypted (a nacl box, base64) in what is stored and answered.
const encrypted = (params: Row) =>
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Buffer.from(`nacl:${JSON.stringify(v)}`).toString("base64url")]))

const modelNew = (s: Store, body: Row, caller: Caller) => {
  const info = { ...((body["model_info"] ?? {}) as Row) }
  const refused = mayManage(s, caller, info)
  if (refused !== undefined) throw wrapped(...refused)
  if (!s.storeModelInDb) throw envelope(500, NOT_STORED, "auth_error")
  const id = typeof info["id"] === "string" ? info["id"] : randomUUID()
  const params = (body["litellm_params"] ?? {}) as Row
  let name = String(body["model_name"])
  const teamId = info["team_id"]
  if (typeof teamId === "string") {
    // _add_team_model_to_db: stored under a unique name; the team gets the public one and an alias to it.
    info["team_public_model_name"] = name
    const team = s.teams.get(teamId)!
    team["models"] = [...(team["models"] as Array<string>), name]
    name = `model_name_${teamId}_${randomUUID()}`
  }
  s.models.push({ model_name: name, litellm_params: params, model_info: { ...info, id, db_model: true } })
  return {
    model_id: id,
    model_name: name,
    litellm_params: encrypted(params),
    model_info: { ...info, id },
    created_at: now(),
    created_by: caller.userId,
    updated_at: now(),
    updated_by: caller.userId
  }
}

// patch_model: ProxyExceptions of its own, and the auth checks' HTTPException passed through as raised.
const modelPatch = (s: Store, id: string, body: Row, caller: Caller) => {
  if (!s.storeModelInDb) throw envelope(400, "Model updates only supported for DB-stored models", "validation_error")
  const model = s.models.find((m) => m.model_info.id === id)
  if (model === undefined) throw envelope(404, `Model ${id} not found on proxy.`, "not_found_error")
  if (model.model_info["db_model"] !== true) {
    throw envelope(400, "Cannot edit config-based model. Store model in DB via /model/new first.", "validation_error")
  }
  const refused = mayManage(s, caller, model.model_info)
  if (refused !== undefined) throw detail(...refused)
  // update_db_model: fields given replace, fields sent null or left out stay.
  const given = (record: unknown) => Object.fromEntries(Object.entries((record ?? {}) as Row).filter(([, v]) => v !== null))
  if (typeof body["model_name"] === "string" && body["model_name"] !== "") model.model_name = body["model_name"]
  Object.assign(model.litellm_params, given(body["litellm_params"]))
  Object.assign(model.model_info, given(body["model_info"]), { id })
  return {
    model_id: id,
    model_name: model.model_name,
    litellm_params: encrypted(model.litellm_params),
    model_info: model.model_info,
    updated_at: now(),
    updated_by: caller.userId
  }
}

// delete_model: a deployment not in the database (unknown, or the config file's) is a 400 first.
const modelDelete = (s: Store, body: Row, caller: Caller) => {
  const id = String(body["id"])
  const at = s.models.findIndex((m) => m.model_info.id === id && m.model_info["db_model"] === true)
  if (at < 0) throw wrapped(400, `Model with id=${id} not found in db`)
  const model = s.models[at]!
  const refused = mayManage(s, caller, model.model_info)
  if (refused !== undefined) throw wrapped(...refused)
  const teamId = model.model_info["team_id"]
  if (typeof teamId === "string") {
    const team = s.teams.get(teamId)
    const name = model.model_info["team_public_model_name"]
    if (team !== undefined) team["models"] = (team["models"] as Array<string>).filter((m) => m !== name)
  }
  if (!s.storeModelInDb) throw envelope(500, NOT_STORED, "auth_error")
  s.models.splice(at, 1)
  return { message: `Model: ${id} deleted successfully` }
}

export const routes: Record<string, Handler> = {
  // health_license_endpoint: the licence, never its key; premium_user decides license_type.
  "GET /health/license": (s) => ({
    has_license: s.enterprise,
    license_type: s.enterprise ? "enterprise" : "community",
    expiration_date: null,
    allowed_features: [],
    limits: { max_users: null, max_teams: null }
  }),
  "GET /v2/model/info": (s, r) => modelInfoV2(s, r.q),
  "GET /model/info": (s, r) => modelInfo(s, r.q),
  "POST /model/new": (s, r) => modelNew(s, r.body, r.caller),
  "PATCH /model/{model_id}/update": (s, r) => modelPatch(s, r.params["model_id"]!, r.body, r.caller),
  "POST /model/delete": (s, r) => modelDelete(s, r.body, r.caller)
}
