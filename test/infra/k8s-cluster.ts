/**
 * A Kubernetes control plane for validating manifests: etcd and kube-apiserver on loopback (tools from
 * infra/dev/k8s-tools.sh), token auth, no nodes and no controllers. Objects are checked by the real API
 * server: built-in types, CRD schemas (structural, with unknown fields refused under --validate=strict) and
 * admission. stop() stops the API server before etcd; the other order leaves the API server retrying etcd.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { freePort } from "@ferret/service/testing";

const run = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, "../..");

export interface K8sTools {
  kubeApiserver: string;
  kubectl: string;
  helm: string;
  etcd: string;
  kedaCrds: string;
  /** prometheus-operator's ServiceMonitor CRD (a file). */
  serviceMonitorCrd: string;
}

/** Paths from `infra/dev/k8s-tools.sh env`; an error saying how to install what is missing. */
export async function k8sTools(): Promise<K8sTools> {
  const script = join(ROOT, "infra/dev/k8s-tools.sh");
  try {
    await run(script, ["status"]);
  } catch (err) {
    const out = (err as { stdout?: string }).stdout ?? "";
    throw new Error(`Kubernetes tools missing (run \`make k8s-tools\`):\n${out}`, { cause: err });
  }
  const { stdout } = await run(script, ["env"]);
  const env = Object.fromEntries(
    stdout
      .trim()
      .split("\n")
      .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
  return {
    kubeApiserver: env["K8S_TOOLS_KUBE_APISERVER"]!,
    kubectl: env["K8S_TOOLS_KUBECTL"]!,
    helm: env["K8S_TOOLS_HELM"]!,
    etcd: env["K8S_TOOLS_ETCD"]!,
    kedaCrds: env["K8S_TOOLS_KEDA_CRDS"]!,
    serviceMonitorCrd: env["K8S_TOOLS_SERVICEMONITOR_CRD"]!,
  };
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command with optional stdin; never throws on a non-zero exit (callers assert on it). */
export function exec(
  cmd: string,
  args: string[],
  input?: string,
  env?: NodeJS.ProcessEnv,
): Promise<CommandResult> {
  return new Promise((ok, fail) => {
    const p = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.once("error", fail);
    p.once("close", (code) => ok({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(input ?? "");
  });
}

export class ControlPlane {
  private constructor(
    readonly tools: K8sTools,
    readonly kubeconfig: string,
    private readonly dir: string,
    private readonly etcd: ChildProcess,
    private readonly apiserver: ChildProcess,
    private readonly logs: { etcd: string[]; apiserver: string[] },
  ) {}

  static async start(tools: K8sTools): Promise<ControlPlane> {
    const dir = mkdtempSync(join(tmpdir(), "ferret-k8s-"));
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const logs = { etcd: [] as string[], apiserver: [] as string[] };
    const keep = (into: string[]) => (d: Buffer) => {
      into.push(d.toString());
      if (into.length > 200) into.splice(0, into.length - 200);
    };
    const etcd = spawn(
      tools.etcd,
      [
        `--data-dir=${join(dir, "etcd")}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
        "--logger=zap",
        "--log-level=warn",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    etcd.stdout!.on("data", keep(logs.etcd));
    etcd.stderr!.on("data", keep(logs.etcd));

    const token = randomBytes(24).toString("hex");
    writeFileSync(join(dir, "tokens.csv"), `${token},ferret-test,ferret-test,"system:masters"\n`, {
      mode: 0o600,
    });
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(join(dir, "sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    const apiserver = spawn(
      tools.kubeApiserver,
      [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${apiPort}`,
        `--cert-dir=${join(dir, "certs")}`,
        `--token-auth-file=${join(dir, "tokens.csv")}`,
        "--authorization-mode=RBAC",
        `--service-account-key-file=${join(dir, "sa.key")}`,
        `--service-account-signing-key-file=${join(dir, "sa.key")}`,
        "--service-account-issuer=https://kubernetes.default.svc",
        "--service-cluster-ip-range=10.96.0.0/16",
        "--enable-priority-and-fairness=false",
        "--anonymous-auth=false",
        "--profiling=false",
        "--v=0",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    apiserver.stdout!.on("data", keep(logs.apiserver));
    apiserver.stderr!.on("data", keep(logs.apiserver));

    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(
      kubeconfig,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: test",
        "  cluster:",
        `    server: https://127.0.0.1:${apiPort}`,
        // A self-signed serving certificate from --cert-dir; the token is what is tested, not the CA.
        "    insecure-skip-tls-verify: true",
        "users:",
        "- name: test",
        "  user:",
        `    token: ${token}`,
        "contexts:",
        "- name: test",
        "  context: { cluster: test, user: test }",
        "current-context: test",
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    const plane = new ControlPlane(tools, kubeconfig, dir, etcd, apiserver, logs);
    try {
      await plane.waitReady();
    } catch (err) {
      await plane.stop();
      throw err;
    }
    return plane;
  }

  kubectl(args: string[], input?: string): Promise<CommandResult> {
    return exec(this.tools.kubectl, ["--kubeconfig", this.kubeconfig, ...args], input);
  }

  /**
   * Polls until every CRD reports Established=True. (`kubectl wait` gives up at once while a new CRD has no
   * status.conditions yet, which happens on a busy machine.)
   */
  async waitEstablished(crds: string[], timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const path = '{.status.conditions[?(@.type=="Established")].status}';
    for (;;) {
      const states = await Promise.all(
        crds.map((c) => this.kubectl(["get", `crd/${c}`, "-o", `jsonpath=${path}`])),
      );
      const pending = crds.filter((_c, i) => states[i]!.stdout.trim() !== "True");
      if (pending.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`CRDs not Established in ${timeoutMs} ms: ${pending.join(", ")}`);
      await new Promise((ok) => setTimeout(ok, 500));
    }
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 120_000;
    let last = "";
    while (Date.now() < deadline) {
      for (const [name, p] of [
        ["etcd", this.etcd],
        ["kube-apiserver", this.apiserver],
      ] as const) {
        if (p.exitCode !== null) {
          throw new Error(
            `${name} exited (${p.exitCode}):\n${this.logTail(name === "etcd" ? "etcd" : "apiserver")}`,
          );
        }
      }
      const r = await this.kubectl(["get", "--raw", "/readyz"]);
      if (r.code === 0 && r.stdout.trim() === "ok") return;
      last = r.stderr || r.stdout;
      await new Promise((ok) => setTimeout(ok, 1000));
    }
    throw new Error(`kube-apiserver not ready in 120 s: ${last}\n${this.logTail("apiserver")}`);
  }

  logTail(which: "etcd" | "apiserver"): string {
    return this.logs[which].join("").split("\n").slice(-30).join("\n");
  }

  /** API server first (SIGTERM, then SIGKILL after 20 s), then etcd; then the data directory. */
  async stop(): Promise<void> {
    for (const p of [this.apiserver, this.etcd]) {
      if (p.exitCode !== null || p.signalCode !== null) continue;
      const exited = new Promise((ok) => p.once("exit", ok));
      p.kill("SIGTERM");
      const timer = setTimeout(() => p.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
