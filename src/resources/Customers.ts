import { Effect, Schema } from "effect"
import { LiteLlmApiError } from "../litellm/Errors.js"
import { isUnexpected, LiteLlm, Written } from "../litellm/LiteLlm.js"
import { Open } from "../litellm/Answers.js"
import { nothingToChange, NotFound, Unsupported } from "../mcp/Errors.js"
import { Amount, Batch, Duration, Int, NonEmptyString, Page } from "../mcp/Schemas.js"
import * as Tool from "../mcp/Tool.js"

// Customers: the end users of the proxy's callers, named in a request's `user` field
// (customer_endpoints.py: new_end_user, end_user_info, update_end_user, delete_end_user,
// list_end_user, block_user, unblock_user; read @698c0986 and @029f645f). Their spend limit is on
// a budget row (budget_id), which several customers may share.

// == LiteLLM's shapes

const CustomerRow = Open({
  user_id: Schema.String,
  blocked: Schema.optional(Schema.NullOr(Schema.Boolean)),
  budget_id: Schema.optional(Schema.NullOr(Schema.String))
})
type CustomerRow = typeof CustomerRow.Type

const Blocked = Open({ blocked_users: Schema.Array(CustomerRow) })

const Deleted = Open({ deleted_customers: Schema.Number, message: Schema.String })

// == Inputs

const CustomerId = NonEmptyString.annotations({ description: "The customer's id (what callers send as `user`)." })
const Region = Schema.Literal("eu", "us").annotations({ description: "Only models of this region serve it." })
const DefaultModel = NonEmptyString.annotations({ description: "Its model when none of the region fits; must exist." })

const CustomerListInput = Schema.Struct({
  page: Schema.optional(Page),
  page_size: Schema.optional(Int(1, 100).annotations({ description: "Customers per page, 1 to 100 (default 50)." }))
})

const CustomerIdInput = Schema.Struct({ user_id: CustomerId })

const CustomerCreateInput = Schema.Struct({
  user_id: CustomerId,
  alias: Schema.optional(NonEmptyString),
  blocked: Schema.optional(Schema.Boolean),
  budget_id: Schema.optional(NonEmptyString.annotations({ description: "An existing budget (shared with its other users)." })),
  max_budget: Schema.optional(Amount.annotations({ description: "Spend limit in USD: makes a budget of its own." })),
  budget_duration: Schema.optional(Duration.annotations({ description: "Budget reset period, e.g. 30d." })),
  allowed_model_region: Schema.optional(Region),
  default_model: Schema.optional(DefaultModel)
})

const CustomerUpdateInput = Schema.Struct({
  user_id: CustomerId,
  alias: Schema.optional(NonEmptyString),
  blocked: Schema.optional(Schema.Boolean.annotations({ description: "true blocks it; false only where it is not blocked." })),
  budget_id: Schema.optional(NonEmptyString.annotations({ description: "Move it to this existing budget." })),
  max_budget: Schema.optional(Amount.annotations({ description: "Spend limit in USD, on its budget row (0 works here)." })),
  allowed_model_region: Schema.optional(Region),
  default_model: Schema.optional(DefaultModel)
})

const CustomerIds = Schema.Struct({ user_ids: Batch(CustomerId).annotations({ description: "Customers, 1 to 100." }) })

const CustomerBlockInput = Schema.Struct({
  ...CustomerIds.fields,
  create_if_missing: Schema.optional(Schema.Boolean.annotations({
    description: "Block ids no customer has yet by creating them blocked (LiteLLM's own behaviour); default false."
  }))
})

// == Outputs

const CustomerList = Schema.Struct({
  customers: Schema.Array(CustomerRow),
  total: Schema.Number,
  page: Schema.Number,
  total_pages: Schema.Number
})

const Unblocked = Schema.Struct({ not_blocked: Schema.Array(Schema.String), note: Schema.String })

// == Operations

const listCustomers = Effect.fn("Customers.list")(function*(input: typeof CustomerListInput.Type) {
  const litellm = yield* LiteLlm
  // Unpaged in every release read: paged here.
  const all = yield* litellm.get("/customer/list", {}, Schema.Array(CustomerRow))
  const page = input.page ?? 1
  const size = input.page_size ?? 50
  return { customers: all.slice((page - 1) * size, page * size), total: all.length, page, total_pages: Math.ceil(all.length / size) }
})

// An unknown id: a 400 in the older releases, a 404 in the newer, the same words in both.
const isUnknown = (e: unknown): e is LiteLlmApiError =>
  e instanceof LiteLlmApiError && (e.status === 400 || e.status === 404) && /does not exist in db/.test(e.message)

