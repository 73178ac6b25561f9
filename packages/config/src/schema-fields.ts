import { z } from "zod";

/**
 * zod field builders shared by the services' config schemas. Env values arrive as strings, so numbers are
 * coerced and booleans accept "true"/"false"/"1"/"0".
 */
export const portField = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const flagField = (fallback: boolean) => z.union([z.boolean(), z.stringbool()]).default(fallback);
export const countField = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);
/** A non-empty string with a default (names of queues, buckets, directories). */
export const textField = (fallback: string) => z.string().min(1).default(fallback);
/** A list given as an array (YAML) or a comma-separated string (env). */
export const listField = z.preprocess(
  (v) => (typeof v === "string" ? v.split(",").filter((s) => s !== "") : v),
  z.array(z.string().min(1)),
);

/** A config block: an object whose fields all have defaults (or are optional), so the block may be left out. */
export const block = <Shape extends z.ZodRawShape>(shape: Shape) =>
  // zod cannot see that a generic shape's fields all have defaults, so the empty input is asserted
  z.object(shape).prefault({} as never);

const pemFile = z.string().min(1).optional();

function certAndKeyTogether(
  tls: { certFile?: string | undefined; keyFile?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined))
    ctx.addIssue({
      code: "custom",
      path: [tls.certFile === undefined ? "certFile" : "keyFile"],
      message: "certFile and keyFile go together (one of them is missing)",
    });
}

/**
 * A gRPC server's TLS (`grpc.tls`): off unless certFile and keyFile are set. caFile is the CA client
 * certificates must chain to; clientAuth "require" (mTLS) refuses a client without one. There is no
 * "request" mode: Node's TLS would then accept a client certificate it could not verify.
 */
export const grpcServerTlsSchema = block({
  certFile: pemFile,
  keyFile: pemFile,
  caFile: pemFile,
  clientAuth: z.enum(["none", "require"]).default("none"),
}).superRefine((tls, ctx) => {
  certAndKeyTogether(tls, ctx);
  if (tls.clientAuth === "require" && (tls.caFile === undefined || tls.certFile === undefined))
    ctx.addIssue({
      code: "custom",
      path: ["clientAuth"],
      message: 'clientAuth "require" needs certFile, keyFile and caFile (the CA of client certificates)',
    });
});

/**
 * How a process dials another service's gRPC (e.g. the annotator's `encoder.tls`): TLS when `enabled` or
 * any file is set; caFile is the CA the server's certificate chains to (else the system's CAs); certFile
 * and keyFile are this client's certificate for a server that requires one (mTLS).
 */
export const grpcClientTlsSchema = block({
  enabled: flagField(false),
  caFile: pemFile,
  certFile: pemFile,
  keyFile: pemFile,
}).superRefine(certAndKeyTogether);

/** The `grpc` section every service has; each service has its own default port (see README). */
export const grpcServerSchema = (defaultPort: number) =>
  block({
    host: z.string().min(1).default("0.0.0.0"),
    port: portField(defaultPort),
    /**
     * A plaintext port serving only grpc.health.v1 (unset: none), for probes that cannot speak TLS, such as
     * Kubernetes' native gRPC probes, when `tls` is on.
     */
    healthPort: z.coerce.number().int().min(0).max(65535).optional(),
    tls: grpcServerTlsSchema,
    /** Largest request or response (runs and corpora can be sent inline). */
    maxMessageBytes: countField(256 * 1024 * 1024),
    /** How long SIGTERM waits for in-flight calls and jobs before closing them. */
    shutdownTimeoutMs: countField(10_000, 0),
  });
