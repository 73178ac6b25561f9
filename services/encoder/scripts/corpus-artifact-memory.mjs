#!/usr/bin/env node
// Peak memory of planning an IndexCorpus job from a corpus artifact (a synthetic gzip BEIR corpus.jsonl in the
// embedded object store): "stream" runs the built coordinator (runIndexCorpusJob) until the job is planned and
// queued; "collect" holds every document in memory first (what the coordinator did before it streamed). Each
// mode runs in a fresh process. Usage (after `npx turbo run build --filter=@ferret/encoder...`):
//   node services/encoder/scripts/corpus-artifact-memory.mjs [--docs 60000] [--chars 1500]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createBus } from "@ferret/bus";
import { openCorpusArtifact, runIndexCorpusJob } from "@ferret/encoder";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
};
const mode = arg("mode", undefined);
const dir = arg("dir", undefined);

function sampler() {
  let peak = 0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  const timer = setInterval(sample, 20);
  return { stop: () => (clearInterval(timer), sample(), peak) };
}

if (mode === undefined) {
  const docs = Number(arg("docs", "60000"));
  const chars = Number(arg("chars", "1500"));
  const root = mkdtempSync(join(tmpdir(), "ferret-corpus-mem-"));
  try {
    const words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split(" ");
    const lines = [];
    for (let i = 0; i < docs; i++) {
      let text = "";
      for (let w = i; text.length < chars; w = (w * 7 + 3) % 9973) text += words[w % words.length] + " ";
      lines.push(JSON.stringify({ _id: `doc${i}`, title: `Title ${i}`, text }));
    }
    const raw = Buffer.from(lines.join("\n") + "\n");
    const gz = gzipSync(raw, { level: 1 });
    const bus = await createBus({ kind: "memory", dir: join(root, "artifacts") });
    const info = await (await bus.objects("corpora")).put("synthetic/corpus.jsonl.gz", gz);
    await bus.close({ graceMs: 0 });
    console.log(
      `corpus: ${docs} documents, ${(raw.length / 2 ** 20).toFixed(1)} MiB jsonl, ${(gz.length / 2 ** 20).toFixed(1)} MiB gzip (sha256 ${info.sha256.slice(0, 12)}…)`,
    );
    for (const m of ["stream", "collect"]) {
      const r = spawnSync(process.execPath, [process.argv[1], "--mode", m, "--dir", root], {
        encoding: "utf8",
      });
      process.stdout.write(r.stdout);
      if (r.status !== 0) throw new Error(r.stderr);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
} else {
  const bus = await createBus({ kind: "memory", dir: join(dir, "artifacts") });
  const ref = { bucket: "corpora", name: "synthetic/corpus.jsonl.gz", sha256: "", size: 0, mediaType: "" };
  const base = process.memoryUsage().rss;
  const s = sampler();
  const started = performance.now();
  let documents = 0;
  if (mode === "stream") {
    const artifact = await openCorpusArtifact(bus, ref);
    const abort = new AbortController();
    const model = { name: "none", variant: "fp32", fingerprint: "0".repeat(64), dimension: 384 };
    try {
      for await (const p of runIndexCorpusJob({
        bus,
        jobId: `mem-${process.pid}`,
        documents: artifact.documents,
        source: artifact.label,
        model,
        outDir: join(dir, "out"),
        index: "synthetic",
        shardSize: 512,
        signal: abort.signal,
      })) {
        documents = p.documents;
        abort.abort(); // planned and queued: what this measures ends here
      }
    } catch (err) {
      if (!abort.signal.aborted) throw err;
    }
  } else {
    const artifact = await openCorpusArtifact(bus, ref);
    const all = [];
    for await (const d of artifact.documents) all.push([d.id, `${d.title} ${d.text}`]);
    documents = all.length;
  }
  const peak = s.stop();
  console.log(
    `${mode.padEnd(7)} ${documents} documents in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
      `peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (${((peak - base) / 2 ** 20).toFixed(0)} MiB above the ${(base / 2 ** 20).toFixed(0)} MiB start)`,
  );
  await bus.close({ graceMs: 0 });
}
