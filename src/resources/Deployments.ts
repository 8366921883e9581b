import { Effect, Option, Schema } from "effect"
import { LiteLlmApiError } from "../litellm/Errors.js"
import { isUnexpected, LiteLlm, Written } from "../litellm/LiteLlm.js"
import { Open } from "../litellm/Answers.js"
import { nothingToChange, NotFound, Unsupported } from "../mcp/Errors.js"
import { atMostFields, JsonObject, NonEmptyString } from "../mcp/Schemas.js"
import * as Tool from "../mcp/Tool.js"
import { withoutSecrets } from "./Models.js"

// Model deployments as LiteLLM's model management keeps them (model_management_endpoints.py:
// add_new_model, patch_model, delete_model; proxy_server.py: model_info_v1). Only deployments
// LiteLLM stored in its database (STORE_MODEL_IN_DB=True) can be changed through the API; those
// of the config file cannot, and each route says so differently. Its answers to a write carry
// litellm_params encrypted, so every write here is followed by a read of the deployment.

// == LiteLLM's shapes

const Deployment = Open({
  model_name: Schema.String,
  litellm_params: Schema.optional(Open({})),
  model_info: Schema.optional(Open({ id: Schema.optional(Schema.String) }))
})
type Deployment = typeof Deployment.Type

const ModelInfoAnswer = Open({ data: Schema.Array(Deployment) })

// LiteLLM_ProxyModelTable, as add_new_model answers it: its id is what matters, the rest is ciphertext.
const ModelRow = Open({ model_id: Schema.String, model_name: Schema.optional(Schema.String) })

const ModelDeleted = Open({ message: Schema.String })

// == Inputs

/** A deployment's model_info.id: one segment of LiteLLM's path, so no slash. */
const ModelId = NonEmptyString.pipe(
  Schema.pattern(/^[^/]+$/, { message: () => "must be a deployment's model_info.id (no slash)" })
).annotations({ description: "The deployment's model_info.id (litellm_model_list shows it)." })

const PARAMS = "LiteLLM's litellm_params: model (provider/model), api_base, api_version, litellm_credential_name " +
  "(prefer it to a raw api_key), rpm, tpm, timeout, ..."

const Params = JsonObject.annotations({ description: PARAMS })

const NewParams = Schema.Struct(
  { model: NonEmptyString.annotations({ description: "The provider's model, such as openai/gpt-4o." }) },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
).pipe(atMostFields).annotations({ description: PARAMS })

const ModelInfoFields = JsonObject.annotations({
  description: "LiteLLM's model_info: id (a UUID if omitted), mode, base_model, input_cost_per_token, " +
    "team_id (a team's own model: LiteLLM Enterprise), ..."
})

const ModelInfoInput = Schema.Struct({ model_id: ModelId })

const ModelCreateInput = Schema.Struct({
  model_name: NonEmptyString.annotations({ description: "The public name callers ask for; several deployments may share it." }),
  litellm_params: NewParams,
  model_info: Schema.optional(ModelInfoFields)
})

const ModelUpdateInput = Schema.Struct({
  model_id: ModelId,
  model_name: Schema.optional(NonEmptyString.annotations({ description: "A new public name." })),
  litellm_params: Schema.optional(Params.annotations({ description: "litellm_params to set; the others stay as they are." })),
  model_info: Schema.optional(ModelInfoFields.annotations({ description: "model_info fields to set; the others stay." }))
})

const ModelDeleteInput = Schema.Struct({ model_id: ModelId })

// == Outputs

const Created = Schema.Struct({
  model_id: Schema.String,
  deployment: Schema.NullOr(Deployment),
  note: Schema.optional(Schema.String)
})

const Updated = Schema.Struct({
  deployment: Schema.NullOr(Deployment),
  not_applied: Schema.optional(Schema.Array(Schema.String).annotations({
    description: "Fields sent that the deployment read back does not show as sent"
  })),
  note: Schema.optional(Schema.String)
})

// == Operations

const redacted = (d: Deployment): Deployment =>
  d.litellm_params === undefined ? d : { ...d, litellm_params: withoutSecrets(d.litellm_params)! }

const isUnknownModel = (e: LiteLlmApiError) => e.status === 400 && /not found on litellm proxy/i.test(e.message)

