/** Where the dev services are, and the one error the smoke tests give when they are not there. */
export const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
export const OPENSEARCH_URL = process.env.OPENSEARCH_URL ?? "http://127.0.0.1:9200";

/** Wraps a connection failure so the test fails (never skips) with what to do about it. */
export function unreachable(service: string, url: string, cause: unknown): Error {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new Error(
    `${service} is not reachable at ${url} (${why}). Start the dev services with \`make services-up\`.`,
    {
      cause,
    },
  );
}

/** A name no other test run on this machine uses (tests of several helpers share one server). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
