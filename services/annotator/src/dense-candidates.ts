/**
 * Dense candidates from a live encoder: the Encoder service's Search (proto/ferret/v1/encoder.proto)
 * over one of its indexes, as a TREC-style run for candidatePools to merge with BM25.
 */
import type { Run } from "@ferret/datasets";
import type { ServiceClient } from "@ferret/grpc";
import type { EncoderService } from "@ferret/proto";

export type EncoderClient = ServiceClient<typeof EncoderService>;

export async function encoderDenseRun(
  client: EncoderClient,
  index: string,
  queries: readonly { id: string; text: string }[],
  k: number,
  signal?: AbortSignal,
): Promise<Run> {
  const response = await client.search(
    {
      index,
      queries: queries.map((q) => ({ id: q.id, text: q.text, metadata: {} })),
      k,
      exact: false,
      hybrid: undefined,
      removeQuery: false,
      name: "",
      indexArtifact: undefined,
    },
    signal ? { signal } : {},
  );
  const run: Run = new Map();
  for (const ranking of response.run?.rankings ?? []) {
    run.set(ranking.queryId, new Map(ranking.docs.map((d) => [d.docId, d.score])));
  }
  return run;
}
