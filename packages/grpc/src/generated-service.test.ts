import { UnsupportedError } from "@ferret/errors";
import { EvaluateResponse, EvaluatorService } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type ServiceClient } from "./client.js";
import { defineService } from "./handlers.js";
import { startGrpcServer, type GrpcServer } from "./server.js";
import { reflect } from "./test-support/reflection-client.js";

// A ts-proto service end to end: the handler types come from EvaluatorService, and reflection
// needs no extra descriptors because @ferret/proto's descriptor set is always served.
const evaluator = defineService(EvaluatorService, {
  // Echoes the requested measures as zero means: enough to see typed fields and a oneof cross the wire.
  evaluate: (request) =>
    EvaluateResponse.fromPartial({
      means: Object.fromEntries(request.measures.map((measure) => [measure, 0])),
      numQueries: request.run?.source?.$case === "trecText" ? request.run.source.value.split("\n").length : 0,
    }),
  compare: () => {
    throw new UnsupportedError("compare is not part of this test");
  },
  fuse: () => {
    throw new UnsupportedError("fuse is not part of this test");
  },
});

let server: GrpcServer;
let client: ServiceClient<typeof EvaluatorService>;

beforeAll(async () => {
  server = await startGrpcServer({ services: [evaluator], host: "127.0.0.1" });
  client = createClient(EvaluatorService, `127.0.0.1:${server.port}`);
});

afterAll(async () => {
  client.close();
  await server.shutdown();
});

describe("a ts-proto generated service", () => {
  it("round-trips typed messages through defineService and createClient", async () => {
    const response = await client.evaluate({
      run: { source: { $case: "trecText", value: "q1 Q0 d1 1 1.0 t\nq2 Q0 d2 1 1.0 t" } },
      qrels: undefined,
      measures: ["ndcg_cut_10", "map"],
      options: undefined,
    });
    expect(response).toEqual({ means: { ndcg_cut_10: 0, map: 0 }, perQuery: [], numQueries: 2 });
  });

  it("maps UnsupportedError to UNIMPLEMENTED and back", async () => {
    await expect(
      client.fuse({ runs: [], method: "rrf", normalization: "", weights: [], rrfK: 0, depth: 0, name: "" }),
    ).rejects.toBeInstanceOf(UnsupportedError);
  });

  it("is listed by reflection from the package's descriptor set", async () => {
    const [listed] = await reflect(`127.0.0.1:${server.port}`, "v1", [{ listServices: "" }]);
    expect(listed?.listServicesResponse?.service.map((s) => s.name).sort()).toEqual([
      "ferret.v1.Evaluator",
      "grpc.health.v1.Health",
    ]);
  });
});
