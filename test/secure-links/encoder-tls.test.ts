/**
 * Services and the CLI dialing a service over TLS: a REAL encoder (test/support/mini-encoder.ts) serving
 * mutual TLS with certificates made here. The trainer's data assembly searches it with its encoder TLS
 * (the trainer's encoder.tls); a client trusting another CA is refused at once with an error saying the
 * certificate failed; and the CLI's --tls-* flags reach the same dial (`ferret train`), a missing file
 * named by its flag.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ferret } from "@ferret/cli/testing";
import { UnavailableError } from "@ferret/errors";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import type { ClientTls } from "@ferret/grpc";
import { makeTestPki, type TestPki } from "@ferret/grpc/testing";
import { assembleTrainingSet, parseJobSpec } from "@ferret/trainer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES, startMiniEncoder, type MiniEncoder } from "../support/mini-encoder.js";

let dir: string;
let pki: TestPki;
let live: MiniEncoder;
let clientTls: ClientTls;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "encoder-tls-"));
  pki = await makeTestPki(join(dir, "pki"));
  clientTls = { caFile: pki.caFile, certFile: pki.clientCertFile, keyFile: pki.clientKeyFile };
  live = await startMiniEncoder(dir, {
    server: {
      certFile: pki.serverCertFile,
      keyFile: pki.serverKeyFile,
      caFile: pki.caFile,
      clientAuth: "require",
    },
    client: clientTls,
  });
}, 120_000);

afterAll(async () => {
  await live?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A job spec whose dense negatives come from the live encoder. */
function spec(name: string): string {
  return JSON.stringify({
    model: FIXTURE_MODELS.biEncoder,
    corpus: join(EXAMPLES, "mini"),
    queries: { split: "test" },
    positives: { human: {} },
    negatives: {
      dense: { encoder: { address: live.address, index: "mini" }, window: [2, 12], count: 20, pick: "top" },
    },
    output: join(dir, name),
  });
}

describe("dialing an encoder that serves mutual TLS", () => {
  it("the trainer's data assembly searches it with its encoder TLS", async () => {
    const loaded = parseJobSpec(spec("set"), { file: join(dir, "job.json"), baseDir: dir });
    const result = await assembleTrainingSet(loaded, { encoderTls: clientTls });
    expect(result.records.length).toBeGreaterThan(0);
    expect(result.stats.negatives.bySource["dense"]).toBeGreaterThan(0);
  });

  it("refuses, at once, a client trusting another CA or one without a certificate", async () => {
    const loaded = parseJobSpec(spec("refused"), { file: join(dir, "job.json"), baseDir: dir });
    for (const encoderTls of [{ ...clientTls, caFile: pki.otherCaFile }, { caFile: pki.caFile }]) {
      const started = Date.now();
      const error = await assembleTrainingSet(loaded, { encoderTls }).then(
        () => expect.fail("assembled"),
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(UnavailableError);
      expect(Date.now() - started).toBeLessThan(10_000);
      if (encoderTls.caFile === pki.otherCaFile) expect(error.message).toMatch(/certificate/i);
    }
  });

  it("the CLI's --tls-* flags reach the dial; a missing file is named by its flag", async () => {
    const job = join(dir, "cli-job.json");
    await writeFile(job, spec("cli-set"));
    const missing = join(dir, "missing-ca.pem");
    const args = ["train", job, "--work-dir", join(dir, "cli-work"), "--no-progress"];
    const noFile = await ferret([...args, "--tls-ca", missing], { timeoutMs: 90_000 });
    expect(noFile.code).not.toBe(0);
    expect(noFile.stderr).toContain(`--tls-ca ${missing}: cannot be read`);
    const wrongCa = await ferret([...args, "--job-id", "wrong-ca", "--tls-ca", pki.otherCaFile], {
      timeoutMs: 90_000,
    });
    expect(wrongCa.code).not.toBe(0);
    expect(wrongCa.stderr).toMatch(/certificate/i);
  }, 120_000);
});
