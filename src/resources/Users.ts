import { Effect, Schema } from "effect"
import { Ambiguous, nothingToChange, NotFound, Unsupported } from "../mcp/Errors.js"
import { isUnexpected, LiteLlm, onStatus, type UnexpectedAnswer, Written } from "../litellm/LiteLlm.js"
import {
  Amount,
  Batch,
  Duration,
  Email,
  IdList,
  Int,
  JsonObject,
  MAX_BATCH,
  NonEmptyString,
  NonNegativeInt,
  Page,
  SortOrder,
  StringList
} from "../mcp/Schemas.js"
import { Open } from "../litellm/Answers.js"
import * as Tool from "../mcp/Tool.js"

// == LiteLLM's shapes (lenient: only what this module reads is required)

const UserRow = Open({ user_id: Schema.String, user_email: Schema.optional(Schema.NullOr(Schema.String)) })

const UserListResponse = Open({
  users: Schema.Array(UserRow),
  total: Schema.Number,
  page: Schema.Number,
  page_size: Schema.Number,
  total_pages: Schema.Number
})

const UserInfoResponse = Open({
  user_id: Schema.NullOr(Schema.String),
  user_info: Schema.NullOr(Open({})),
  keys: Schema.Array(Open({})),
  teams: Schema.Array(Open({}))
})

const NewUserResponse = Open({
  user_id: Schema.String,
  key: Schema.optional(Schema.NullOr(Schema.String).annotations({ description: "The auto-created key, raw; shown once" }))
})

const UpdateUserResponse = Open({ user_id: Schema.String, data: Open({}) })

// LiteLLM answers {user_id, data: <the user>}: the agent gets the user itself, as user_info has it.
const UpdatedUser = Open({ user_id: Schema.String })
const theUser = (answer: typeof UpdateUserResponse.Type | UnexpectedAnswer) =>
  isUnexpected(answer) ? answer : { ...answer.data, user_id: answer.user_id }

const DeletedCount = Schema.Number.pipe(Schema.int(), Schema.nonNegative())

const DeletedUsers = Schema.Struct({ deleted_count: DeletedCount, user_ids: Schema.Array(Schema.String) })

// == Inputs

const AdminRole = Schema.Literal("proxy_admin", "proxy_admin_viewer", "internal_user", "internal_user_viewer")
  .annotations({
    description: "proxy_admin (full admin), proxy_admin_viewer (read-only admin), internal_user (manages own keys), internal_user_viewer (views own keys)"
  })

const AnyRole = Schema.Literal(
  "proxy_admin",
  "proxy_admin_viewer",
  "org_admin",
  "internal_user",
  "internal_user_viewer",
  "team",
  "customer"
)

const TeamMembership = Schema.Struct({
  team_id: NonEmptyString,
  max_budget_in_team: Schema.optional(Amount),
  user_role: Schema.optional(Schema.Literal("user", "admin").annotations({ description: "Team role, default user." }))
})

// Fields /user/new and /user/update share, under LiteLLM's own names.
const userSettings = {
  user_alias: Schema.optional(NonEmptyString.annotations({ description: "Display name." })),
  user_role: Schema.optional(AdminRole),
  max_budget: Schema.optional(Amount.annotations({ description: "Budget in USD for all the user's spend." })),
  budget_duration: Schema.optional(Duration.annotations({ description: "Budget reset period, e.g. 30d or 1mo." })),
  models: Schema.optional(StringList.annotations({
    description: "Models the user may call. [\"no-default-models\"] limits the user to team models."
  })),
  tpm_limit: Schema.optional(NonNegativeInt.annotations({ description: "Tokens per minute." })),
  rpm_limit: Schema.optional(NonNegativeInt.annotations({ description: "Requests per minute." })),
  max_parallel_requests: Schema.optional(NonNegativeInt),
  metadata: Schema.optional(JsonObject),
  blocked: Schema.optional(Schema.Boolean),
  model_max_budget: Schema.optional(JsonObject.annotations({ description: "Per-model budget in USD, e.g. {\"gpt-4o\": 10}." })),
  model_rpm_limit: Schema.optional(JsonObject),
  model_tpm_limit: Schema.optional(JsonObject),
  guardrails: Schema.optional(StringList),
  allowed_cache_controls: Schema.optional(StringList)
}

