import { Effect, Schema } from "effect"
import { LiteLlm, onMissingRoute } from "../litellm/LiteLlm.js"
import { Unsupported } from "../mcp/Errors.js"
import { Int, NonEmptyString, Page } from "../mcp/Schemas.js"
import { Open, SizePaged } from "../litellm/Answers.js"
import * as Tool from "../mcp/Tool.js"

const Deployment = Open({
  model_name: Schema.String,
  litellm_params: Schema.optional(Open({})),
  model_info: Schema.optional(Open({}))
})

const ModelList = Open({ data: Schema.Array(Deployment), ...SizePaged })

const ModelListInput = Schema.Struct({
  search: Schema.optional(NonEmptyString.annotations({ description: "Part of a model name." })),
  modelId: Schema.optional(NonEmptyString.annotations({ description: "One deployment, by its model_info.id." })),
  teamId: Schema.optional(NonEmptyString.annotations({ description: "Models of this team." })),
  page: Schema.optional(Page),
  size: Schema.optional(Int(1, 500).annotations({ description: "Deployments per page (LiteLLM default 50)." }))
})

// LiteLLM strips most provider secrets from litellm_params, not all of them in every release.
const SECRET = /key|secret|token|password|credential/i

export const withoutSecrets = (params: Record<string, unknown> | undefined) =>
  params === undefined
    ? undefined
    : Object.fromEntries(Object.entries(params).map(([k, v]) => [k, SECRET.test(k) && v !== null ? "[redacted]" : v]))

type Deployment = typeof Deployment.Type

/**
 * One page of every deployment, filtered here as LiteLLM would: what an unpaged answer becomes.
 * Releases before January 2026 answer /v2/model/info with every deployment, whatever search,
 * page and size say (PRs #19521, #19622), and /model/info never pages.
 */
const pageHere = (all: ReadonlyArray<Deployment>, input: typeof ModelListInput.Type) => {
  const search = input.search?.toLowerCase()
  const data = all.filter((m) =>
    (search === undefined || m.model_name.toLowerCase().includes(search)) &&
    (input.modelId === undefined || m.model_info?.["id"] === input.modelId)
  )
  const page = input.page ?? 1
  const size = input.size ?? 50
  return {
    data: data.slice((page - 1) * size, page * size),
    total_count: data.length,
    current_page: page,
    total_pages: Math.ceil(data.length / size)
  }
}

const listModels = Effect.fn("Models.list")(function*(input: typeof ModelListInput.Type) {
  const litellm = yield* LiteLlm
  const list = yield* litellm.get("/v2/model/info", input, ModelList).pipe(
    // Releases before the /v2 route do not have it: fall back to /model/info.
    onMissingRoute(() => litellm.get("/model/info", { litellm_model_id: input.modelId, teamId: input.teamId }, ModelList))
  )
  const paged = typeof list.total_count === "number"
  if (!paged && input.teamId !== undefined) {
    return yield* new Unsupported({
      message: "This LiteLLM answers its model list unpaged and may ignore teamId (releases before January 2026), and " +
        "which models a team may use cannot be told from the list. Leave teamId out, or upgrade LiteLLM."
    })
  }
  const page = paged ? list : { ...list, ...pageHere(list.data, input) }
  return {
    ...page,
    data: page.data.map((m) => ({
      ...m,
      ...(m.litellm_params === undefined ? {} : { litellm_params: withoutSecrets(m.litellm_params) })
    }))
  } as typeof ModelList.Type
})

export const tools: ReadonlyArray<Tool.Tool> = [
  Tool.make({
    name: "litellm_model_list",
    needs: { method: "GET", route: "/v2/model/info", fallbacks: ["/model/info"] },
    paging: { items: "data", page: "page", size: "size", defaultSize: 50 },
    title: "List LiteLLM models",
    description: "The proxy's model deployments: model_name (what callers ask for), litellm_params (provider model, " +
      "api_base; credentials always redacted) and model_info (id, mode, costs per token, context size), a page at a " +
      "time. Use model_name values in key and user models lists.",
    input: ModelListInput,
    output: ModelList,
    annotations: Tool.readOnly,
    run: listModels
  })
]
