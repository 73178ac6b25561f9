#!/usr/bin/env node
// Ferret side of bench/encode: passages/s over a BEIR corpus with @ferret/inference BiEncoder (ONNX Runtime,
// CPU), one variant per process. Documents as title + " " + text (documentText), fed in chunks of 1,024 (the
// encoder groups them by length into batches of at most --batch-size); ORT intra-op threads fixed. Prints one
// JSON object. Run by bench/encode/run.mjs. Needs built dist/.
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { documentText } from "@ferret/encoder";
import { BiEncoder } from "@ferret/inference";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    corpus: { type: "string" },
    variant: { type: "string", default: "fp32" },
    threads: { type: "string", default: "1" },
    "batch-size": { type: "string", default: "32" },
    limit: { type: "string", default: "0" },
    save: { type: "string" },
  },
});
let docs = (await readFile(values.corpus, "utf8"))
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l))
  .map((d) => documentText({ id: d._id, title: d.title ?? "", text: d.text ?? "" }));
if (Number(values.limit) > 0) docs = docs.slice(0, Number(values.limit));
const encoder = await BiEncoder.load(values.model, {
  variant: values.variant,
  intraOpNumThreads: Number(values.threads),
  maxBatchSize: Number(values["batch-size"]),
});
await encoder.embedMatrix(docs.slice(0, 64), "document"); // warm-up, not timed
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const parts = [];
for (let i = 0; i < docs.length; i += 1024)
  parts.push(await encoder.embedMatrix(docs.slice(i, i + 1024), "document"));
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
if (values.save)
  await writeFile(
    values.save,
    Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))),
  );
console.log(
  JSON.stringify({
    system: `Ferret ${values.variant} (@ferret/inference, onnxruntime-node, CPU)`,
    passages: docs.length,
    wallSeconds: +wall.toFixed(2),
    cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
    passagesPerSecond: +(docs.length / wall).toFixed(2),
    threads: Number(values.threads),
    batchSize: Number(values["batch-size"]),
    maxLength: encoder.config.maxLength,
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
await encoder.close();