const UserListInput = Schema.Struct({
  role: Schema.optional(AnyRole.annotations({ description: "Only users with exactly this role." })),
  user_ids: Schema.optional(IdList(
    "Only these user ids. Trap: a single id is a case-insensitive substring match in LiteLLM; two or more are exact."
  )),
  sso_user_ids: Schema.optional(IdList("Only these SSO user ids (exact).")),
  user_email: Schema.optional(NonEmptyString.annotations({
    description: "Case-insensitive substring of the email. For one exact user use litellm_user_info."
  })),
  team: Schema.optional(NonEmptyString.annotations({ description: "Only members of this team id." })),
  organization_ids: Schema.optional(IdList("Only members of these organization ids.")),
  page: Schema.optional(Page),
  page_size: Schema.optional(Int(1, 100).annotations({ description: "Users per page, 1 to 100 (LiteLLM default 25)." })),
  sort_by: Schema.optional(Schema.Literal("user_id", "user_email", "created_at", "spend", "user_alias", "user_role")
    .annotations({ description: "Sort column. Without it LiteLLM returns newest first." })),
  sort_order: Schema.optional(SortOrder.annotations({ description: "asc (default) or desc; used only with sort_by." }))
})

const UserCreateInput = Schema.Struct({
  user_id: Schema.optional(NonEmptyString.annotations({ description: "Id to give the user; LiteLLM makes a UUID if omitted." })),
  user_email: Schema.optional(Email.annotations({ description: "Must be unique (case-insensitive)." })),
  ...userSettings,
  sso_user_id: Schema.optional(NonEmptyString),
  teams: Schema.optional(
    Schema.Union(Batch(NonEmptyString), Batch(TeamMembership)).annotations({
      description: "Teams to add the user to: team ids, or {team_id, user_role, max_budget_in_team} objects."
    })
  ),
  organizations: Schema.optional(StringList.annotations({ description: "Organization ids to add the user to." })),
  spend: Schema.optional(Amount.annotations({ description: "Starting spend in USD." })),
  auto_create_key: Schema.optional(Schema.Boolean.annotations({
    description: "Create a virtual key for the user (LiteLLM default true). Its raw key is in this result only."
  })),
  send_invite_email: Schema.optional(Schema.Boolean),
  key_alias: Schema.optional(NonEmptyString.annotations({ description: "Alias of the auto-created key (unique)." })),
  duration: Schema.optional(Duration.annotations({ description: "Lifetime of the auto-created key; omitted = never expires." }))
})

// LiteLLM ignores null, [] and {} on update, so an empty value would silently change nothing.
const nonEmptyOnUpdate = {
  ...userSettings,
  models: Schema.optional(StringList.pipe(Schema.minItems(1, { message: () => "must have at least 1 item" })).annotations({
    description: "Replaces the allowed models. LiteLLM ignores an empty list, so [] is refused here."
  })),
  guardrails: Schema.optional(StringList.pipe(Schema.minItems(1, { message: () => "must have at least 1 item" }))),
  allowed_cache_controls: Schema.optional(StringList.pipe(Schema.minItems(1, { message: () => "must have at least 1 item" })))
}

const UserUpdateInput = Schema.Struct({
  user_id: Schema.optional(NonEmptyString.annotations({ description: "The user to update." })),
  user_email: Schema.optional(Email.annotations({
    description: "Without user_id: the user to update (exact, case-insensitive). With user_id: the new email."
  })),
  spend: Schema.optional(Amount.annotations({ description: "Overwrites the user's recorded spend in USD." })),
  ...nonEmptyOnUpdate
}).pipe(
  Schema.filter((input) => input.user_id !== undefined || input.user_email !== undefined, {
    message: () => "give user_id or user_email to say which user to update"
  })
)

const UserDeleteInput = Schema.Struct({
  user_ids: Batch(NonEmptyString).annotations({
    description: `Users to delete, at most ${MAX_BATCH} a call. If any id is unknown, nothing is deleted.`
  })
})

