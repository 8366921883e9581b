import { Effect, Schema } from "effect"
import { LiteLlm, onMissingRoute } from "../litellm/LiteLlm.js"
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

const withoutSecrets = (params: Record<string, unknown> | undefined) =>
  params === undefined
    ? undefined
    : Object.fromEntries(Object.entries(params).map(([k, v]) => [k, SECRET.test(k) && v !== null ? "[redacted]" : v]))

const listModels = Effect.fn("Models.list")(function*(input: typeof ModelListInput.Type) {
  const litellm = yield* LiteLlm
  const list = yield* litellm.get("/v2/model/info", input, ModelList).pipe(
    // Releases before the paginated /v2 route do not have it: fall back to /model/info, unpaged.
    onMissingRoute(() =>
      Effect.map(
        litellm.get("/model/info", { litellm_model_id: input.modelId, teamId: input.teamId }, ModelList),
        (all) => {
          const data = all.data.filter((m) =>
            input.search === undefined || m.model_name.toLowerCase().includes(input.search.toLowerCase())
          )
          return { data, total_count: data.length, current_page: 1, total_pages: 1 }
        }
      ))
  )
  return {
    ...list,
    data: list.data.map((m) => ({
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
