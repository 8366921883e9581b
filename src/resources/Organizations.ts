import { Effect, Schema } from "effect"
import { LiteLlmApiError } from "../litellm/Errors.js"
import { isUnexpected, LiteLlm, onStatus, Written } from "../litellm/LiteLlm.js"
import { Open } from "../litellm/Answers.js"
import { nothingToChange, NotFound, Unsupported } from "../mcp/Errors.js"
import { Amount, Batch, Duration, Email, items, JsonObject, NonEmptyString, NonNegativeInt, StringList } from "../mcp/Schemas.js"
import * as Tool from "../mcp/Tool.js"

// Organizations (organization_endpoints.py: new_organization, update_organization,
// delete_organization, list_organization, info_organization, organization_member_add / _update /
// _delete). An organization owns teams and has a budget row of its own (budget_id): its spend limit
// lives there, not on the organization, so a budget change goes to /budget/update. Only a proxy
// admin gets past the route gate for nearly all of it: it admits an organization admin only by an
// organization_id in the JSON body, which a GET has none of.

// == LiteLLM's shapes

const OrgRow = Open({ organization_id: Schema.String, budget_id: Schema.optional(Schema.NullOr(Schema.String)) })
type OrgRow = typeof OrgRow.Type

const Membership = Open({ user_id: Schema.String, organization_id: Schema.String })

const MembersAdded = Open({
  organization_id: Schema.String,
  updated_users: Schema.Array(Open({ user_id: Schema.String })),
  updated_organization_memberships: Schema.Array(Membership)
})

// == Inputs

const OrgId = NonEmptyString.annotations({ description: "The organization's id." })

const Role = Schema.Literal("org_admin", "internal_user", "internal_user_viewer")
const ROLES = "org_admin manages the organization's teams and members; internal_user and internal_user_viewer are members"

const Member = Schema.Struct({
  role: Role,
  user_id: Schema.optional(NonEmptyString),
  user_email: Schema.optional(Email)
}).pipe(
  Schema.filter((m) => m.user_id !== undefined || m.user_email !== undefined, { message: () => "a member needs user_id or user_email" })
)

// The budget row's own fields: on create they make the organization's budget, on update they change it.
const budgetFields = {
  max_budget: Schema.optional(Amount.annotations({ description: "Spend limit in USD." })),
  soft_budget: Schema.optional(Amount.annotations({ description: "Spend at which LiteLLM alerts, in USD." })),
  budget_duration: Schema.optional(Duration.annotations({ description: "Budget reset period, e.g. 30d." })),
  tpm_limit: Schema.optional(NonNegativeInt),
  rpm_limit: Schema.optional(NonNegativeInt),
  max_parallel_requests: Schema.optional(NonNegativeInt)
}
const BUDGET_FIELDS = Object.keys(budgetFields)

const OrgListInput = Schema.Struct({
  organization_alias: Schema.optional(NonEmptyString.annotations({ description: "Part of the alias." }))
})

const OrgIdInput = Schema.Struct({ organization_id: OrgId })

const OrgCreateInput = Schema.Struct({
  organization_alias: NonEmptyString.annotations({ description: "The organization's name." }),
  organization_id: Schema.optional(NonEmptyString.annotations({ description: "Id to give it; a UUID if omitted." })),
  models: Schema.optional(StringList.annotations({ description: "Models its teams may use; [] = all (only if the caller may use all)." })),
  metadata: Schema.optional(JsonObject),
  budget_id: Schema.optional(NonEmptyString.annotations({ description: "An existing budget to use; otherwise one is made from the budget fields." })),
  ...budgetFields
})

const OrgUpdateInput = Schema.Struct({
  organization_id: OrgId,
  organization_alias: Schema.optional(NonEmptyString),
  models: Schema.optional(StringList),
  metadata: Schema.optional(JsonObject.annotations({ description: "Replaces the metadata." })),
  ...budgetFields
})