const UserInfoInput = Schema.Struct({
  user_id: Schema.optional(NonEmptyString.annotations({ description: "The user's id." })),
  user_email: Schema.optional(Email.annotations({ description: "The user's email (exact, case-insensitive)." }))
}).pipe(
  Schema.filter((input) => (input.user_id === undefined) !== (input.user_email === undefined), {
    message: () => "give exactly one of user_id or user_email"
  })
)

// == Operations

/** How many pages of /user/list one lookup reads before it gives up. */
const MAX_LOOKUP_PAGES = 10

const joined = (ids: ReadonlyArray<string> | undefined) => ids?.join(",")

const listUsers = Effect.fn("Users.list")(function*(input: typeof UserListInput.Type) {
  const litellm = yield* LiteLlm
  return yield* litellm.get("/user/list", {
    ...input,
    user_ids: joined(input.user_ids),
    sso_user_ids: joined(input.sso_user_ids),
    organization_ids: joined(input.organization_ids)
  }, UserListResponse)
})

/** `/user/info` knows only ids, and `/user/list?user_email=` is a substring match: narrow it. */
const findUserIdByEmail = Effect.fn("Users.findIdByEmail")(function*(email: string) {
  const litellm = yield* LiteLlm
  const wanted = email.toLowerCase()
  const matches: Array<typeof UserRow.Type> = []
  for (let page = 1, pages = 1; page <= pages; page++) {
    // A bound on one call's cost, whatever total_pages LiteLLM reports.
    if (page > MAX_LOOKUP_PAGES) {
      return yield* new Unsupported({
        message: `More than ${MAX_LOOKUP_PAGES * 100} users' emails contain ${email}; name the user by user_id.`
      })
    }
    const result = yield* litellm.get("/user/list", { user_email: email, page, page_size: 100 }, UserListResponse)
    matches.push(...result.users.filter((u) => u.user_email?.toLowerCase() === wanted))
    pages = result.total_pages
  }
  if (matches.length === 0) return yield* new NotFound({ message: `No user has the email ${email}.` })
  if (matches.length > 1) {
    return yield* new Ambiguous({
      message: `${matches.length} users have the email ${email}; name one by user_id.`,
      candidates: matches.map((u) => ({ user_id: u.user_id, user_email: u.user_email }))
    })
  }
  return matches[0]!.user_id
})

export const getUserInfo = Effect.fn("Users.info")(function*(userId: string) {
  const litellm = yield* LiteLlm
  const info = yield* litellm.get("/user/info", { user_id: userId }, UserInfoResponse).pipe(
    onStatus(404, () => new NotFound({ message: `No user has the id ${userId}.` }))
  )
  // Releases before November 2025 answer an unknown id with 200 and `user_info: {"spend": 0}`
  // (no user_id in it); some older ones with `user_info: null`. Neither is a user.
  if (info.user_info === null || typeof info.user_info["user_id"] !== "string") {
    return yield* new NotFound({ message: `No user has the id ${userId}.` })
  }
  return info
})

const userInfo = Effect.fn("Users.infoByIdOrEmail")(function*(input: typeof UserInfoInput.Type) {
  const userId = input.user_id ?? (yield* findUserIdByEmail(input.user_email!))
  return yield* getUserInfo(userId)
})

const createUser = Effect.fn("Users.create")(function*(input: typeof UserCreateInput.Type) {
  const litellm = yield* LiteLlm
  return yield* litellm.write("/user/new", input, NewUserResponse)
})

const updateUser = Effect.fn("Users.update")(function*(input: typeof UserUpdateInput.Type) {
  const litellm = yield* LiteLlm
  const { user_id, user_email, ...changes } = input
  if (Object.keys(changes).length === 0 && (user_id === undefined || user_email === undefined)) {
    return yield* nothingToChange("give the fields to set; to change the email, give user_id and the new user_email")
  }
  // /user/update upserts: an unknown id or email would silently create a user. Confirm first.
  if (input.user_id !== undefined) {
    yield* getUserInfo(input.user_id)
    return theUser(yield* litellm.write("/user/update", input, UpdateUserResponse))
  }
  const userId = yield* findUserIdByEmail(user_email!)
  return theUser(yield* litellm.write("/user/update", { ...changes, user_id: userId }, UpdateUserResponse))
})

