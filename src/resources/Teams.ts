import { Effect, Schema } from "effect"
import { isUnexpected, LiteLlm, onMissingRoute, Written } from "../litellm/LiteLlm.js"
import { nothingToChange } from "../mcp/Errors.js"
import {
  Amount,
  atMost,
  Batch,
  Duration,
  Email,
  Int,
  JsonObject,
  MAX_BATCH,
  NonEmptyString,
  NonNegativeInt,
  Page,
  StringList
} from "../mcp/Schemas.js"
import { Open } from "../litellm/Answers.js"
import * as Tool from "../mcp/Tool.js"

// == LiteLLM's shapes (lenient: only what this module reads is required)

export const TeamRow = Open({ team_id: Schema.String })

const TeamList = Open({
  teams: Schema.Array(TeamRow),
  total: Schema.optional(Schema.Number),
  page: Schema.optional(Schema.Number),
  page_size: Schema.optional(Schema.Number),
  total_pages: Schema.optional(Schema.Number)
})

export const TeamInfo = Open({ team_id: Schema.String, team_info: Open({}) })

const TeamUpdated = Open({ team_id: Schema.String, data: Open({}) })

// delete_team answers prisma_client.delete_data's {"deleted_teams": <the ids it was sent>}.
const TeamsDeleted = Open({ deleted_teams: Schema.Array(Schema.String) })

// == Inputs

// Said once where members are given, not in each branch of `member`'s one-or-many.
export const Role = Schema.Literal("admin", "user")
export const ROLES = "an admin manages the team's members and keys (LiteLLM Enterprise), a user is a plain member"

const Member = Schema.Struct({
  role: Role,
  user_id: Schema.optional(NonEmptyString),
  user_email: Schema.optional(Email)
}).pipe(
  Schema.filter((m) => m.user_id !== undefined || m.user_email !== undefined, {
    message: () => "a member needs user_id or user_email"
  })
)

// Fields /team/new and /team/update share, under LiteLLM's own names.
const teamSettings = {
  team_alias: Schema.optional(NonEmptyString.annotations({ description: "Display name." })),
  organization_id: Schema.optional(NonEmptyString),
  models: Schema.optional(StringList.annotations({ description: "Models the team may call; [] = all." })),
  max_budget: Schema.optional(Amount.annotations({ description: "Team budget in USD." })),
  budget_duration: Schema.optional(Duration.annotations({ description: "Budget reset period, e.g. 30d." })),
  tpm_limit: Schema.optional(NonNegativeInt),
  rpm_limit: Schema.optional(NonNegativeInt),
  metadata: Schema.optional(JsonObject),
  blocked: Schema.optional(Schema.Boolean.annotations({ description: "A blocked team's keys are refused." })),
  tags: Schema.optional(StringList.annotations({ description: "Spend-tracking tags (LiteLLM Enterprise only)." }))
}

const TeamListInput = Schema.Struct({
  team_alias: Schema.optional(NonEmptyString.annotations({ description: "Part of the team's alias." })),
  team_id: Schema.optional(NonEmptyString),
  user_id: Schema.optional(NonEmptyString.annotations({ description: "Teams this user is a member of." })),
  organization_id: Schema.optional(NonEmptyString),
  page: Schema.optional(Page),
  page_size: Schema.optional(Int(1, 100).annotations({ description: "Teams per page, 1 to 100 (default 10)." }))
})

export const TeamId = Schema.Struct({ team_id: NonEmptyString.annotations({ description: "The team." }) })

const TeamCreateInput = Schema.Struct({
  team_id: Schema.optional(NonEmptyString.annotations({ description: "Id to give the team; a UUID if omitted." })),
  members_with_roles: Schema.optional(Schema.Array(Member).pipe(atMost(MAX_BATCH)).annotations({
    description: `First members, {role, user_id or user_email}: ${ROLES}.`
  })),
  ...teamSettings
})

const TeamUpdateInput = Schema.Struct({ ...TeamId.fields, ...teamSettings })

const TeamDeleteInput = Schema.Struct({
  team_ids: Batch(NonEmptyString).annotations({
    description: "Teams to delete, with all their keys. If any id is unknown, nothing is deleted."
  })
})

const MemberAddInput = Schema.Struct({
  ...TeamId.fields,
  member: Schema.Union(Member, Batch(Member)).annotations({
    description: `One member or a list: {role, user_id or user_email}; ${ROLES}. Unknown users are created.`
  }),
  max_budget_in_team: Schema.optional(Amount.annotations({ description: "Each new member's budget in this team." }))
})

const MemberDeleteInput = Schema.Struct({
  ...TeamId.fields,
  user_id: Schema.optional(NonEmptyString),
  user_email: Schema.optional(Email)
}).pipe(
  Schema.filter((i) => (i.user_id === undefined) !== (i.user_email === undefined), {
    message: () => "give exactly one of user_id or user_email"
  })
)

// == Operations

const listTeams = Effect.fn("Teams.list")(function*(input: typeof TeamListInput.Type) {
  const litellm = yield* LiteLlm
  return yield* litellm.get("/v2/team/list", input, TeamList).pipe(
    // Releases before /v2/team/list have no such route: its predecessor returns every team at once.
    // A 404 of the handler's own (an unknown user_id) is an answer and passes through.
    onMissingRoute(() =>
      Effect.map(
        litellm.get("/team/list", { user_id: input.user_id, organization_id: input.organization_id }, Schema.Array(TeamRow)),
        (all) => {
          const teams = all.filter((t) =>
            (input.team_id === undefined || t.team_id === input.team_id) &&
            (input.team_alias === undefined ||
              String(t["team_alias"] ?? "").toLowerCase().includes(input.team_alias.toLowerCase()))
          )
          return { teams, total: teams.length, page: 1, page_size: teams.length, total_pages: 1 }
        }
      ))
  )
})

