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

  it("reads the encoder and corpora root of server-side pools", () => {
    const config = loadAnnotatorConfig({
      env: {
        FERRET_ANNOTATOR_LLM__GGUF_PATH: "/models/m.gguf",
        FERRET_ANNOTATOR_ENCODER__ADDRESS: "encoder:50054",
        FERRET_ANNOTATOR_ENCODER__INDEX: "scifact",
        FERRET_ANNOTATOR_CORPORA__DIR: "/data/beir",
      },
    });
    expect(config.encoder).toEqual({ address: "encoder:50054", index: "scifact", tls: { enabled: false } });
    expect(config.corpora.dir).toBe("/data/beir");
  });

  it("refuses a config with no LLM", () => {
    expect(() => loadAnnotatorConfig({ env: {} })).toThrow(/llm.baseUrl and llm.model/);
  });
});