const OrgDeleteInput = Schema.Struct({
  organization_ids: Schema.Array(OrgId).pipe(items(1, 10)).annotations({
    description: "Organizations to delete, 1 to 10. Each takes ALL its teams, memberships and keys with it."
  })
})

const MemberAddInput = Schema.Struct({
  organization_id: OrgId,
  member: Schema.Union(Member, Batch(Member)).annotations({
    description: `One member or a list: {role, user_id or user_email}; ${ROLES}. Unknown users are created.`
  }),
  max_budget_in_organization: Schema.optional(Amount.annotations({ description: "Each new member's budget in it." }))
})

const userRef = { organization_id: OrgId, user_id: Schema.optional(NonEmptyString), user_email: Schema.optional(Email) }
const exactlyOneUser = <A extends { readonly user_id?: string | undefined; readonly user_email?: string | undefined }, I>(self: Schema.Schema<A, I>) =>
  self.pipe(Schema.filter((i) => (i.user_id === undefined) !== (i.user_email === undefined), {
    message: () => "give exactly one of user_id or user_email"
  }))

const MemberUpdateInput = Schema.Struct({
  ...userRef,
  role: Schema.optional(Role),
  max_budget_in_organization: Schema.optional(Amount.annotations({ description: "The member's budget in it." }))
}).pipe(exactlyOneUser)

const MemberDeleteInput = Schema.Struct(userRef).pipe(exactlyOneUser)

// == Outputs

const OrgList = Schema.Struct({ organizations: Schema.Array(OrgRow), total: Schema.Number })

const Deleted = Schema.Struct({
  deleted: Schema.Array(OrgRow),
  teams_deleted: Schema.Array(Schema.String).annotations({ description: "Teams that went with them (their keys too)" })
})

// == Operations

const listOrgs = Effect.fn("Organizations.list")(function*(input: typeof OrgListInput.Type) {
  const litellm = yield* LiteLlm
  const all = yield* litellm.get("/organization/list", {}, Schema.Array(OrgRow))
  const alias = input.organization_alias?.toLowerCase()
  const organizations = alias === undefined
    ? all
    : all.filter((o) => String(o["organization_alias"] ?? "").toLowerCase().includes(alias))
  return { organizations, total: organizations.length }
})

const readOrg = (id: string) =>
  Effect.flatMap(LiteLlm, (litellm) =>
    litellm.get("/organization/info", { organization_id: id }, OrgRow).pipe(
      onStatus(404, () => Effect.fail(new NotFound({ message: `No organization has the id ${id}.` })))
    ))

const orgInfo = Effect.fn("Organizations.info")(function*(input: typeof OrgIdInput.Type) {
  return yield* readOrg(input.organization_id)
})

const createOrg = Effect.fn("Organizations.create")(function*(input: typeof OrgCreateInput.Type) {
  const litellm = yield* LiteLlm
  return yield* litellm.write("/organization/new", input, OrgRow)
})

const pick = (input: Readonly<Record<string, unknown>>, names: ReadonlyArray<string>) =>
  Object.fromEntries(Object.entries(input).filter(([k]) => names.includes(k)))

