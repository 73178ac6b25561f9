import { defineConfig } from "vitest/config";

// These tests talk to real servers (NATS, OpenSearch); the first OpenSearch index creation on a cold node
// can take several seconds on a 2-core machine.
export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
