/**
 * The service images from infra/images/build.sh (make images): each one, unpacked by umoci into an OCI runtime
 * bundle and started by runc the way a kubelet would (its own user, a read-only root filesystem, writable
 * /tmp and /var/lib/ferret only), answers SERVING on grpc.health.v1 and stops on SIGTERM. Its config says
 * non-root and carries the version and git revision labels.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createClient } from "@ferret/grpc";
import { freePort } from "@ferret/service/testing";
import { service as healthService } from "grpc-health-check";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./k8s-cluster.js";

const run = promisify(execFile);
const IMAGES = process.env.FERRET_IMAGES_DIR ?? join(ROOT, ".cache/images");
const SERVICES = ["encoder", "ranker", "annotator", "evaluator"] as const;
// What each service needs to start with no cluster around it (embedded bus; an LLM URL never called).
const ENV: Record<string, string[]> = {
  annotator: ["FERRET_ANNOTATOR_LLM__BASE_URL=http://127.0.0.1:9/v1", "FERRET_ANNOTATOR_LLM__MODEL=none"],
};

interface ImageConfig {
  config: { User?: string; Labels?: Record<string, string>; ExposedPorts?: Record<string, object> };
}

/** The image config of tag `latest` in an OCI layout. */
function imageConfig(layout: string): ImageConfig {
  const blob = (digest: string) =>
    JSON.parse(readFileSync(join(layout, "blobs", ...digest.split(":")), "utf8")) as Record<string, unknown>;
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const ref = index.manifests.find((m) => m.annotations?.["org.opencontainers.image.ref.name"] === "latest");
  if (!ref) throw new Error(`${layout} has no tag latest`);
  const manifest = blob(ref.digest) as { config: { digest: string } };
  return blob(manifest.config.digest) as unknown as ImageConfig;
}

const started: { id: string; bundle: string; proc: ChildProcess }[] = [];

async function stop(id: string, bundle: string, proc: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((ok) => {
    if (proc.exitCode !== null) ok(proc.exitCode);
    else proc.once("exit", (code) => ok(code));
  });
  await run("runc", ["kill", id, "TERM"]).catch(() => undefined);
  const timer = setTimeout(() => void run("runc", ["kill", id, "KILL"]).catch(() => undefined), 20_000);
  const code = await exited;
  clearTimeout(timer);
  await run("runc", ["delete", "--force", id]).catch(() => undefined);
  rmSync(bundle, { recursive: true, force: true });
  return code;
}

afterAll(async () => {
  await Promise.all(started.map((s) => stop(s.id, s.bundle, s.proc)));
});

describe.each(SERVICES)("image ferret-%s", (name) => {
  const layout = join(IMAGES, `ferret-${name}`);

  it("is non-root and labelled with its version and git revision", () => {
    if (!existsSync(layout)) throw new Error(`${layout} is missing: run \`make images\` first`);
    const { config } = imageConfig(layout);
    expect(config.User).toBe("10001:10001");
    const labels = config.Labels ?? {};
    expect(labels["org.opencontainers.image.version"]).toMatch(/^\d+\.\d+\.\d+/);
    expect(labels["org.opencontainers.image.revision"]).toMatch(/^[0-9a-f]{40}(-dirty)?$/);
    const generated = JSON.parse(
      readFileSync(join(ROOT, "infra/helm/ferret/generated/stages.json"), "utf8"),
    ) as { services: Record<string, { grpcPort: number }> };
    expect(Object.keys(config.ExposedPorts ?? {})).toContain(`${generated.services[name]!.grpcPort}/tcp`);
  });

  it("runs under runc with a read-only root filesystem and reports SERVING", async () => {
    if (!existsSync(layout)) throw new Error(`${layout} is missing: run \`make images\` first`);
    const bundle = mkdtempSync(join(tmpdir(), `ferret-${name}-bundle-`));
    rmSync(bundle, { recursive: true });
    await run("umoci", ["unpack", "--image", `${layout}:latest`, bundle], { maxBuffer: 64 << 20 });
    const [grpcPort, metricsPort] = [await freePort(), await freePort()];
    const prefix = `FERRET_${name.toUpperCase()}_`;
    const specFile = join(bundle, "config.json");
    const spec = JSON.parse(readFileSync(specFile, "utf8")) as {
      process: { terminal: boolean; env: string[] };
      root: { readonly: boolean };
      linux: { namespaces: { type: string }[] };
      mounts: { destination: string; type: string; source: string; options: string[] }[];
    };
    spec.process.terminal = false;
    spec.process.env.push(
      `${prefix}GRPC__PORT=${grpcPort}`,
      `${prefix}METRICS__PORT=${metricsPort}`,
      ...(ENV[name] ?? []),
    );
    spec.root.readonly = true;
    // The host's network namespace, so the test reaches the port on loopback (no CNI here).
    spec.linux.namespaces = spec.linux.namespaces.filter((n) => n.type !== "network");
    for (const [dest, owner] of [
      ["/tmp", "mode=1777"],
      ["/var/lib/ferret", "uid=10001,gid=10001,mode=0700"],
    ] as const) {
      spec.mounts.push({
        destination: dest,
        type: "tmpfs",
        source: "tmpfs",
        options: ["nosuid", "nodev", ...owner.split(","), "size=128m"],
      });
    }
    writeFileSync(specFile, JSON.stringify(spec));

    const id = `ferret-${name}-${process.pid}-${Date.now().toString(36)}`;
    const proc = spawn("runc", ["run", "--bundle", bundle, id], { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    proc.stdout.on("data", (d: Buffer) => (log += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (log += d.toString()));
    started.push({ id, bundle, proc });

    const health = createClient(healthService, `127.0.0.1:${grpcPort}`, { retry: false, deadlineMs: 2000 });
    let status: unknown;
    try {
      for (let i = 0; i < 120 && proc.exitCode === null; i++) {
        status = await health["Check"]!({ service: "" }).catch(() => undefined);
        if (status !== undefined) break;
        await new Promise((ok) => setTimeout(ok, 500));
      }
    } finally {
      health.close();
    }
    expect(status, `no health answer; container log:\n${log}`).toEqual({ status: "SERVING" });

    started.splice(
      started.findIndex((s) => s.id === id),
      1,
    );
    const code = await stop(id, bundle, proc);
    expect(code, log).toBe(0);
    expect(log).toContain(`"msg":"shutting down"`);
  }, 180_000);
});
