import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/BundleSetup.ts"],
    // Some tests start two server processes one after the other (see waitFor in test/support/Net.ts).
    testTimeout: 60_000,
    hookTimeout: 30_000
  }
})