// update_organization takes no budget fields: they are the budget row's, changed there. An
// unknown organization is an unhandled ValueError there (a plain 500), so it is looked up first.
const updateOrg = Effect.fn("Organizations.update")(function*(input: typeof OrgUpdateInput.Type) {
  const { organization_id: id, ...changes } = input
  if (Object.keys(changes).length === 0) return yield* nothingToChange("give the fields to set besides organization_id")
  const before = yield* readOrg(id)
  const litellm = yield* LiteLlm
  const own = pick(changes, ["organization_alias", "models", "metadata"])
  const budget = pick(changes, BUDGET_FIELDS)
  if (Object.keys(budget).length > 0 && typeof before.budget_id !== "string") {
    return yield* new Unsupported({
      message: `Organization ${id} has no budget row to change: create one with litellm_budget_create and set it ` +
        "as the organization's budget_id with litellm_route_change (PATCH /organization/update)."
    })
  }
  if (Object.keys(own).length > 0) yield* litellm.change("PATCH", "/organization/update", { organization_id: id, ...own }, OrgRow)
  if (Object.keys(budget).length > 0) {
    yield* litellm.write("/budget/update", { budget_id: before.budget_id, ...budget }, Schema.NullOr(Open({}))).pipe(
      // The first change stands: say so, rather than a failure that reads as nothing done.
      Effect.mapError((e) =>
        Object.keys(own).length === 0 || !(e instanceof LiteLlmApiError) ? e : new LiteLlmApiError({
          status: e.status,
          message: `The organization's ${Object.keys(own).join(", ")} were changed, but its budget was not: ${e.message}`,
          detail: e.detail
        })
      )
    )
  }
  // The organization as it now is, its budget included; what was written stays written if this read fails.
  return yield* readOrg(id).pipe(
    Effect.catchAll(() => Effect.succeed({ organization_id: id, note: "Updated; read it back with litellm_org_info." }))
  )
})

// delete_organization deletes each organization's teams, memberships and keys and then the
// organization, one at a time, and only then finds an id unknown (404): the earlier ones are gone
// by then. Every id is looked up first, so a typo deletes nothing.
const deleteOrgs = Effect.fn("Organizations.delete")(function*(input: typeof OrgDeleteInput.Type) {
  const found = yield* Effect.forEach(input.organization_ids, readOrg)
  const litellm = yield* LiteLlm
  const answer = yield* litellm.change("DELETE", "/organization/delete", input, Schema.Array(OrgRow))
  const teams = found.flatMap((o) => Array.isArray(o["teams"]) ? o["teams"] as Array<Record<string, unknown>> : [])
  return isUnexpected(answer)
    ? answer
    : { deleted: answer, teams_deleted: teams.map((t) => String(t["team_id"])) }
})

// organization_member_add ignores max_budget_in_organization; member_update sets it (making the
// member's budget row), so it is set there, member by member.
const addMembers = Effect.fn("Organizations.addMembers")(function*(input: typeof MemberAddInput.Type) {
  const litellm = yield* LiteLlm
  const { max_budget_in_organization: budget, ...add } = input
  const added = yield* litellm.write("/organization/member_add", add, MembersAdded)
  if (budget === undefined || isUnexpected(added)) return added
  const budgets = yield* Effect.forEach(added.updated_users, (user) =>
    litellm.change("PATCH", "/organization/member_update", {
      organization_id: input.organization_id,
      user_id: user.user_id,
      max_budget_in_organization: budget
    }, Membership).pipe(
      Effect.as({ user_id: user.user_id, ok: true }),
      Effect.catchAll((e) => Effect.succeed({ user_id: user.user_id, ok: false, error: e.message }))
    ))
  const failed = budgets.filter((b) => !b.ok)
  return {
    ...added,
    ...(failed.length === 0 ? {} : {
      warning: `The members were added, but their budget in the organization was not set for ${failed.map((f) => f.user_id).join(", ")}: ` +
        `call litellm_org_member_update for them (${failed.map((f) => ("error" in f ? f.error : "")).join("; ")}).`
    })
  }
})

const updateMember = Effect.fn("Organizations.updateMember")(function*(input: typeof MemberUpdateInput.Type) {
  if (input.role === undefined && input.max_budget_in_organization === undefined) {
    return yield* nothingToChange("give role or max_budget_in_organization")
  }
  const litellm = yield* LiteLlm
  return yield* litellm.change("PATCH", "/organization/member_update", input, Membership)
})

// A user who is not a member: LiteLLM deletes nothing and answers 200 null.
const removeMember = Effect.fn("Organizations.removeMember")(function*(input: typeof MemberDeleteInput.Type) {
  const litellm = yield* LiteLlm
  const answer = yield* litellm.change("DELETE", "/organization/member_delete", input, Schema.NullOr(Membership))
  if (answer === null) {
    return yield* new NotFound({
      message: `${input.user_id ?? input.user_email} is not a member of organization ${input.organization_id}; nothing was changed.`
    })
  }
  return answer
})

