/**
 * A REAL encoder for cross-service tests: the Encoder gRPC service over loopback, serving
 * @ferret/inference's tiny fixture bi-encoder, with an index "mini" of examples/mini built through
 * IndexCorpus. The state it writes (models, indexes, artifacts) lives under the caller's `dir`.
 */
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { encoderConfigSchema, startEncoder, type RunningEncoder } from "@ferret/encoder";
import { createClient, type ClientTls, type ServiceClient } from "@ferret/grpc";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { EncoderService, JobState } from "@ferret/proto";

export const EXAMPLES = fileURLToPath(new URL("../../examples", import.meta.url));

export interface MiniEncoder {
  encoder: RunningEncoder;
  client: ServiceClient<typeof EncoderService>;
  address: string;
  stop(): Promise<void>;
}

/** `tls`: the encoder's grpc.tls, and how this helper's own client dials it. */
export async function startMiniEncoder(
  dir: string,
  tls?: { server: Record<string, string>; client: ClientTls },
): Promise<MiniEncoder> {
  const models = join(dir, "models");
  mkdirSync(models, { recursive: true });
  cpSync(FIXTURE_MODELS.biEncoder, join(models, "tiny"), { recursive: true });
  const encoder = await startEncoder(
    encoderConfigSchema.parse({
      grpc: { host: "127.0.0.1", port: 0, ...(tls ? { tls: tls.server } : {}) },
      metrics: { enabled: false },
      models: { dir: models, serve: "tiny", threads: 1 },
      indexes: { dir: join(dir, "indexes"), cacheDir: join(dir, "index-cache") },
      artifacts: { dir: join(dir, "encoder-artifacts") },
      corpora: { dir: EXAMPLES },
    }),
  );
  const address = `127.0.0.1:${encoder.grpc.port}`;
  const client = createClient(EncoderService, address, { deadlineMs: 60_000, tls: tls?.client });
  const stop = async () => {
    client.close();
    await encoder.stop();
  };
  let last;
  for await (const update of client.indexCorpus({
    index: "mini",
    beirDir: "mini",
    documents: [],
    shardSize: 0,
    kind: 0,
    jobId: "",
    model: undefined,
    quantized: false,
    corpus: undefined,
  }))
    last = update;
  if (last?.status?.state !== JobState.JOB_STATE_SUCCEEDED) {
    await stop();
    throw new Error(
      `indexing examples/mini ended ${String(last?.status?.state)}: ${last?.status?.errorMessage ?? ""}`,
    );
  }
  return { encoder, client, address, stop };
}
