import { createHash } from "node:crypto"

/** LiteLLM's primary key for a virtual key: sha256 of the raw `sk-…` key, as lowercase hex. */
export const sha256Hex = (rawKey: string): string => createHash("sha256").update(rawKey, "utf8").digest("hex")

/** LiteLLM's own "hash if needed": a raw key is hashed, anything else is taken to be the hash. */
export const toKeyHash = (keyOrHash: string): string => keyOrHash.startsWith("sk-") ? sha256Hex(keyOrHash) : keyOrHash
