import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, silentLogger } from "./index.js";

describe("logger", () => {
  it("writes JSON lines with the component name", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger({ name: "evaluator", level: "info", destination: sink });
    log.info({ job: "j1" }, "started");
    log.debug("hidden");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ name: "evaluator", job: "j1", msg: "started", level: 30 });
  });

  it("silent logger is silent", () => {
    expect(silentLogger().isLevelEnabled("error")).toBe(false);
  });
});
