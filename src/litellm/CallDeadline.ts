import { FiberRef, Option } from "effect"

/**
 * When the tool call being served must stop starting LiteLLM requests: set where a call starts,
 * read where each LiteLLM request leaves, so a call's fan-out shares one deadline.
 */
export const CallDeadline: FiberRef.FiberRef<Option.Option<{ readonly tool: string; readonly at: number }>> = FiberRef
  .unsafeMake(Option.none())