/** model_info_v1 with litellm_model_id: the router's deployment, or none (LiteLLM's 400). */
const readDeployment = (id: string) =>
  Effect.flatMap(LiteLlm, (litellm) =>
    litellm.get("/model/info", { litellm_model_id: id }, ModelInfoAnswer).pipe(
      Effect.map((answer) => Option.fromNullable(answer.data.find((d) => d.model_info?.id === id))),
      Effect.catchIf(
        (e): e is LiteLlmApiError => e instanceof LiteLlmApiError && isUnknownModel(e),
        () => Effect.succeed(Option.none<Deployment>())
      )
    ))

const existing = (id: string) =>
  Effect.flatMap(readDeployment(id), Option.match({
    onNone: () => Effect.fail(new NotFound({ message: `No deployment has model_info.id ${id} (litellm_model_list lists them).` })),
    onSome: Effect.succeed
  }))

// A config-file deployment: LiteLLM marks the ones it loaded from its database with db_model.
const inConfigFile = (d: Deployment) => d.model_info?.["db_model"] === false

const configFileModel = (id: string, what: string) =>
  new Unsupported({
    message: `Deployment ${id} is defined in the proxy's config file, not its database: LiteLLM cannot ${what} it ` +
      "through the API. Change config.yaml, or create a database copy with litellm_model_create and delete the " +
      "config entry."
  })

// The proxy keeps its models in the config file only: every model write is refused, with a 500
// (add_new_model, delete_model) or a 400 (patch_model), typed as an auth error.
const NOT_STORED = /STORE_MODEL_IN_DB|only supported for DB-stored models/
const notStoringModels = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.catchIf(
    self,
    (e): e is E & LiteLlmApiError => e instanceof LiteLlmApiError && NOT_STORED.test(e.message),
    (e) =>
      Effect.fail(
        new Unsupported({
          message: "This LiteLLM keeps its models in its config file only (STORE_MODEL_IN_DB is not True), so no " +
            `deployment can be added, changed or deleted through the API. The operator can set STORE_MODEL_IN_DB=True. ` +
            `LiteLLM said: ${e.message}`
        })
      )
  )

const nulls = (field: string, record: Readonly<Record<string, unknown>> | undefined) =>
  Object.entries(record ?? {}).filter(([, v]) => v === null).map(([k]) =>
    Tool.issue(
      `${field}.${k}`,
      "null cannot remove a field: LiteLLM keeps what is stored when it is sent null (issue #35462). To remove one, " +
        "delete the deployment and create it again without it"
    )
  )

const infoOf = Effect.fn("Deployments.info")(function*(input: typeof ModelInfoInput.Type) {
  return redacted(yield* existing(input.model_id))
})

const createModel = Effect.fn("Deployments.create")(function*(input: typeof ModelCreateInput.Type) {
  const litellm = yield* LiteLlm
  // Deployment requires model_info, and ModelInfo an id, which may be null: LiteLLM then makes a UUID.
  const body = { ...input, model_info: { ...input.model_info, id: input.model_info?.["id"] ?? null } }
  const row = yield* notStoringModels(litellm.write("/model/new", body, ModelRow))
  if (isUnexpected(row)) return row
  return yield* readBack(row.model_id, (deployment) => ({ model_id: row.model_id, deployment: redacted(deployment) }), {
    model_id: row.model_id,
    deployment: null,
    note: "Created, but LiteLLM does not serve it yet (its router reloads deployments from the database): read it " +
      "back with litellm_model_info in a moment."
  })
})

/** The deployment as LiteLLM now serves it, after a write that succeeded: a failure here is not the write's. */
const readBack = <A, B>(id: string, found: (d: Deployment) => A, missing: B) =>
  readDeployment(id).pipe(
    Effect.map(Option.match({ onNone: () => missing, onSome: found })),
    Effect.catchAll(() => Effect.succeed(missing))
  )

