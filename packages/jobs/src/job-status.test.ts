import { JobState } from "@ferret/proto";
import { describe, expect, it } from "vitest";
import type { JobRecord } from "./job-record.js";
import { toJobStatus } from "./job-status.js";

describe("toJobStatus", () => {
  it("carries state, progress, error and outputs over to the wire's JobStatus", () => {
    const record: JobRecord = {
      jobId: "j1",
      kind: "ranker.score",
      state: "failed",
      spec: {},
      progress: { done: 2, total: 5, unit: "batches", message: "model file missing", counts: {} },
      createdAt: "2026-01-02T03:04:05.000Z",
      updatedAt: "2026-01-02T03:04:06.000Z",
      error: { code: "NOT_FOUND", message: "model file missing", deliveries: 5 },
    };
    const outputs = [{ bucket: "b", name: "n", sha256: "s", size: 1, mediaType: "text/plain" }];
    expect(toJobStatus(record, { outputs })).toEqual({
      job: { jobId: "j1", kind: "ranker.score" },
      state: JobState.JOB_STATE_FAILED,
      progress: {
        done: 2,
        total: 5,
        unit: "batches",
        message: "model file missing",
        updatedAt: new Date("2026-01-02T03:04:06.000Z"),
      },
      errorCode: "NOT_FOUND",
      errorMessage: "model file missing",
      createdAt: new Date("2026-01-02T03:04:05.000Z"),
      updatedAt: new Date("2026-01-02T03:04:06.000Z"),
      outputs,
    });
    expect(toJobStatus({ ...record, state: "cancelled" }).state).toBe(JobState.JOB_STATE_CANCELLED);
  });
});
