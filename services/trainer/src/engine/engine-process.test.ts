import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENGINE_DOUBLE_DIR, PYTHON } from "../test-support/engine-double.js";
import { tempDir } from "../test-support/scifact.js";
import type { EngineEvent } from "./engine-events.js";
import { EngineFailedError, runEngine } from "./engine-process.js";

async function jobFile(dir: string, extra: Record<string, unknown> = {}): Promise<string> {
  const trainingSet = join(dir, "set.jsonl");
  await writeFile(
    trainingSet,
    Array.from({ length: 8 }, (_, i) => JSON.stringify({ qid: `${i}` })).join("\n"),
  );
  const path = join(dir, "job.json");
  await writeFile(
    path,
    JSON.stringify({
      modelDir: "base",
      trainingSet,
      outputDir: join(dir, "out"),
      hyperparameters: { batchSize: 2 },
      checkpointEvery: 2,
      ...extra,
    }),
  );
  return path;
}

describe("runEngine (with the engine test double)", () => {
  it("streams the progress events and resolves with the done event", async () => {
    const dir = await tempDir();
    const events: EngineEvent[] = [];
    const result = await runEngine({
      python: PYTHON,
      engineDir: ENGINE_DOUBLE_DIR,
      jobFile: await jobFile(dir),
      onEvent: (e) => events.push(e),
    });
    expect(events.filter((e) => e.event === "step").map((e) => e.step)).toEqual([1, 2, 3, 4]);
    expect(result.done).toMatchObject({ event: "done", step: 4, model: join(dir, "out", "model") });
    expect(result.events).toBe(events.length);
  });

  it("fails a crashed run with its exit status and log tail; the next run resumes from the checkpoint", async () => {
    const dir = await tempDir();
    const file = await jobFile(dir);
    const env = { FERRET_ENGINE_DOUBLE_CRASH_AT: "4" };
    const err = await runEngine({ python: PYTHON, engineDir: ENGINE_DOUBLE_DIR, jobFile: file, env }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineFailedError);
    const failed = err as EngineFailedError;
    expect(failed.exitCode).toBe(1);
    expect(failed.code).toBe("INTERNAL");
    expect(failed.tail).toContain("RuntimeError: injected crash");
    expect(failed.tail).toContain('"event": "step", "time"');
    const events: EngineEvent[] = [];
    await runEngine({
      python: PYTHON,
      engineDir: ENGINE_DOUBLE_DIR,
      jobFile: file,
      env,
      onEvent: (e) => events.push(e),
    });
    expect(events.find((e) => e.event === "resume")?.step).toBe(2);
    // Steps 1-3 ran before the crash (3 after the last checkpoint); the resumed run redoes 3 and does 4.
    expect((await readFile(join(dir, "out", "steps-run.txt"), "utf8")).trim().split("\n")).toEqual([
      "1",
      "2",
      "3",
      "3",
      "4",
    ]);
  });

  it("reports the engine's typed error as INVALID_ARGUMENT (exit 2)", async () => {
    const dir = await tempDir();
    const err = (await runEngine({
      python: PYTHON,
      engineDir: ENGINE_DOUBLE_DIR,
      jobFile: await jobFile(dir, { bogus: 1 }),
    }).catch((e: unknown) => e)) as EngineFailedError;
    expect(err.exitCode).toBe(2);
    expect(err.code).toBe("INVALID_ARGUMENT");
    expect(err.engineCode).toBe("JOB_FILE");
    expect(err.message).toContain('field "bogus"');
  });

  it("stops the engine when the signal aborts", async () => {
    const dir = await tempDir();
    const stop = new AbortController();
    const started = Date.now();
    const err = await runEngine({
      python: PYTHON,
      engineDir: ENGINE_DOUBLE_DIR,
      jobFile: await jobFile(dir, { hyperparameters: { batchSize: 2, maxSteps: 1000 } }),
      env: { FERRET_ENGINE_DOUBLE_STEP_MS: "100" },
      signal: stop.signal,
      onEvent: (e) => {
        if (e.event === "step" && e.step === 2) stop.abort();
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineFailedError);
    expect((err as EngineFailedError).exitSignal).toBe("SIGTERM");
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