const deleteUsers = Effect.fn("Users.delete")(function*(input: typeof UserDeleteInput.Type) {
  const litellm = yield* LiteLlm
  // LiteLLM removes the known users from their teams before it answers 404 for an unknown one:
  // every id is checked first, so a delete with an unknown id changes nothing.
  const userIds = [...new Set(input.user_ids)]
  const found = yield* Effect.forEach(
    userIds,
    (id) => getUserInfo(id).pipe(Effect.as(true), Effect.catchTag("NotFound", () => Effect.succeed(false))),
    { concurrency: 4 }
  )
  const unknown = userIds.filter((_, i) => !found[i])
  if (unknown.length > 0) {
    return yield* new NotFound({ message: `No user has the id ${unknown.join(", ")}; nothing was deleted.` })
  }
  const deleted = yield* litellm.write("/user/delete", { user_ids: userIds }, DeletedCount)
  return isUnexpected(deleted) ? { ...deleted, user_ids: userIds } : { deleted_count: deleted, user_ids: userIds }
})

// == Tools

export const tools: ReadonlyArray<Tool.Tool> = [
  Tool.make({
    name: "litellm_user_list",
    needs: { method: "GET", route: "/user/list", orgAdmin: true },
    paging: { items: "users", page: "page", size: "page_size", defaultSize: 25 },
    output: UserListResponse,
    title: "List LiteLLM users",
    description: "List the proxy's internal users with their budgets, spend, role, teams and key_count, a page at a time " +
      "(result has total, page, page_size, total_pages). Filters combine. Traps: user_email is a substring match, and " +
      "a single user_ids entry is a substring match too; to fetch one exact user use litellm_user_info.",
    input: UserListInput,
    annotations: Tool.readOnly,
    run: listUsers
  }),
  Tool.make({
    name: "litellm_user_create",
    needs: { method: "POST", route: "/user/new" },
    output: Written(NewUserResponse),
    title: "Create a LiteLLM user",
    description: "Create an internal user (all fields optional; LiteLLM makes a UUID user_id if none is given). " +
      "By default LiteLLM also creates a virtual key for the user: its raw sk- key is in this result's data.key and is " +
      "never shown again, so hand it over now or pass auto_create_key: false. LiteLLM answers 409 if the id or email is taken.",
    input: UserCreateInput,
    annotations: Tool.additive,
    run: createUser
  }),
  Tool.make({
    name: "litellm_user_update",
    needs: { method: "POST", route: "/user/update" },
    output: Written(UpdatedUser),
    title: "Update a LiteLLM user",
    description: "Change an existing user's role, budget, limits, models or metadata. Name the user by user_id, or by " +
      "user_email alone. Only the fields given change. Unlike LiteLLM's /user/update (which silently creates a user " +
      "when none matches) this answers 404 when the user does not exist.",
    input: UserUpdateInput,
    annotations: Tool.destructive,
    run: updateUser
  }),
  Tool.make({
    name: "litellm_user_delete",
    needs: { method: "POST", route: "/user/delete" },
    output: Written(DeletedUsers),
    title: "Delete LiteLLM users",
    description: "Delete users by id, together with ALL their virtual keys and team memberships. Irreversible. Every id " +
      "is checked first: if any is unknown, nothing changes (404). Result: {deleted_count, user_ids}.",
    input: UserDeleteInput,
    annotations: Tool.destructive,
    run: deleteUsers
  }),
  Tool.make({
    name: "litellm_user_info",
    needs: { method: "GET", route: "/user/info" },
    output: UserInfoResponse,
    title: "Get one LiteLLM user",
    description: "One user's details (user_info), their keys (with each key's hash in token) and their teams. Give " +
      "exactly one of user_id or user_email; an email must match exactly (case-insensitive): 404 if no user has it, " +
      "409 with the candidates if several do.",
    input: UserInfoInput,
    annotations: Tool.readOnly,
    run: userInfo
  })
]
