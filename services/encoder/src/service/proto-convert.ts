/** Between wire messages (proto/ferret/v1) and the encoder's in-memory types. */
import { rankByTrecOrder, type Run } from "@ferret/datasets";
import { InputError } from "@ferret/errors";
import type { TextRole } from "@ferret/inference";
import {
  type ArtifactRef,
  EmbedRole,
  IndexKind as IndexKindMessage,
  type IndexInfo,
  type Run as RunMessage,
} from "@ferret/proto";
import type { IndexKind } from "../vector-index/create-index.js";
import type { IndexManifest } from "../vector-index/index-store.js";

export function roleOf(role: EmbedRole): TextRole {
  switch (role) {
    case EmbedRole.EMBED_ROLE_QUERY:
      return "query";
    case EmbedRole.EMBED_ROLE_DOCUMENT:
      return "document";
    case EmbedRole.EMBED_ROLE_UNSPECIFIED:
    case EmbedRole.EMBED_ROLE_RAW:
      return "raw";
    default:
      throw new InputError({ file: "<request>", field: "role" }, `unknown role ${String(role)}`);
  }
}

export function indexKindOf(kind: IndexKindMessage): IndexKind {
  switch (kind) {
    case IndexKindMessage.INDEX_KIND_EXACT:
      return "exact";
    case IndexKindMessage.INDEX_KIND_HNSW:
      return "hnsw";
    case IndexKindMessage.INDEX_KIND_AUTO:
      return "auto";
    default:
      throw new InputError({ file: "<request>", field: "kind" }, `unknown index kind ${String(kind)}`);
  }
}

export function indexInfoOf(name: string, manifest: IndexManifest, artifact?: ArtifactRef): IndexInfo {
  return {
    name,
    kind: manifest.kind,
    documents: manifest.size,
    dimension: manifest.dimension,
    model: manifest.modelName,
    modelFingerprint: manifest.modelFingerprint,
    artifact,
  };
}

/** Each query's documents in trec_eval order (score desc, doc id desc), ranked 1..n. */
export function runToMessage(run: Run, name: string): RunMessage {
  return {
    name,
    rankings: [...run].map(([queryId, docs]) => ({
      queryId,
      docs: rankByTrecOrder(docs).map(([docId, score], i) => ({ docId, score, rank: i + 1 })),
    })),
  };
}

export function runFromMessage(message: RunMessage): Run {
  return new Map(message.rankings.map((r) => [r.queryId, new Map(r.docs.map((d) => [d.docId, d.score]))]));
}
