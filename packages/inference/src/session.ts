/**
 * ONNX Runtime (onnxruntime-node, CPU) sessions with the options that suit transformer encoders:
 * all graph optimizations (attention/LayerNorm/GELU fusions), sequential execution (encoder graphs
 * are a chain, so parallel execution only adds scheduling cost) and a configurable intra-op pool.
 */
import { InputError } from "@ferret/errors";
import { InferenceSession, Tensor } from "onnxruntime-node";
import type { PaddedBatch } from "./batching.js";

export interface SessionOptions {
  /** Threads for one operator; 0 (default) lets ONNX Runtime use one per physical core. */
  intraOpNumThreads?: number;
}

export async function createSession(
  onnxPath: string,
  options: SessionOptions = {},
): Promise<InferenceSession> {
  try {
    return await InferenceSession.create(onnxPath, {
      executionProviders: ["cpu"],
      graphOptimizationLevel: "all",
      executionMode: "sequential",
      intraOpNumThreads: options.intraOpNumThreads ?? 0,
      interOpNumThreads: 1,
      enableCpuMemArena: true,
      enableMemPattern: true,
    });
  } catch (err) {
    throw new InputError({ file: onnxPath }, `ONNX Runtime cannot load it (${(err as Error).message})`, {
      cause: err,
    });
  }
}

/**
 * Position ids as transformers computes them for decoder models: cumsum(attention_mask) - 1, padding
 * positions set to 1 (with Ferret's right padding, real tokens get 0..n-1).
 */
export function positionIds(attentionMask: BigInt64Array, seqLength: number): BigInt64Array {
  const out = new BigInt64Array(attentionMask.length);
  for (let row = 0; row < attentionMask.length; row += seqLength) {
    let count = 0n;
    for (let t = row; t < row + seqLength; t++) {
      if (attentionMask[t] !== 0n) {
        out[t] = count;
        count++;
      } else {
        out[t] = 1n;
      }
    }
  }
  return out;
}

/** Runs one padded batch and returns the named output; feeds only the inputs the graph declares. */
export async function runBatch(
  session: InferenceSession,
  batch: PaddedBatch,
  output: string,
  file: string,
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const dims = [batch.batchSize, batch.seqLength];
  const available: Record<string, () => BigInt64Array> = {
    input_ids: () => batch.inputIds,
    attention_mask: () => batch.attentionMask,
    token_type_ids: () => batch.tokenTypeIds,
    position_ids: () => positionIds(batch.attentionMask, batch.seqLength),
  };
  const feeds: Record<string, Tensor> = {};
  for (const name of session.inputNames) {
    const data = available[name]?.();
    if (data === undefined) {
      throw new InputError(
        { file },
        `graph input "${name}" is not one Ferret feeds (input_ids, attention_mask, token_type_ids, position_ids)`,
      );
    }
    feeds[name] = new Tensor("int64", data, dims);
  }
  if (!session.outputNames.includes(output)) {
    throw new InputError(
      { file, field: "output" },
      `graph has no output "${output}" (outputs: ${session.outputNames.join(", ")}); set "output" in ferret.json`,
    );
  }
  const result = await session.run(feeds, [output]);
  const tensor = result[output]!;
  if (tensor.type !== "float32") {
    throw new InputError({ file, field: "output" }, `output "${output}" is ${tensor.type}, expected float32`);
  }
  return { data: tensor.data as Float32Array, dims: tensor.dims };
}
