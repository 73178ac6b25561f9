import { defineConfig } from "vitest/config";

// Assembly tests read SciFact and build a BM25 index per training set: seconds each on a shared 2-core machine.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 120_000 } });
