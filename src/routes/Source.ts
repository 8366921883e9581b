import { Effect, Option, Schema } from "effect"
import { LiteLlm } from "../litellm/LiteLlm.js"
import { Open } from "../litellm/Answers.js"
import { perLiteLlm } from "../litellm/Kept.js"
import { type Catalogue, catalogue } from "./Catalogue.js"

/** Where the route table came from: the connected LiteLLM's own document, or the bundled 1.96 one. */
export interface Table {
  readonly catalogue: Catalogue
  readonly source: "litellm" | "bundled"
}

const OpenApiDocument = Open({ paths: Schema.Record({ key: Schema.String, value: Schema.Unknown }) })

// LiteLLM's document changes only with its release: kept ten minutes per LiteLLM. The bundled
// fallback is kept one minute, so a LiteLLM that comes back (or starts serving it) is read again.
const FROM_LITELLM_MS = 10 * 60_000
const FALLBACK_MS = 60_000

// Loaded on first need, in a chunk of its own: 1.2 MB that most processes never read.
let bundled: Catalogue | undefined
const bundledCatalogue = Effect.promise(async () => {
  bundled ??= catalogue((await import("../litellm/litellm-openapi-1.96.0.json", { with: { type: "json" } })).default)
  return bundled
})

/**
 * The route table of the LiteLLM behind this client, from its own /openapi.json (asked with the
 * caller's key, as every LiteLLM request), or LiteLLM 1.96's when it does not serve one.
 */
export const table: Effect.Effect<Table, never, LiteLlm> = perLiteLlm<Table>(Effect.gen(function*() {
  const litellm = yield* LiteLlm
  const served = yield* Effect.option(litellm.get("/openapi.json", {}, OpenApiDocument))
  const fromLiteLlm = Option.map(served, catalogue).pipe(Option.filter((c) => c.routes.length > 0))
  return Option.isSome(fromLiteLlm)
    ? { value: { catalogue: fromLiteLlm.value, source: "litellm" as const }, keepMs: FROM_LITELLM_MS }
    : { value: { catalogue: yield* bundledCatalogue, source: "bundled" as const }, keepMs: FALLBACK_MS }
}))

/** What an answer says of its source, when it is not the connected LiteLLM's own document. */
export const sourceNote = (t: Table): string | undefined =>
  t.source === "bundled"
    ? "This LiteLLM does not serve its /openapi.json (or it holds no management routes): these routes are LiteLLM " +
      `${t.catalogue.version ?? "1.96"}'s, and this release may differ.`
    : undefined
