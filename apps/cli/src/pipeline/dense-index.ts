/**
 * A dense index of a BEIR corpus through the encoder's sharded index job (runIndexCorpusJob) with a shard
 * worker on the same bus: the job a cluster's encoder replicas run, here run by this process.
 */
import { basename, join, resolve } from "node:path";
import type { Bus } from "@ferret/bus";
import { readBeirCorpus } from "@ferret/datasets";
import { runIndexCorpusJob, startShardWorker } from "@ferret/encoder";
import { BiEncoder } from "@ferret/inference";

export interface DenseIndexOptions {
  bus: Bus;
  jobId: string;
  modelDir: string;
  corpusDir: string;
  outDir: string;
  onProgress?: (done: number, total: number) => void;
}

export async function buildDenseIndex(options: DenseIndexOptions): Promise<{ documents: number }> {
  const encoder = await BiEncoder.load(options.modelDir);
  const queueOptions = { ackWaitMs: 120_000 };
  try {
    const worker = await startShardWorker({ bus: options.bus, encoders: async () => encoder, queueOptions });
    let documents = 0;
    try {
      for await (const p of runIndexCorpusJob({
        bus: options.bus,
        jobId: options.jobId,
        documents: readBeirCorpus(join(options.corpusDir, "corpus.jsonl")),
        model: {
          name: basename(resolve(options.modelDir)),
          variant: "fp32",
          fingerprint: await encoder.fingerprint(),
          dimension: encoder.dimension,
          dir: resolve(options.modelDir),
        },
        outDir: options.outDir,
        kind: "exact",
        collection: basename(resolve(options.corpusDir)),
        queueOptions,
      })) {
        options.onProgress?.(p.documentsDone, p.documents);
        documents = p.documents;
      }
    } finally {
      await worker.stop({ graceMs: 0 });
    }
    return { documents };
  } finally {
    await encoder.close();
  }
}
