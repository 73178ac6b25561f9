import { describe, expect, it } from "vitest";
import { loadAnnotatorConfig } from "./config.js";

describe("annotator config", () => {
  it("reads the LLM endpoint from FERRET_ANNOTATOR_* variables", () => {
    const config = loadAnnotatorConfig({
      env: {
        FERRET_ANNOTATOR_LLM__BASE_URL: "http://vllm:8000/v1",
        FERRET_ANNOTATOR_LLM__MODEL: "qwen",
        FERRET_ANNOTATOR_LLM__CONCURRENCY: "16",
      },
    });
    expect(config.llm).toMatchObject({ baseUrl: "http://vllm:8000/v1", model: "qwen", concurrency: 16 });
    expect(config.grpc.port).toBe(50057);
  });

  it("refuses a config with no LLM", () => {
    expect(() => loadAnnotatorConfig({ env: {} })).toThrow(/llm.baseUrl and llm.model/);
  });
});
