import { Effect, Schema } from "effect"
import { isUnexpected, LiteLlm, onStatus, Written } from "../litellm/LiteLlm.js"
import { Open } from "../litellm/Answers.js"
import { nothingToChange, NotFound, Unsupported } from "../mcp/Errors.js"
import { Amount, Email, items, MAX_LIST, NonEmptyString, NonNegativeInt } from "../mcp/Schemas.js"
import * as Tool from "../mcp/Tool.js"
import { Role, ROLES, TeamId, TeamInfo, TeamRow } from "./Teams.js"

// A team's administration beyond its members' coming and going (team_endpoints.py:
// team_member_update, block_team, unblock_team, team_model_add, team_model_delete). A team's
// models list is LiteLLM's most surprising field: [] means every model, which adding keeps (as
// all-proxy-models) and removing the last one gives.

// == LiteLLM's shapes

const MemberUpdated = Open({ team_id: Schema.String, user_id: Schema.String })

// == Inputs

const MemberUpdateInput = Schema.Struct({
  ...TeamId.fields,
  user_id: Schema.optional(NonEmptyString),
  user_email: Schema.optional(Email),
  role: Schema.optional(Role.annotations({ description: ROLES })),
  max_budget_in_team: Schema.optional(Amount.annotations({ description: "The member's budget in this team, USD." })),
  tpm_limit: Schema.optional(NonNegativeInt.annotations({ description: "The member's tokens per minute in this team." })),
  rpm_limit: Schema.optional(NonNegativeInt.annotations({ description: "The member's requests per minute in this team." }))
}).pipe(
  Schema.filter((i) => (i.user_id === undefined) !== (i.user_email === undefined), {
    message: () => "give exactly one of user_id or user_email"
  })
)

const ModelsInput = Schema.Struct({
  ...TeamId.fields,
  models: Schema.Array(NonEmptyString).pipe(items(1, MAX_LIST)).annotations({ description: "Model names (model_name)." })
})

// == Outputs

const ModelsChanged = Schema.Struct({
  team: TeamRow,
  note: Schema.optional(Schema.String)
})

// == Operations

const ALL = "all-proxy-models"

const readTeam = (teamId: string) =>
  Effect.flatMap(LiteLlm, (litellm) =>
    litellm.get("/team/info", { team_id: teamId }, TeamInfo).pipe(
      onStatus(404, () => Effect.fail(new NotFound({ message: `No team has the id ${teamId}.` }))),
      Effect.map((info) => (Array.isArray(info.team_info["models"]) ? info.team_info["models"] : []) as ReadonlyArray<string>)
    ))

const updateMember = Effect.fn("TeamAdmin.updateMember")(function*(input: typeof MemberUpdateInput.Type) {
  const { team_id: _, user_id: __, user_email: ___, ...changes } = input
  if (Object.keys(changes).length === 0) return yield* nothingToChange("give role, max_budget_in_team, tpm_limit or rpm_limit")
  const litellm = yield* LiteLlm
  return yield* litellm.write("/team/member_update", input, MemberUpdated)
})

const block = (blocked: boolean) =>
  Effect.fn(blocked ? "TeamAdmin.block" : "TeamAdmin.unblock")(function*(input: typeof TeamId.Type) {
    const litellm = yield* LiteLlm
    return yield* litellm.write(blocked ? "/team/block" : "/team/unblock", input, TeamRow)
  })

const addModels = Effect.fn("TeamAdmin.addModels")(function*(input: typeof ModelsInput.Type) {
  const before = yield* readTeam(input.team_id)
  const litellm = yield* LiteLlm
  const team = yield* litellm.write("/team/model/add", input, TeamRow)
  if (isUnexpected(team)) return team
  return {
    team,
    ...(before.length === 0 || before.includes(ALL) ? {
      note: `The team could already call every model (models ${before.length === 0 ? "[]" : `with ${ALL}`}); it still can.`
    } : {})
  }
})

// team_model_delete writes what is left, and [] reads as every model: the last model is never removed here.
const removeModels = Effect.fn("TeamAdmin.removeModels")(function*(input: typeof ModelsInput.Type) {
  const before = yield* readTeam(input.team_id)
  const left = before.filter((m) => !input.models.includes(m))
  if (before.length > 0 && left.length === 0) {
    return yield* new Unsupported({
      message: "Removing these would leave the team's models empty, which LiteLLM reads as every model. To stop the " +
        "team calling models, block it (litellm_team_block), or leave it one model it may use."
    })
  }
  const absent = input.models.filter((m) => !before.includes(m))
  const litellm = yield* LiteLlm
  const team = yield* litellm.write("/team/model/delete", input, TeamRow)
  if (isUnexpected(team)) return team
  const notes = [
    ...(before.length === 0 || before.includes(ALL)
      ? [`The team may call every model (models ${before.length === 0 ? "[]" : `with ${ALL}`}): removing names does not take them away.`]
      : []),
    ...(absent.length > 0 ? [`Not in the team's models, so unchanged: ${absent.join(", ")}.`] : [])
  ]
  return { team, ...(notes.length === 0 ? {} : { note: notes.join(" ") }) }
})

// == Tools

export const tools: ReadonlyArray<Tool.Tool> = [
  Tool.make({
    name: "litellm_team_member_update",
    enterprise: "role admin",
    needs: { method: "POST", route: "/team/member_update", teamAdmin: true },
    title: "Update a LiteLLM team member",
    description: "Change one member's role, budget or limits in a team, by exactly one of user_id or user_email. " +
      "Proxy admins and the team's admins; role admin needs LiteLLM Enterprise.",
    input: MemberUpdateInput,
    output: Written(MemberUpdated),
    annotations: Tool.destructive,
    run: updateMember
  }),
  Tool.make({
    name: "litellm_team_block",
    needs: { method: "POST", route: "/team/block" },
    title: "Block a LiteLLM team",
    description: "Block a team: WARNING, every key of the team is refused at once until it is unblocked " +
      "(litellm_team_unblock). The team, its members and keys stay.",
    input: TeamId,
    output: Written(TeamRow),
    annotations: Tool.reversible,
    run: block(true)
  }),
  Tool.make({
    name: "litellm_team_unblock",
    needs: { method: "POST", route: "/team/unblock" },
    title: "Unblock a LiteLLM team",
    description: "Unblock a team blocked with litellm_team_block (or blocked: true): its keys work again, unless " +
      "blocked themselves.",
    input: TeamId,
    output: Written(TeamRow),
    annotations: Tool.reversible,
    run: block(false)
  }),
  Tool.make({
    name: "litellm_team_model_add",
    needs: { method: "POST", route: "/team/model/add" },
    title: "Add models to a LiteLLM team",
    description: "Let a team call more models (model_name values), keeping the ones it has. A team whose models are " +
      "[] (every model) keeps every model.",
    input: ModelsInput,
    output: Written(ModelsChanged),
    annotations: Tool.additive,
    run: addModels
  }),
  Tool.make({
    name: "litellm_team_model_remove",
    needs: { method: "POST", route: "/team/model/delete" },
    title: "Remove models from a LiteLLM team",
    description: "Take models away from a team. Refused when it would remove the last one: LiteLLM reads an empty " +
      "list as every model. A team with every model loses nothing by name.",
    input: ModelsInput,
    output: Written(ModelsChanged),
    annotations: Tool.destructive,
    run: removeModels
  })
]
