import { describe, expect, it } from "vitest";
import { evalMetrics, parseEngineEvent } from "./engine-events.js";

describe("engine progress lines", () => {
  it("parses the engine's events and keeps other output as log lines", () => {
    // Lines as ferret_engine/progress.py writes them (services/trainer/engine/README.md, "Progress").
    const step = parseEngineEvent(
      '{"event": "step", "time": 1796300000.5, "step": 10, "totalSteps": 75, "epoch": 0.4, "loss": 2.31, "lr": 2e-05, "samplesPerSecond": 3.2}',
    );
    expect(step).toMatchObject({
      event: "step",
      step: 10,
      totalSteps: 75,
      loss: 2.31,
      lr: 2e-5,
      samplesPerSecond: 3.2,
    });
    expect(parseEngineEvent("Writing model shards: 100%")).toBeUndefined();
    expect(parseEngineEvent('{"no": "event"}')).toBeUndefined();
    expect(parseEngineEvent("{not json")).toBeUndefined();
    const error = parseEngineEvent(
      '{"event": "error", "time": 1, "code": "TRAINING_SET_INVALID", "message": "x.jsonl:3: bad"}',
    );
    expect(error).toMatchObject({ code: "TRAINING_SET_INVALID", message: "x.jsonl:3: bad" });
  });

  it("takes an eval event's measures, not its step, time or query count", () => {
    const e = parseEngineEvent(
      '{"event": "eval", "time": 5, "step": 20, "queries": 300, "mrr@10": 0.5, "ndcg@10": 0.61}',
    )!;
    expect(evalMetrics(e)).toEqual({ "mrr@10": 0.5, "ndcg@10": 0.61 });
  });
});
