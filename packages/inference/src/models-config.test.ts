import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DEFAULT_BATCH_LIMITS, modelLoadOptions, modelsConfigFields } from "./index.js";

describe("modelsConfigFields", () => {
  it("defaults to ./models, one thread per core and the default batch limits, and maps to load options", () => {
    const models = z.object(modelsConfigFields).parse({});
    expect(models).toEqual({ dir: "models", threads: 0, ...DEFAULT_BATCH_LIMITS });
    expect(modelLoadOptions(z.object(modelsConfigFields).parse({ threads: "2", maxBatchSize: "8" }))).toEqual(
      {
        intraOpNumThreads: 2,
        maxBatchSize: 8,
        maxBatchTokens: DEFAULT_BATCH_LIMITS.maxBatchTokens,
      },
    );
    expect(() => z.object(modelsConfigFields).parse({ maxBatchSize: "0" })).toThrow();
  });
});