const findCustomer = (id: string) =>
  Effect.flatMap(LiteLlm, (litellm) =>
    litellm.get("/customer/info", { end_user_id: id }, CustomerRow).pipe(
      Effect.map((c): CustomerRow | undefined => c),
      Effect.catchIf(isUnknown, () => Effect.succeed(undefined))
    ))

const existing = (id: string) =>
  Effect.flatMap(findCustomer(id), (c) =>
    c === undefined ? Effect.fail(new NotFound({ message: `No customer has the id ${id}.` })) : Effect.succeed(c))

/** Every id looked up (a few at a time): the ones no customer has, or a failure. */
const unknownOf = (ids: ReadonlyArray<string>) =>
  Effect.map(Effect.forEach(ids, (id) => Effect.map(findCustomer(id), (c) => c === undefined ? [id] : []), { concurrency: 4 }), (r) => r.flat())

const customerInfo = Effect.fn("Customers.info")(function*(input: typeof CustomerIdInput.Type) {
  return yield* existing(input.user_id)
})

const createCustomer = Effect.fn("Customers.create")(function*(input: typeof CustomerCreateInput.Type) {
  const litellm = yield* LiteLlm
  return yield* litellm.write("/customer/new", input, CustomerRow)
})

// update_end_user drops every field equal to 0, false, [] or {} before it writes (and False == 0
// in Python): max_budget 0 goes to the budget row here; blocked false cannot be written at all.
const updateCustomer = Effect.fn("Customers.update")(function*(input: typeof CustomerUpdateInput.Type) {
  const { user_id: id, max_budget, blocked, ...rest } = input
  if (Object.keys(rest).length === 0 && max_budget === undefined && blocked === undefined) {
    return yield* nothingToChange("give the fields to set besides user_id")
  }
  const before = yield* existing(id)
  if (blocked === false && before.blocked === true) return yield* cannotUnblock([id])
  const litellm = yield* LiteLlm
  const sent = { ...rest, ...(blocked === true ? { blocked } : {}), ...(max_budget !== undefined && max_budget > 0 ? { max_budget } : {}) }
  if (Object.keys(sent).length > 0) yield* litellm.write("/customer/update", { user_id: id, ...sent }, CustomerRow)
  if (max_budget === 0) {
    const budgetId = rest.budget_id ?? before.budget_id
    if (typeof budgetId === "string") {
      yield* litellm.write("/budget/update", { budget_id: budgetId, max_budget: 0 }, Schema.NullOr(Open({})))
    } else {
      const budget = yield* litellm.write("/budget/new", { max_budget: 0 }, Open({ budget_id: Schema.String }))
      if (isUnexpected(budget)) return budget
      yield* litellm.write("/customer/update", { user_id: id, budget_id: budget.budget_id }, CustomerRow)
    }
  }
  return yield* findCustomer(id).pipe(
    Effect.map((after) => after ?? { user_id: id, note: "Updated; read it back with litellm_customer_info." }),
    Effect.catchAll(() => Effect.succeed({ user_id: id, note: "Updated; read it back with litellm_customer_info." }))
  )
})

// Neither route clears the database's flag: update drops blocked false, and unblock_user only
// edits LiteLLM Enterprise's in-memory blocked_user_list (without it: 400 "This call has no effect").
const cannotUnblock = (ids: ReadonlyArray<string>) =>
  new Unsupported({
    message: `LiteLLM cannot unblock ${ids.join(", ")} through its API: /customer/update drops blocked=false, and ` +
      "/customer/unblock only edits an Enterprise in-memory list, not the customer's record. Delete and re-create " +
      "the customer (its spend record goes with it), or have the operator clear `blocked` in LiteLLM's database."
  })

const deleteCustomers = Effect.fn("Customers.delete")(function*(input: typeof CustomerIds.Type) {
  // Older releases delete the ids that exist and only then fail for the rest: every id is checked first.
  const unknown = yield* unknownOf(input.user_ids)
  if (unknown.length > 0) return yield* new NotFound({ message: `No customer has the id ${unknown.join(", ")}; nothing was deleted.` })
  const litellm = yield* LiteLlm
  return yield* litellm.write("/customer/delete", input, Deleted)
})

