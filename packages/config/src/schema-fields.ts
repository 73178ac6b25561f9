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

/** The `grpc` section every service has; each service has its own default port (see README). */
export const grpcServerSchema = (defaultPort: number) =>
  block({
    host: z.string().min(1).default("0.0.0.0"),
    port: portField(defaultPort),
    /** Largest request or response (runs and corpora can be sent inline). */
    maxMessageBytes: countField(256 * 1024 * 1024),
    /** How long SIGTERM waits for in-flight calls and jobs before closing them. */
    shutdownTimeoutMs: countField(10_000, 0),
  });
