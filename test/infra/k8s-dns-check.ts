/**
 * In-cluster addresses in rendered manifests must name a rendered Service and one of its ports. A config value
 * like "ferret-encodr:50054" (or the right name on a wrong port) would otherwise install cleanly and fail only
 * when the annotator first dials it. Hosts outside the release (NATS, OpenSearch) are passed as `external`.
 */
import { parse } from "yaml";

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

export interface AddressProblem {
  where: string;
  address: string;
}

// host[:port] after an optional scheme and optional credentials; a host without dots, or ending in .svc or
// .svc.cluster.local, or "name.namespace", is an in-cluster name.
const ADDRESS =
  /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/\s]+@)?([a-z0-9]([-a-z0-9.]*[a-z0-9])?):(\d{1,5})(?:\/.*)?$/;

function inCluster(host: string): boolean {
  const dots = host.split(".").length - 1;
  return dots <= 1 || host.endsWith(".svc") || host.endsWith(".svc.cluster.local");
}

function strings(node: unknown, path: string, out: [string, string][]): void {
  if (typeof node === "string") out.push([path, node]);
  else if (Array.isArray(node)) node.forEach((v, i) => strings(v, `${path}[${i}]`, out));
  else if (node !== null && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) strings(v, path ? `${path}.${k}` : k, out);
  }
}

/** Every in-cluster address in the ConfigMaps' config files and the ScaledObjects' trigger metadata. */
export function checkAddresses(docs: Manifest[], namespace: string, external: string[]): AddressProblem[] {
  const known = new Set<string>();
  for (const d of docs) {
    if (d.kind !== "Service") continue;
    const ns = d.metadata.namespace ?? namespace;
    const ports = ((d.spec?.["ports"] as { port: number }[] | undefined) ?? []).map((p) => p.port);
    const n = d.metadata.name;
    for (const name of [n, `${n}.${ns}`, `${n}.${ns}.svc`, `${n}.${ns}.svc.cluster.local`]) {
      for (const p of ports) known.add(`${name}:${p}`);
    }
  }
  const problems: AddressProblem[] = [];
  for (const d of docs) {
    const found: [string, string][] = [];
    if (d.kind === "ConfigMap") {
      for (const [key, text] of Object.entries(d.data ?? {})) {
        if (key.endsWith(".yaml")) strings(parse(text), "", found);
      }
    } else if (d.kind === "ScaledObject") {
      strings(d.spec?.["triggers"], "triggers", found);
    } else continue;
    for (const [path, value] of found) {
      const m = ADDRESS.exec(value);
      if (!m || !inCluster(m[1]!)) continue;
      const address = `${m[1]}:${m[3]}`;
      if (known.has(address) || external.includes(address)) continue;
      problems.push({ where: `${d.kind}/${d.metadata.name} ${path}`, address });
    }
  }
  return problems;
}