const blockCustomers = Effect.fn("Customers.block")(function*(input: typeof CustomerBlockInput.Type) {
  // block_user upserts: an id no customer has becomes a new, blocked customer.
  if (input.create_if_missing !== true) {
    const unknown = yield* unknownOf(input.user_ids)
    if (unknown.length > 0) {
      return yield* new NotFound({
        message: `No customer has the id ${unknown.join(", ")}; nothing was blocked. To block ids before their first ` +
          "request, set create_if_missing."
      })
    }
  }
  const litellm = yield* LiteLlm
  return yield* litellm.write("/customer/block", { user_ids: input.user_ids }, Blocked)
})

const unblockCustomers = Effect.fn("Customers.unblock")(function*(input: typeof CustomerIds.Type) {
  const found = yield* Effect.forEach(input.user_ids, existing, { concurrency: 4 })
  const blocked = found.filter((c) => c.blocked === true).map((c) => c.user_id)
  if (blocked.length > 0) return yield* cannotUnblock(blocked)
  return {
    not_blocked: input.user_ids,
    note: "None of them is blocked in LiteLLM's database, so nothing was changed. A proxy with LiteLLM Enterprise's " +
      "blocked_user_list may still refuse them by that list: POST /customer/unblock (litellm_route_change) edits it."
  }
})

// == Tools

export const tools: ReadonlyArray<Tool.Tool> = [
  Tool.make({
    name: "litellm_customer_list",
    needs: { method: "GET", route: "/customer/list" },
    paging: { items: "customers", page: "page", size: "page_size", defaultSize: 50 },
    title: "List LiteLLM customers",
    description: "The proxy's customers (end users, as callers name them in a request's `user`) with spend, blocked " +
      "and budget (litellm_budget_table), a page at a time. Proxy admins and their viewers only.",
    input: CustomerListInput,
    output: CustomerList,
    annotations: Tool.readOnly,
    run: listCustomers
  }),
  Tool.make({
    name: "litellm_customer_info",
    needs: { method: "GET", route: "/customer/info" },
    title: "Get one LiteLLM customer",
    description: "One customer by user_id: alias, spend, blocked, allowed_model_region, default_model and its budget " +
      "(litellm_budget_table).",
    input: CustomerIdInput,
    output: CustomerRow,
    annotations: Tool.readOnly,
    run: customerInfo
  }),
  Tool.make({
    name: "litellm_customer_create",
    needs: { method: "POST", route: "/customer/new" },
    title: "Create a LiteLLM customer",
    description: "Create a customer by user_id, with an alias, a budget (an existing budget_id, or max_budget and " +
      "budget_duration for one of its own), a region and a default model (which must exist). 400 if it exists.",
    input: CustomerCreateInput,
    output: Written(CustomerRow),
    annotations: Tool.additive,
    run: createCustomer
  }),
  Tool.make({
    name: "litellm_customer_update",
    needs: { method: "POST", route: "/customer/update" },
    title: "Update a LiteLLM customer",
    description: "Change a customer's alias, budget_id, max_budget (on its budget row, which customers sharing the " +
      "budget_id share), region, default model or block it. Only the fields given change; max_budget 0 works here " +
      "though LiteLLM drops it. LiteLLM cannot unblock a blocked customer.",
    input: CustomerUpdateInput,
    output: Written(CustomerRow),
    annotations: Tool.destructive,
    run: updateCustomer
  }),
  Tool.make({
    name: "litellm_customer_delete",
    needs: { method: "POST", route: "/customer/delete" },
    title: "Delete LiteLLM customers",
    description: "Delete customers by user_id, with their spend record. If any id is unknown, nothing is deleted. " +
      "Their requests are then treated as a new customer's.",
    input: CustomerIds,
    output: Written(Deleted),
    annotations: Tool.destructive,
    run: deleteCustomers
  }),
  Tool.make({
    name: "litellm_customer_block",
    needs: { method: "POST", route: "/customer/block" },
    title: "Block LiteLLM customers",
    description: "Refuse every request that names these customers. Unknown ids are refused unless create_if_missing " +
      "(LiteLLM would create them). WARNING: LiteLLM cannot unblock them afterwards through its API.",
    input: CustomerBlockInput,
    output: Written(Blocked),
    // Not undone through LiteLLM's API: destructive, though repeating it changes nothing more.
    annotations: Tool.destructive,
    run: blockCustomers
  }),
  Tool.make({
    name: "litellm_customer_unblock",
    needs: { method: "GET", route: "/customer/info" },
    title: "Unblock LiteLLM customers",
    description: "Says, per customer, whether LiteLLM can unblock it: a customer blocked in LiteLLM's database cannot " +
      "be through the API (this says what to do instead); one that is not blocked needs nothing.",
    input: CustomerIds,
    output: Unblocked,
    annotations: Tool.readOnly,
    run: unblockCustomers
  })
]
