import { Effect, Schema } from "effect"
import { LiteLlmApiError } from "../litellm/Errors.js"
import { LiteLlm, Written } from "../litellm/LiteLlm.js"
import { Open } from "../litellm/Answers.js"
import { nothingToChange, NotFound } from "../mcp/Errors.js"
import { Amount, atMostFields, Batch, DateTime, Duration, NonEmptyString, NonNegativeInt } from "../mcp/Schemas.js"
import * as Tool from "../mcp/Tool.js"

// Budgets (budget_management_endpoints.py: new_budget, update_budget, info_budget, list_budget,
// delete_budget): rows of LiteLLM_BudgetTable that organizations, customers, tags, keys and team
// memberships point at by budget_id, so one budget's limits apply to each of them.

// == LiteLLM's shapes

const BudgetRow = Open({ budget_id: Schema.String })

// == Inputs

const BudgetId = NonEmptyString.annotations({ description: "The budget's id." })

const MaxBudget = Amount.annotations({ description: "Spend limit in USD." })
const SoftBudget = Amount.annotations({ description: "Spend at which LiteLLM alerts, in USD." })
const BudgetDuration = Duration.annotations({ description: "Reset period, e.g. 30d." })
// BudgetConfig, per model name.
const ModelMaxBudget = Schema.Record({
  key: Schema.String,
  value: Schema.Struct({
    max_budget: Schema.optional(Amount),
    budget_duration: Schema.optional(Duration),
    tpm_limit: Schema.optional(NonNegativeInt),
    rpm_limit: Schema.optional(NonNegativeInt)
  })
}).pipe(atMostFields).annotations({ description: "Per model: {\"openai/gpt-4o\": {\"max_budget\": 10, \"budget_duration\": \"1d\"}}." })
const ResetAt = DateTime.annotations({ description: "When it next resets (default: from budget_duration)." })

const BudgetCreateInput = Schema.Struct({
  budget_id: Schema.optional(BudgetId.annotations({ description: "Id to give it; a UUID if omitted." })),
  max_budget: Schema.optional(MaxBudget),
  soft_budget: Schema.optional(SoftBudget),
  max_parallel_requests: Schema.optional(NonNegativeInt),
  tpm_limit: Schema.optional(NonNegativeInt),
  rpm_limit: Schema.optional(NonNegativeInt),
  budget_duration: Schema.optional(BudgetDuration),
  model_max_budget: Schema.optional(ModelMaxBudget),
  budget_reset_at: Schema.optional(ResetAt)
})

// update_budget writes what was sent (exclude_unset): null clears a limit.
const BudgetUpdateInput = Schema.Struct({
  budget_id: BudgetId,
  max_budget: Schema.optional(Schema.NullOr(MaxBudget)),
  soft_budget: Schema.optional(Schema.NullOr(SoftBudget)),
  max_parallel_requests: Schema.optional(Schema.NullOr(NonNegativeInt)),
  tpm_limit: Schema.optional(Schema.NullOr(NonNegativeInt)),
  rpm_limit: Schema.optional(Schema.NullOr(NonNegativeInt)),
  budget_duration: Schema.optional(Schema.NullOr(BudgetDuration)),
  model_max_budget: Schema.optional(Schema.NullOr(ModelMaxBudget)),
  budget_reset_at: Schema.optional(Schema.NullOr(ResetAt))
})

const BudgetInfoInput = Schema.Struct({ budget_ids: Batch(BudgetId).annotations({ description: "Budgets to read." }) })

const BudgetDeleteInput = Schema.Struct({ budget_id: BudgetId })

// == Outputs

const BudgetList = Schema.Struct({ budgets: Schema.Array(BudgetRow), total: Schema.Number })

const BudgetInfo = Schema.Struct({
  budgets: Schema.Array(BudgetRow),
  missing: Schema.Array(Schema.String).annotations({ description: "Ids asked for that no budget has" })
})

// == Operations

const listBudgets = Effect.fn("Budgets.list")(function*() {
  const litellm = yield* LiteLlm
  const budgets = yield* litellm.get("/budget/list", {}, Schema.Array(BudgetRow))
  return { budgets, total: budgets.length }
})

// A proxy admin viewer may read the list but not POST /budget/info (its role may POST no route
// outside a few lists): the list then answers the same question.
const isViewerRefusal = (e: unknown): e is LiteLlmApiError =>
  e instanceof LiteLlmApiError && e.status === 403 && /proxy_admin_viewer/.test(e.message)

const readBudgets = (ids: ReadonlyArray<string>) =>
  Effect.flatMap(LiteLlm, (litellm) =>
    litellm.post("/budget/info", { budgets: ids }, Schema.Array(BudgetRow)).pipe(
      Effect.catchIf(isViewerRefusal, () =>
        Effect.map(litellm.get("/budget/list", {}, Schema.Array(BudgetRow)), (all) => all.filter((b) => ids.includes(b.budget_id))))
    ))

const budgetInfo = Effect.fn("Budgets.info")(function*(input: typeof BudgetInfoInput.Type) {
  const budgets = yield* readBudgets(input.budget_ids)
  const found = new Set(budgets.map((b) => b.budget_id))
  return { budgets, missing: input.budget_ids.filter((id) => !found.has(id)) }
})

