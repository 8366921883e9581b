// LiteLLM's durations, as litellm_core_utils/duration_parser.py reads them: "30s", "30m", "30h",
// "30d", "2w", "1mo" (a bare number is seconds). A key's `duration` sets `expires` exactly;
// a `budget_duration` sets `budget_reset_at` at a standardized time (get_budget_reset_time).

const DAY = 86_400_000

const parse = (text: string): { readonly value: number; readonly unit: string } => {
  const match = /^(\d+)(mo|[smhdw]?)/.exec(text)
  // duration_in_seconds raises ValueError, which the key routes answer as a 500.
  if (match === null) throw new Error("Invalid duration format")
  return { value: Number(match[1]), unit: match[2]! }
}

const addMonths = (at: Date, months: number) => {
  const target = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1))
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate()
  target.setUTCDate(Math.min(at.getUTCDate(), lastDay))
  target.setUTCHours(at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds(), at.getUTCMilliseconds())
  return target
}

/** `duration_in_seconds`, as the instant it ends: `now` plus the duration. */
export const after = (text: string, now = new Date()): Date => {
  const { value, unit } = parse(text)
  if (unit === "mo") return addMonths(now, value)
  const seconds = { "": 1, s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 }[unit]!
  return new Date(now.getTime() + value * seconds * 1000)
}

/** `get_next_standardized_reset_time` in UTC: budgets reset on boundaries, not `now` plus the period. */
export const nextReset = (text: string, now = new Date()): Date => {
  const { value, unit } = parse(text)
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())
  const firstOfNextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1))
  if (value === 0) return now
  switch (unit) {
    case "mo":
      return firstOfNextMonth
    case "w":
    case "d": {
      const days = unit === "w" ? value * 7 : value
      if (days === 1) return new Date(midnight + DAY)
      // Weekly: the next Monday; monthly (30d): the first of the next month.
      if (days === 7) return new Date(midnight + (((8 - now.getUTCDay()) % 7) || 7) * DAY)
      if (days === 30) return firstOfNextMonth
      return new Date(midnight + days * DAY)
    }
    default: {
      const step = value * ({ "": 1, s: 1, m: 60, h: 3_600 }[unit]!) * 1000
      const since = now.getTime() - midnight
      return new Date(midnight + (Math.floor(since / step) + 1) * step)
    }
  }
}

/**
 * The `budget_reset_at` a budget period sets, if one is given: on a boundary (keys, and users at
 * creation: get_budget_reset_time) or a whole period from now (user and team updates).
 */
export const budgetResetOf = (period: unknown, rule: "boundary" | "from now"): { budget_reset_at?: string } =>
  typeof period === "string" && period !== ""
    ? { budget_reset_at: (rule === "boundary" ? nextReset : after)(period).toISOString() }
    : {}
