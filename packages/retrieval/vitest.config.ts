import { defineConfig } from "vitest/config";

// Tests build SciFact indexes and talk to OpenSearch: allow more than vitest's 5 s default per test.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
