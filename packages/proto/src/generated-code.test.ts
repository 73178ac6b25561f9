import { readdirSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { EvaluatorService, Progress, RunSource, ScoredDoc, readDescriptorSet } from "./index.js";

const protoRoot = resolve(import.meta.dirname, "../../../proto");

function listProtos(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listProtos(join(dir, entry.name))
      : entry.name.endsWith(".proto")
        ? [relative(protoRoot, join(dir, entry.name)).split(sep).join("/")]
        : [],
  );
}

describe("generated messages (ts-proto options in buf.gen.yaml)", () => {
  it("encodes to the protobuf wire format", () => {
    // Hand-encoded (and checked with `buf convert`): field 1 string "d1" = 0a 02 64 31;
    // field 2 double 0.5 = 11 + IEEE-754 little-endian 00 00 00 00 00 00 e0 3f; field 3 varint 3 = 18 03.
    const bytes = ScoredDoc.encode({ docId: "d1", score: 0.5, rank: 3 }).finish();
    expect(Buffer.from(bytes).toString("hex")).toBe("0a02643111000000000000e03f1803");
  });

  it("maps uint64 to number and Timestamp to Date (forceLong=number, useDate=true)", () => {
    // done=300: 08 ac 02. updated_at (field 5, 8 bytes) = Timestamp{seconds: 1 -> 08 01,
    // nanos: 500000000 -> 10 80 ca b5 ee 01}; i.e. 1.5 s after the epoch.
    const wire = Buffer.from("08ac022a0808011080cab5ee01", "hex");
    const progress = Progress.decode(wire);
    expect(progress.done).toBe(300);
    expect(progress.updatedAt).toEqual(new Date(1500));
    expect(Buffer.from(Progress.encode(progress).finish()).equals(wire)).toBe(true);
  });

  it("refuses a uint64 beyond 2^53 instead of rounding it", () => {
    // done = 2^60: eight 0x80 continuation bytes, then 0x10 (1 << 4).
    const wire = Buffer.from("08808080808080808010", "hex");
    expect(() => Progress.decode(wire)).toThrow(/MAX_SAFE_INTEGER/);
  });

  it("models oneof fields as { $case, value } unions (oneof=unions-value)", () => {
    // trec_text is field 3 of RunSource: tag 1a, length 3, "a b".
    const bytes = RunSource.encode({ source: { $case: "trecText", value: "a b" } }).finish();
    expect(Buffer.from(bytes).toString("hex")).toBe("1a03612062");
    expect(RunSource.decode(bytes).source).toEqual({ $case: "trecText", value: "a b" });
  });

  it("exposes grpc-js service definitions with full method paths", () => {
    expect(EvaluatorService.evaluate.path).toBe("/ferret.v1.Evaluator/Evaluate");
    expect(EvaluatorService.evaluate.responseStream).toBe(false);
  });
});

describe("descriptor set", () => {
  it("holds every .proto under proto/ and the well-known types they import", () => {
    const set = fromBinary(FileDescriptorSetSchema, readDescriptorSet());
    const names = set.file.map((file) => file.name);
    const protos = listProtos(protoRoot);
    expect(protos.length).toBeGreaterThan(0);
    expect(names).toEqual(expect.arrayContaining([...protos, "google/protobuf/timestamp.proto"]));
    const evaluator = set.file.find((file) => file.name === "ferret/v1/evaluator.proto");
    expect(evaluator?.service.map((service) => service.name)).toEqual(["Evaluator"]);
  });
});
