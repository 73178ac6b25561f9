/**
 * The Helm chart infra/helm/ferret against a real kube-apiserver (etcd + kube-apiserver on loopback, KEDA's
 * CRDs applied and Established): `helm template | kubectl apply --dry-run=server --validate=strict` accepts
 * the default values and each value set in the chart's ci/ folder, and refuses what must not install:
 * a misspelled or wrongly typed value (values.schema.json), a ScaledObject field KEDA's CRD does not have,
 * and in-cluster addresses that name no Service. Stream and consumer names agree with the code. gRPC TLS
 * (ci/grpc-tls-values.yaml) mounts its Secret, wires each service's env and moves the probes to the plaintext
 * health port; ServiceMonitors render only once prometheus-operator's real ServiceMonitor CRD is applied on
 * the API server, which then accepts them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAddresses, type Manifest } from "./k8s-dns-check.js";
import { ControlPlane, exec, k8sTools, ROOT, type K8sTools } from "./k8s-cluster.js";

const CHART = join(ROOT, "infra/helm/ferret");
const NS = "ferret";
// Addresses of what the value sets say runs outside the release (NATS, OpenSearch, the LLM server).
const EXTERNAL = [
  "nats:4222",
  "nats:8222",
  "opensearch:9200",
  "opensearch-cluster-master:9200",
  "vllm:8000",
  "nats.messaging.svc.cluster.local:4222",
  "nats.messaging.svc.cluster.local:8222",
];
const VALUE_SETS = readdirSync(join(CHART, "ci")).filter((f) => f.endsWith("-values.yaml"));
const generated = JSON.parse(readFileSync(join(CHART, "generated/stages.json"), "utf8")) as {
  streamPrefix: string;
  consumer: string;
  stages: Record<string, { service: string; stream: string; consumer: string }>;
};

let tools: K8sTools;
let plane: ControlPlane | undefined;
let setupError: Error | undefined;

beforeAll(async () => {
  try {
    tools = await k8sTools();
    plane = await ControlPlane.start(tools);
    const crds = await plane.kubectl(["apply", "--server-side", "-f", tools.kedaCrds]);
    if (crds.code !== 0) throw new Error(`applying KEDA CRDs failed: ${crds.stderr}`);
    await plane.waitEstablished([
      "scaledobjects.keda.sh",
      "scaledjobs.keda.sh",
      "triggerauthentications.keda.sh",
      "clustertriggerauthentications.keda.sh",
    ]);
    const ns = await plane.kubectl(["create", "namespace", NS]);
    if (ns.code !== 0) throw new Error(`creating namespace ${NS}: ${ns.stderr}`);
  } catch (err) {
    setupError = err as Error;
  }
}, 300_000);

afterAll(async () => {
  await plane?.stop();
}, 60_000);

function cluster(): ControlPlane {
  if (setupError || !plane) throw setupError ?? new Error("no control plane");
  return plane;
}

async function template(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec(tools.helm, ["template", "ferret", CHART, "--namespace", NS, ...args]);
}

function manifests(yamlText: string): Manifest[] {
  return parseAllDocuments(yamlText)
    .map((d) => d.toJS() as Manifest | null)
    .filter((d): d is Manifest => d !== null);
}

async function serverDryRun(yamlText: string) {
  return cluster().kubectl(["apply", "--dry-run=server", "--validate=strict", "-n", NS, "-f", "-"], yamlText);
}

describe("generated values", () => {
  it("agree with the built code (node infra/helm/gen-values.mjs --check)", async () => {
    const r = await exec("node", [join(ROOT, "infra/helm/gen-values.mjs"), "--check"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});

describe("chart on kube-apiserver", () => {
  it.each([["default values", ""], ...VALUE_SETS.map((f) => [f, f])])(
    "%s: the API server accepts every object (dry-run, strict)",
    async (_label, file) => {
      cluster();
      const rendered = await template(file ? ["-f", join(CHART, "ci", file)] : []);
      expect(rendered.stderr).toBe("");
      expect(rendered.code).toBe(0);
      const docs = manifests(rendered.stdout);
      const applied = await serverDryRun(rendered.stdout);
      expect(applied.stderr).toBe("");
      expect(applied.code).toBe(0);
      // One "configured/created (server dry run)" line per object.
      expect(applied.stdout.trim().split("\n")).toHaveLength(docs.length);
      expect(checkAddresses(docs, NS, EXTERNAL)).toEqual([]);
    },
    120_000,
  );

  it("renders per service a Deployment, Service, ConfigMap, ServiceAccount, PDB, NetworkPolicy; per stage a worker Deployment, PDB and ScaledObject", async () => {
    const docs = manifests((await template([])).stdout);
    const per = new Map<string, string[]>();
    for (const d of docs) {
      const c =
        (d.metadata as { labels?: Record<string, string> }).labels?.["app.kubernetes.io/component"] ?? "-";
      per.set(c, [...(per.get(c) ?? []), `${d.kind}/${d.metadata.name}`]);
    }
    for (const svc of ["encoder", "ranker", "annotator", "evaluator"]) {
      const kinds = (per.get(svc) ?? []).sort();
      expect(kinds).toEqual(
        [
          `ConfigMap/ferret-${svc}`,
          `Deployment/ferret-${svc}`,
          `Deployment/ferret-${svc}-worker`,
          `NetworkPolicy/ferret-${svc}`,
          `PodDisruptionBudget/ferret-${svc}`,
          `PodDisruptionBudget/ferret-${svc}-worker`,
          `ScaledObject/ferret-${svc}-worker`,
          `Service/ferret-${svc}`,
          `ServiceAccount/ferret-${svc}`,
        ].sort(),
      );
    }
  });

  it("points each ScaledObject at its stage's stream and durable consumer, as the code names them", async () => {
    const docs = manifests((await template([])).stdout);
    const scaled = docs.filter((d) => d.kind === "ScaledObject");
    // The trainer is off by default (values.yaml: it needs GPU nodes to be worth it); the GPU test below covers its stage.
    const stages = Object.entries(generated.stages).filter(([, s]) => s.service !== "trainer");
    expect(scaled).toHaveLength(stages.length);
    for (const [stage, s] of stages) {
      const so = scaled.find((d) => d.metadata.name === `ferret-${s.service}-worker`);
      const trigger = (so?.spec?.["triggers"] as { type: string; metadata: Record<string, string> }[])[0]!;
      expect(trigger.type, stage).toBe("nats-jetstream");
      expect(trigger.metadata["stream"], stage).toBe(s.stream);
      expect(trigger.metadata["consumer"], stage).toBe(s.consumer);
      expect(so?.spec?.["minReplicaCount"], stage).toBe(0);
    }
    // A queue renamed in a service's config moves its ScaledObject with it.
    const renamed = manifests((await template(["--set", "ranker.config.jobs.queue=rs-eu"])).stdout);
    const ranker = renamed.find(
      (d) => d.kind === "ScaledObject" && d.metadata.name === "ferret-ranker-worker",
    );
    expect(
      (ranker?.spec?.["triggers"] as { metadata: Record<string, string> }[])[0]!.metadata["stream"],
    ).toBe(`${generated.streamPrefix}rs-eu`);
  });

  it("gives the GPU trainer nvidia.com/gpu, its node selector and tolerations, and one job per pod", async () => {
    const docs = manifests((await template(["-f", join(CHART, "ci/gpu-trainer-values.yaml")])).stdout);
    const worker = docs.find((d) => d.kind === "Deployment" && d.metadata.name === "ferret-trainer-worker");
    const pod = (worker?.spec?.["template"] as { spec: Record<string, unknown> }).spec;
    const container = (pod["containers"] as { resources: { limits: Record<string, unknown> } }[])[0]!;
    expect(container.resources.limits["nvidia.com/gpu"]).toBe(1);
    expect(pod["nodeSelector"]).toMatchObject({ "nvidia.com/gpu.present": "true" });
    expect(pod["tolerations"]).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    const so = docs.find((d) => d.kind === "ScaledObject" && d.metadata.name === "ferret-trainer-worker");
    expect(
      (so?.spec?.["triggers"] as { metadata: Record<string, string> }[])[0]!.metadata["lagThreshold"],
    ).toBe("1");
    // The LLM key is in a Secret and reaches the annotator through env, never a ConfigMap.
    const configMaps = docs.filter((d) => d.kind === "ConfigMap").map((d) => JSON.stringify(d.data));
    expect(configMaps.join("\n")).not.toContain("not-a-real-key");
    expect(docs.find((d) => d.kind === "Secret")).toBeDefined();
  });

  it("lets the annotator and the trainer reach the encoder's gRPC port: the encoder admits them and their egress allows it", async () => {
    const docs = manifests((await template(["-f", join(CHART, "ci/gpu-trainer-values.yaml")])).stdout);
    const policy = (svc: string) => {
      const p = docs.find((d) => d.kind === "NetworkPolicy" && d.metadata.name === `ferret-${svc}`);
      return p?.spec as {
        ingress: { from?: { podSelector?: { matchLabels: Record<string, string> } }[] }[];
        egress: {
          ports: { port: number | string }[];
          to?: { podSelector?: { matchLabels: Record<string, string> } }[];
        }[];
      };
    };
    const encoderService = docs.find((d) => d.kind === "Service" && d.metadata.name === "ferret-encoder");
    const grpcPort = (encoderService?.spec?.["ports"] as { name: string; port: number }[]).find(
      (p) => p.name === "grpc",
    )!.port;
    const admitted = policy("encoder")
      .ingress.flatMap((rule) => rule.from ?? [])
      .map((peer) => peer.podSelector?.matchLabels["app.kubernetes.io/component"]);
    for (const caller of ["annotator", "trainer"]) {
      expect(admitted, caller).toContain(caller);
      const toEncoder = policy(caller).egress.filter(
        (rule) =>
          rule.ports.some((p) => p.port === grpcPort) &&
          (rule.to ?? []).some(
            (peer) => peer.podSelector?.matchLabels["app.kubernetes.io/component"] === "encoder",
          ),
      );
      expect(toEncoder, caller).toHaveLength(1);
    }
    // The ranker and the evaluator dial no other service.
    for (const svc of ["ranker", "evaluator"]) {
      expect(
        policy(svc).egress.some((rule) => rule.ports.some((p) => p.port === grpcPort)),
        svc,
      ).toBe(false);
    }
  });

  it("passes NATS credentials and TLS files from Secrets, never through a ConfigMap", async () => {
    const docs = manifests((await template(["-f", join(CHART, "ci/external-values.yaml")])).stdout);
    const deployments = docs.filter((d) => d.kind === "Deployment");
    expect(deployments).toHaveLength(8);
    for (const d of deployments) {
      const pod = (
        d.spec?.["template"] as { spec: { containers: { env: { name: string; valueFrom?: unknown }[] }[] } }
      ).spec;
      const env = pod.containers[0]!.env;
      const password = env.find((e) => e.name.endsWith("_NATS__PASSWORD"));
      expect(password?.valueFrom, d.metadata.name).toEqual({
        secretKeyRef: { name: "ferret-nats", key: "password" },
      });
      expect(env.map((e) => e.name).filter((n) => n.includes("_NATS__TLS__"))).toHaveLength(3);
    }
    for (const cm of docs.filter((d) => d.kind === "ConfigMap")) {
      expect(JSON.stringify(cm.data)).not.toMatch(/password|token/i);
    }
  });

  it("passes gRPC TLS files from a Secret, and points the probes at the plaintext health-only port", async () => {
    const docs = manifests((await template(["-f", join(CHART, "ci/grpc-tls-values.yaml")])).stdout);
    const deployments = docs.filter((d) => d.kind === "Deployment");
    expect(deployments).toHaveLength(10);
    type Container = {
      env: { name: string; value?: string }[];
      ports: { name: string; containerPort: number }[];
      volumeMounts: { name: string; mountPath: string }[];
      readinessProbe: { grpc: { port: number } };
      livenessProbe: { grpc: { port: number } };
      startupProbe: { grpc: { port: number } };
    };
    for (const d of deployments) {
      const pod = (
        d.spec?.["template"] as {
          spec: { containers: Container[]; volumes: { name: string; secret?: { secretName: string } }[] };
        }
      ).spec;
      const c = pod.containers[0]!;
      const env = Object.fromEntries(c.env.map((e) => [e.name, e.value]));
      const prefix = Object.keys(env)
        .find((n) => n.endsWith("_CONFIG"))!
        .replace(/CONFIG$/, "");
      expect(env, d.metadata.name).toMatchObject({
        [`${prefix}GRPC__TLS__CERT_FILE`]: "/etc/ferret/grpc-tls/tls.crt",
        [`${prefix}GRPC__TLS__KEY_FILE`]: "/etc/ferret/grpc-tls/tls.key",
        [`${prefix}GRPC__TLS__CA_FILE`]: "/etc/ferret/grpc-tls/ca.crt",
        [`${prefix}GRPC__TLS__CLIENT_AUTH`]: "require",
        [`${prefix}GRPC__HEALTH_PORT`]: "50050",
      });
      // The services that dial the encoder trust the CA and, under mutual TLS, present the certificate.
      const dials = ["FERRET_ANNOTATOR_", "FERRET_TRAINER_"].includes(prefix);
      expect(`${prefix}ENCODER__TLS__CERT_FILE` in env, d.metadata.name).toBe(dials);
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe])
        expect(probe.grpc.port).toBe(50050);
      expect(c.ports).toContainEqual(expect.objectContaining({ name: "grpc-health", containerPort: 50050 }));
      expect(c.volumeMounts).toContainEqual({
        name: "grpc-tls",
        mountPath: "/etc/ferret/grpc-tls",
        readOnly: true,
      });
      expect(pod.volumes).toContainEqual({ name: "grpc-tls", secret: { secretName: "ferret-grpc-tls" } });
    }
    // Without TLS the probes stay on the gRPC port.
    const plain = manifests((await template([])).stdout).find(
      (d) => d.kind === "Deployment" && d.metadata.name === "ferret-encoder",
    );
    const container = (plain?.spec?.["template"] as { spec: { containers: Container[] } }).spec
      .containers[0]!;
    expect(container.readinessProbe.grpc.port).toBe(50054);
    expect(container.env.map((e) => e.name).filter((n) => n.includes("GRPC__TLS"))).toEqual([]);
  });

  it("adds ServiceMonitors only when the API server has the ServiceMonitor CRD, and the server accepts them", async () => {
    // Rendered with the API server's own capabilities (helm template --dry-run=server).
    const rendered = async () => {
      const r = await template(["--dry-run=server", "--kubeconfig", cluster().kubeconfig]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      return manifests(r.stdout);
    };
    const monitors = (docs: Manifest[]) => docs.filter((d) => d.kind === "ServiceMonitor");
    expect(monitors(await rendered())).toEqual([]);

    const crd = await cluster().kubectl(["apply", "--server-side", "-f", tools.serviceMonitorCrd]);
    expect(crd.stderr).toBe("");
    await cluster().waitEstablished(["servicemonitors.monitoring.coreos.com"]);
    const docs = await rendered();
    expect(
      monitors(docs)
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(["ferret-annotator", "ferret-encoder", "ferret-evaluator", "ferret-ranker"]);
    const yamlText = monitors(docs)
      .map((d) => stringify(d))
      .join("---\n");
    const applied = await serverDryRun(yamlText);
    expect(applied.stderr).toBe("");
    expect(applied.stdout).toMatch(
      /servicemonitor.monitoring.coreos.com\/ferret-encoder created \(server dry run\)/,
    );
    // The CRD's schema is enforced: a field it does not have is refused.
    const bad = parseAllDocuments(yamlText)[0]!;
    bad.setIn(["spec", "endpoints", 0, "intervall"], "30s");
    const refused = await serverDryRun(bad.toString());
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/unknown field "spec.endpoints\[0\].intervall"/);
  });
});

describe("what must not install", () => {
  it.each([
    ["a misspelled top-level value", ["--set", "encoder.replicaz=2"], /replicaz/],
    ["a misspelled config key", ["--set", "annotator.config.llm.concurency=4"], /concurency/],
    ["a wrongly typed value", ["--set", "ranker.replicas=two"], /replicas/],
    ["an LLM key in a ConfigMap", ["--set", "annotator.config.llm.apiKey=sk-123"], /apiKey/],
    ["a NATS password in a ConfigMap", ["--set", "encoder.config.nats.password=pw"], /password/],
    ["NATS credentials in a plain URL", ["--set", "nats.url=nats://u:pw@nats:4222"], /nats\/url/],
  ])("%s fails the schema", async (_label, args, names) => {
    const r = await template(args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/values don't meet the specifications of the schema/);
    expect(r.stderr).toMatch(names);
  });

  it("a ScaledObject field KEDA's CRD does not have is refused by the API server", async () => {
    const rendered = (await template([])).stdout;
    const docs = parseAllDocuments(rendered);
    const so = docs.find((d) => d.get("kind") === "ScaledObject")!;
    so.setIn(["spec", "pollingIntervall"], 30);
    const bad = docs.map((d) => d.toString()).join("---\n");
    const r = await serverDryRun(bad);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/ScaledObject.*unknown field "spec.pollingIntervall"/s);

    const typed = parseAllDocuments(rendered);
    typed.find((d) => d.get("kind") === "ScaledObject")!.setIn(["spec", "maxReplicaCount"], "lots");
    const r2 = await serverDryRun(typed.map((d) => d.toString()).join("---\n"));
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toMatch(/maxReplicaCount/);
  });

  it.each([
    ["a misspelled Service name", "ferret-encodr:50054"],
    ["the right Service on a port it does not have", "ferret-encoder:50055"],
    ["another namespace's name for the Service", "ferret-encoder.other.svc.cluster.local:50054"],
  ])("an in-cluster address with %s is reported", async (_label, address) => {
    const r = await template(["--set", `annotator.config.encoder.address=${address}`]);
    expect(r.code).toBe(0);
    const problems = checkAddresses(manifests(r.stdout), NS, EXTERNAL);
    expect(problems).toEqual([{ where: "ConfigMap/ferret-annotator encoder.address", address }]);
    // And the chart's own wiring, for every Service name form, passes.
    for (const ok of ["ferret-encoder:50054", `ferret-encoder.${NS}.svc.cluster.local:50054`]) {
      const good = await template(["--set", `annotator.config.encoder.address=${ok}`]);
      expect(checkAddresses(manifests(good.stdout), NS, EXTERNAL)).toEqual([]);
    }
  });
});