// == Tools

const ADMIN_ONLY = "Proxy admins only (LiteLLM's route check admits an organization admin by the body alone)."

export const tools: ReadonlyArray<Tool.Tool> = [
  Tool.make({
    name: "litellm_org_list",
    needs: { method: "GET", route: "/organization/list" },
    title: "List LiteLLM organizations",
    description: "Organizations with their members, teams and budget (litellm_budget_table). A proxy admin sees all; " +
      "anyone else, the ones they are a member of. organization_alias is a substring match.",
    input: OrgListInput,
    output: OrgList,
    annotations: Tool.readOnly,
    run: listOrgs
  }),
  Tool.make({
    name: "litellm_org_info",
    needs: { method: "GET", route: "/organization/info" },
    title: "Get one LiteLLM organization",
    description: "One organization by id: alias, models, spend, budget (litellm_budget_table), members, teams.",
    input: OrgIdInput,
    output: OrgRow,
    annotations: Tool.readOnly,
    run: orgInfo
  }),
  Tool.make({
    name: "litellm_org_create",
    needs: { method: "POST", route: "/organization/new" },
    title: "Create a LiteLLM organization",
    description: "Create an organization by alias, with models, metadata and a budget: an existing budget_id, or " +
      `one LiteLLM makes from max_budget, budget_duration and the limits. ${ADMIN_ONLY}`,
    input: OrgCreateInput,
    output: Written(OrgRow),
    annotations: Tool.additive,
    run: createOrg
  }),
  Tool.make({
    name: "litellm_org_update",
    needs: { method: "PATCH", route: "/organization/update" },
    title: "Update a LiteLLM organization",
    description: "Change an organization's alias, models or metadata, and its budget (max_budget, budget_duration, " +
      `limits: on its budget row). Only the fields given change. Returns it as it now is. ${ADMIN_ONLY}`,
    input: OrgUpdateInput,
    output: Written(OrgRow),
    annotations: Tool.destructive,
    run: updateOrg
  }),
  Tool.make({
    name: "litellm_org_delete",
    needs: { method: "DELETE", route: "/organization/delete" },
    title: "Delete LiteLLM organizations",
    description: "Delete organizations by id. WARNING: LiteLLM also deletes ALL their teams, memberships and virtual " +
      "keys (which stop working at once). Irreversible. If any id is unknown, nothing is deleted. " +
      "Read litellm_org_info first to see what will go.",
    input: OrgDeleteInput,
    output: Written(Deleted),
    annotations: Tool.destructive,
    run: deleteOrgs
  }),
  Tool.make({
    name: "litellm_org_member_add",
    needs: { method: "POST", route: "/organization/member_add", orgAdmin: true },
    title: "Add members to a LiteLLM organization",
    description: `Add one member or several ({role, user_id or user_email}; ${ROLES}). Unknown users are created ` +
      "by LiteLLM. A user already a member is an error.",
    input: MemberAddInput,
    output: Written(MembersAdded),
    annotations: Tool.additive,
    run: addMembers
  }),
  Tool.make({
    name: "litellm_org_member_update",
    needs: { method: "PATCH", route: "/organization/member_update", orgAdmin: true },
    title: "Update a LiteLLM organization member",
    description: "Change one member's role or budget in the organization, by exactly one of user_id or user_email.",
    input: MemberUpdateInput,
    output: Written(Membership),
    annotations: Tool.destructive,
    run: updateMember
  }),
  Tool.make({
    name: "litellm_org_member_delete",
    needs: { method: "DELETE", route: "/organization/member_delete", orgAdmin: true },
    title: "Remove a member from a LiteLLM organization",
    description: "Remove one member, by exactly one of user_id or user_email. The user, their teams and keys stay.",
    input: MemberDeleteInput,
    output: Written(Membership),
    annotations: Tool.destructive,
    run: removeMember
  })
]
