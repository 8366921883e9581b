import { describe, expect, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { type KeyAccess, refusal } from "../src/litellm/Access.js"
import { Policy } from "../src/mcp/ToolPolicy.js"
import * as Tools from "../src/resources/Tools.js"

const names = Tools.all.map((t) => t.definition.name)
const routes = [...new Set(Tools.all.flatMap((t) => t.needs === null ? [] : [t.needs.route]))]

const Access: FastCheck.Arbitrary<KeyAccess> = FastCheck.record({
  role: FastCheck.constantFrom("proxy_admin", "proxy_admin_viewer", "internal_user", "internal_user_viewer", null, undefined),
  allowedRoutes: FastCheck.oneof(
    FastCheck.constant([]),
    FastCheck.array(
      FastCheck.oneof(
        FastCheck.constantFrom(...routes),
        FastCheck.constantFrom("info_routes", "key_management_routes", "llm_api_routes", "some_future_list", "/key/*", "/team"),
        FastCheck.string()
      ),
      { maxLength: 4 }
    )
  ),
  teamAdminOf: FastCheck.array(FastCheck.string(), { maxLength: 2 }),
  orgAdmin: FastCheck.constantFrom(true, false, undefined)
})

// What operators and request headers may hide: any subset of the tools.
const Hidden = FastCheck.subarray(names)

describe("tailoring a tool list to a key", () => {
  it.prop("only takes away from what the settings allow, and every tool it takes away has LiteLLM's reason", {
    access: Access,
    hidden: Hidden
  }, ({ access, hidden }) => {
    const policy = new Policy(Tools.registry).restrict((d) => !hidden.includes(d.name), "a test")
    const listed = policy.listedFor(access).map((d) => d.name)
    for (const name of listed) expect(policy.hiddenBy(name)).toBeUndefined()
    for (const definition of policy.definitions) {
      const reason = refusal(access, Tools.byName.get(definition.name)!.needs)
      expect(listed.includes(definition.name)).toBe(reason === undefined)
    }
    // A call is never refused by tailoring: only the settings hide a tool from calls.
    for (const name of names) expect(policy.hiddenBy(name)).toBe(hidden.includes(name) ? "a test" : undefined)
  })

  it.prop("leaves everything to a proxy admin, to a key LiteLLM did not describe, and to a key whose role is in doubt", {
    role: FastCheck.constantFrom("proxy_admin" as const, undefined)
  }, ({ role }) => {
    const policy = new Policy(Tools.registry)
    expect(policy.listedFor(undefined)).toEqual(policy.definitions)
    expect(policy.listedFor({ role, allowedRoutes: [], teamAdminOf: [], orgAdmin: undefined })).toEqual(policy.definitions)
  })

  it.prop("a key's allowed_routes bind every role, proxy admins included", { access: Access, route: FastCheck.constantFrom(...routes) }, ({ access, route }) => {
    const narrowed = { ...access, allowedRoutes: [`/not${route}`] }
    expect(refusal(narrowed, { method: "GET", route })).toBe(`the key's allowed_routes do not include ${route}`)
  })
})
