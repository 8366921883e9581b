import pkg from "../package.json" with { type: "json" }

// One source of truth for name and version: package.json, built into the bundle (its chunks
// live in dist/chunks, so a path relative to the module would not find it when installed).
export const { name, version } = pkg