const updateModel = Effect.fn("Deployments.update")(function*(input: typeof ModelUpdateInput.Type) {
  const { model_id: id, ...changes } = input
  if (Object.keys(changes).length === 0) return yield* nothingToChange("give model_name, litellm_params or model_info")
  const refused = [...nulls("litellm_params", changes.litellm_params), ...nulls("model_info", changes.model_info)]
  if (refused.length > 0) return yield* Tool.invalidInput(refused)
  const before = yield* existing(id)
  if (inConfigFile(before)) return yield* configFileModel(id, "change")
  const litellm = yield* LiteLlm
  // ModelInfo requires its id: the deployment's own, as model_info is merged into what is stored.
  const body = changes.model_info === undefined ? changes : { ...changes, model_info: { ...changes.model_info, id } }
  const answer = yield* notStoringModels(litellm.change("PATCH", `/model/${encodeURIComponent(id)}/update`, body, Open({})))
  const unreadable = {
    deployment: null,
    note: isUnexpected(answer)
      ? answer.warning
      : "Updated, but the deployment could not be read back: check it with litellm_model_info."
  }
  return yield* readBack(id, (after) => {
    const missed = notApplied(changes, after)
    return {
      deployment: redacted(after),
      ...(missed.length === 0 ? {} : {
        not_applied: missed,
        note: "LiteLLM answered success, but these read back otherwise (a partial update may drop a field, issue " +
          "#35842): set them again, or delete and re-create the deployment."
      })
    }
  }, unreadable)
})

// Secrets read back redacted (or stripped by LiteLLM), so only the rest can be compared.
const SECRET = /key|secret|token|password|credential/i
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

const notApplied = (changes: Omit<typeof ModelUpdateInput.Type, "model_id">, after: Deployment): ReadonlyArray<string> => [
  ...(changes.model_name !== undefined && changes.model_name !== after.model_name ? ["model_name"] : []),
  ...Object.entries(changes.litellm_params ?? {})
    .filter(([k, v]) => !SECRET.test(k) && !same(after.litellm_params?.[k], v))
    .map(([k]) => `litellm_params.${k}`),
  ...Object.entries(changes.model_info ?? {})
    .filter(([k, v]) => !same(after.model_info?.[k], v))
    .map(([k]) => `model_info.${k}`)
]

const deleteModel = Effect.fn("Deployments.delete")(function*(input: typeof ModelDeleteInput.Type) {
  const before = yield* existing(input.model_id)
  if (inConfigFile(before)) return yield* configFileModel(input.model_id, "delete")
  const litellm = yield* LiteLlm
  return yield* notStoringModels(litellm.write("/model/delete", { id: input.model_id }, ModelDeleted))
})

// == Tools

const NEEDS_TEAM = "the argument model_info.team_id (a team's own model)"

export const tools: ReadonlyArray<Tool.Tool> = [
  Tool.make({
    name: "litellm_model_info",
    needs: { method: "GET", route: "/model/info" },
    title: "Get one LiteLLM model deployment",
    description: "One deployment by model_info.id: model_name, litellm_params (credentials redacted) and model_info. " +
      "model_info.db_model false means it comes from the proxy's config file and cannot be changed through the API.",
    input: ModelInfoInput,
    output: Deployment,
    annotations: Tool.readOnly,
    run: infoOf
  }),
  Tool.make({
    name: "litellm_model_create",
    enterprise: NEEDS_TEAM,
    needs: { method: "POST", route: "/model/new", teamAdmin: true },
    title: "Add a LiteLLM model deployment",
    description: "Add a deployment: model_name (the public name) and litellm_params with model (provider/model). " +
      "Prefer litellm_credential_name (a stored credential) to a raw api_key. LiteLLM does not test the provider: " +
      "call the model to check it. Needs STORE_MODEL_IN_DB=True on the proxy. Returns the deployment as LiteLLM serves it.",
    input: ModelCreateInput,
    output: Written(Created),
    annotations: Tool.additive,
    run: createModel
  }),
  Tool.make({
    name: "litellm_model_update",
    enterprise: NEEDS_TEAM,
    needs: { method: "PATCH", route: "/model/{model_id}/update", teamAdmin: true },
    title: "Update a LiteLLM model deployment",
    description: "Change a database deployment's model_name, litellm_params or model_info fields, by model_id; the " +
      "fields not given stay. LiteLLM cannot remove a field (null is refused here). Reads the deployment back and " +
      "lists in not_applied what did not take. Config-file deployments cannot be changed.",
    input: ModelUpdateInput,
    output: Written(Updated),
    annotations: Tool.destructive,
    run: updateModel
  }),
  Tool.make({
    name: "litellm_model_delete",
    needs: { method: "POST", route: "/model/delete", teamAdmin: true },
    title: "Delete a LiteLLM model deployment",
    description: "Delete one database deployment by model_id; callers of its model_name lose it at once unless " +
      "another deployment shares the name. A team's own model also leaves the team's models. Config-file " +
      "deployments cannot be deleted.",
    input: ModelDeleteInput,
    output: Written(ModelDeleted),
    annotations: Tool.destructive,
    run: deleteModel
  })
]