const existing = (id: string) =>
  Effect.flatMap(readBudgets([id]), (found) =>
    found.length > 0 ? Effect.succeed(found[0]!) : Effect.fail(new NotFound({ message: `No budget has the id ${id}.` })))

const createBudget = Effect.fn("Budgets.create")(function*(input: typeof BudgetCreateInput.Type) {
  const litellm = yield* LiteLlm
  // Releases before the duplicate check answer an existing id with the database's plain 500.
  if (input.budget_id !== undefined) {
    const found = yield* readBudgets([input.budget_id])
    if (found.length > 0) {
      return yield* new LiteLlmApiError({
        status: 400,
        message: `Budget with id '${input.budget_id}' already exists.`,
        detail: { existing: found[0] }
      })
    }
  }
  return yield* litellm.write("/budget/new", input, BudgetRow)
})

const updateBudget = Effect.fn("Budgets.update")(function*(input: typeof BudgetUpdateInput.Type) {
  const { budget_id: id, ...changes } = input
  if (Object.keys(changes).length === 0) return yield* nothingToChange("give the limits to set besides budget_id")
  // LiteLLM answers an unknown id with success and null: found out first.
  yield* existing(id)
  const litellm = yield* LiteLlm
  const answer = yield* litellm.write("/budget/update", input, Schema.NullOr(BudgetRow))
  if (answer === null) return yield* new NotFound({ message: `No budget has the id ${id} (it was deleted meanwhile).` })
  return answer
})

const deleteBudget = Effect.fn("Budgets.delete")(function*(input: typeof BudgetDeleteInput.Type) {
  yield* existing(input.budget_id)
  const litellm = yield* LiteLlm
  return yield* litellm.write("/budget/delete", { id: input.budget_id }, Schema.NullOr(BudgetRow)).pipe(
    Effect.flatMap((answer) =>
      answer === null
        ? Effect.fail(new NotFound({ message: `No budget has the id ${input.budget_id} (it was deleted meanwhile).` }))
        : Effect.succeed(answer)
    ),
    // The database refuses to delete a budget something still points at, and LiteLLM does not
    // catch it: its plain 500 says nothing, so say what it most likely is.
    Effect.catchIf(
      (e): e is LiteLlmApiError => e instanceof LiteLlmApiError && e.status === 500,
      (e) =>
        Effect.fail(
          new LiteLlmApiError({
            status: 500,
            message: `LiteLLM could not delete budget ${input.budget_id} (${e.message}): most likely a key, user, team ` +
              "membership, organization or customer still has it as budget_id. Move them to another budget first.",
            detail: e.detail
          })
        )
    )
  )
})

// == Tools

const LINKS = "A budget applies where its budget_id is set: organizations, customers, tags, keys and team memberships."

export const tools: ReadonlyArray<Tool.Tool> = [
  Tool.make({
    name: "litellm_budget_list",
    needs: { method: "GET", route: "/budget/list" },
    title: "List LiteLLM budgets",
    description: `Every budget: budget_id, max_budget, soft_budget, limits, budget_duration, budget_reset_at. ${LINKS}`,
    input: Schema.Struct({}),
    output: BudgetList,
    annotations: Tool.readOnly,
    run: listBudgets
  }),
  Tool.make({
    name: "litellm_budget_info",
    needs: { method: "GET", route: "/budget/list" },
    title: "Get LiteLLM budgets",
    description: "Read budgets by budget_id: their limits, budget_duration and budget_reset_at (a budget holds " +
      "limits; spend is on what uses it). missing lists the ids no budget has.",
    input: BudgetInfoInput,
    output: BudgetInfo,
    annotations: Tool.readOnly,
    run: budgetInfo
  }),
  Tool.make({
    name: "litellm_budget_create",
    needs: { method: "POST", route: "/budget/new" },
    title: "Create a LiteLLM budget",
    description: `Create a budget (all fields optional). ${LINKS} Fails 400 if the budget_id exists.`,
    input: BudgetCreateInput,
    output: Written(BudgetRow),
    annotations: Tool.additive,
    run: createBudget
  }),
  Tool.make({
    name: "litellm_budget_update",
    needs: { method: "POST", route: "/budget/update" },
    title: "Update a LiteLLM budget",
    description: "Change a budget's limits by budget_id, for everything that uses it; only the fields given change, " +
      "null clears one. A new budget_duration does not move budget_reset_at: set both.",
    input: BudgetUpdateInput,
    output: Written(BudgetRow),
    annotations: Tool.destructive,
    run: updateBudget
  }),
  Tool.make({
    name: "litellm_budget_delete",
    needs: { method: "POST", route: "/budget/delete" },
    title: "Delete a LiteLLM budget",
    description: "Delete a budget by budget_id (proxy admins only). LiteLLM cannot delete one that something still " +
      "uses as its budget_id.",
    input: BudgetDeleteInput,
    output: Written(BudgetRow),
    annotations: Tool.destructive,
    run: deleteBudget
  })
]