const teamInfo = Effect.fn("Teams.info")(function*(input: typeof TeamId.Type) {
  const litellm = yield* LiteLlm
  return yield* litellm.get("/team/info", input, TeamInfo)
})

// The rest are one POST each, the tool's input as LiteLLM's body.
const postAs = <I>(span: string, path: string) => <A, AI>(response: Schema.Schema<A, AI>) =>
  Effect.fn(span)(function*(input: I) {
    const litellm = yield* LiteLlm
    return yield* litellm.write(path, input, response)
  })

const createTeam = postAs<typeof TeamCreateInput.Type>("Teams.create", "/team/new")(TeamRow)
// LiteLLM answers {team_id, data: <the team>}: the agent gets the team itself, as team_info has it.
const updateTeam = Effect.fn("Teams.update")(function*(input: typeof TeamUpdateInput.Type) {
  const litellm = yield* LiteLlm
  const { team_id: _, ...changes } = input
  if (Object.keys(changes).length === 0) return yield* nothingToChange("give the fields to set besides team_id")
  const answer = yield* litellm.write("/team/update", input, TeamUpdated)
  return isUnexpected(answer) ? answer : { ...answer.data, team_id: answer.team_id }
})
const deleteTeams = postAs<typeof TeamDeleteInput.Type>("Teams.delete", "/team/delete")(TeamsDeleted)
const addMembers = postAs<typeof MemberAddInput.Type>("Teams.addMembers", "/team/member_add")(TeamRow)
const removeMember = postAs<typeof MemberDeleteInput.Type>("Teams.removeMember", "/team/member_delete")(TeamRow)

// == Tools

export const tools: ReadonlyArray<Tool.Tool> = [
  Tool.make({
    name: "litellm_team_list",
    needs: { method: "GET", route: "/v2/team/list", fallbacks: ["/team/list"] },
    paging: { items: "teams", page: "page", size: "page_size", defaultSize: 10 },
    title: "List LiteLLM teams",
    description: "List teams with their alias, members (members_with_roles), models, budget and spend, a page at a " +
      "time (result has total, page, total_pages). team_alias is a substring match.",
    input: TeamListInput,
    output: TeamList,
    annotations: Tool.readOnly,
    run: listTeams
  }),
  Tool.make({
    name: "litellm_team_info",
    needs: { method: "GET", route: "/team/info" },
    title: "Get one LiteLLM team",
    description: "One team's details (team_info), its keys (with hashes in token) and memberships, by team_id.",
    input: TeamId,
    output: TeamInfo,
    annotations: Tool.readOnly,
    run: teamInfo
  }),
  Tool.make({
    name: "litellm_team_create",
    enterprise: "the argument tags",
    needs: { method: "POST", route: "/team/new" },
    title: "Create a LiteLLM team",
    description: "Create a team (all fields optional; a UUID team_id if none is given) with models, budget, limits " +
      "and first members. Fails 400 if the team_id exists. tags need LiteLLM Enterprise.",
    input: TeamCreateInput,
    output: Written(TeamRow),
    annotations: Tool.additive,
    run: createTeam
  }),
  Tool.make({
    name: "litellm_team_update",
    enterprise: "the argument tags",
    needs: { method: "POST", route: "/team/update" },
    title: "Update a LiteLLM team",
    description: "Change a team's alias, models, budget, limits, metadata or blocked flag, by team_id. Only the fields " +
      "given change. Members: use litellm_team_member_add / _delete.",
    input: TeamUpdateInput,
    output: Written(TeamRow),
    annotations: Tool.destructive,
    run: updateTeam
  }),
  Tool.make({
    name: "litellm_team_delete",
    needs: { method: "POST", route: "/team/delete" },
    title: "Delete LiteLLM teams",
    description: "Delete teams by id. WARNING: this also deletes ALL the teams' virtual keys, which stop working at " +
      "once, and their memberships. Irreversible. If any id is unknown, LiteLLM answers 404 and deletes nothing.",
    input: TeamDeleteInput,
    output: Written(TeamsDeleted),
    annotations: Tool.destructive,
    run: deleteTeams
  }),
  Tool.make({
    name: "litellm_team_member_add",
    enterprise: "a member with role admin",
    needs: { method: "POST", route: "/team/member_add" },
    title: "Add members to a LiteLLM team",
    description: "Add one member or several ({role: admin|user, user_id or user_email}) to a team. Unknown users are " +
      "created by LiteLLM. A member already in the team is a 400. role admin needs LiteLLM Enterprise.",
    input: MemberAddInput,
    output: Written(TeamRow),
    annotations: Tool.additive,
    run: addMembers
  }),
  Tool.make({
    name: "litellm_team_member_delete",
    needs: { method: "POST", route: "/team/member_delete", teamAdmin: true },
    title: "Remove a member from a LiteLLM team",
    description: "Remove one member, by exactly one of user_id or user_email, from a team. The user and their own " +
      "keys stay; a user not in the team is a 400.",
    input: MemberDeleteInput,
    output: Written(TeamRow),
    annotations: Tool.destructive,
    run: removeMember
  })
]
