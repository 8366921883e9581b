import { page } from "../Answers.js"
import { type Handler, type Store } from "../Store.js"
export const modelInfoV2 = (s: Store, q: URLSearchParams) => {
  // Before PRs #19521 and #19622 the route answered every deployment, unpaged and unsearched.
  if (!s.traits.modelInfoPaged) return { data: s.models }
  const search = q.get("search")?.toLowerCase()
  const models = s.models.filter((m) =>
    (search === undefined || m.model_name.toLowerCase().includes(search)) &&
    (q.get("modelId") === null || m.model_info.id === q.get("modelId"))
  )
  const pageNo = Number(q.get("page") ?? 1)
  const size = Number(q.get("size") ?? 50)
  const { items, totalPages } = page(models, pageNo, size)
  return { data: items, total_count: models.length, current_page: pageNo, total_pages: totalPages, size }
}

export const routes: Record<string, Handler> = {
  // health_license_endpoint: the licence, never its key; premium_user decides license_type.
  "GET /health/license": (s) => ({
    has_license: s.enterprise,
    license_type: s.enterprise ? "enterprise" : "community",
    expiration_date: null,
    allowed_features: [],
    limits: { max_users: null, max_teams: null }
  }),
  "GET /v2/model/info": (s, r) => modelInfoV2(s, r.q),
  "GET /model/info": (s, r) => ({
    data: s.models.filter((m) => r.q.get("litellm_model_id") === null || m.model_info.id === r.q.get("litellm_model_id"))
  })
}
