import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Fault-injection proxy in front of a real OpenSearch node: forwards every request, except that the
 * first `rejectBulks` _bulk requests are answered with every item rejected (status 429,
 * es_rejected_execution_exception), as a node whose write queue is full answers. A real node shows
 * this only under load, so tests use this double to exercise retry paths on demand.
 */
export interface FaultInjectionProxy {
  url: string;
  rejectedBulks: number;
  forwardedBulks: number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function startFaultInjectionProxy(
  target: string,
  rejectBulks: number,
): Promise<FaultInjectionProxy> {
  const upstream = new URL(target);
  const state = { rejectedBulks: 0, forwardedBulks: 0 };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const isBulk = (req.url ?? "").split("?")[0]?.endsWith("/_bulk") ?? false;
      if (isBulk && state.rejectedBulks < rejectBulks) {
        state.rejectedBulks++;
        const lines = body.toString("utf8").split("\n").filter(Boolean);
        const items: unknown[] = [];
        for (let i = 0; i < lines.length; i++) {
          const action = JSON.parse(lines[i] as string) as Record<string, { _index?: string; _id?: string }>;
          const [op, meta] = Object.entries(action)[0] as [string, { _index?: string; _id?: string }];
          if (op !== "delete") i++; // skip the document line
          items.push({
            [op]: {
              _index: meta._index,
              _id: meta._id,
              status: 429,
              error: { type: "es_rejected_execution_exception", reason: "injected: write queue full" },
            },
          });
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ took: 1, errors: true, items }));
        return;
      }
      if (isBulk) state.forwardedBulks++;
      const out = request(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.on("error", (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      out.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get rejectedBulks() {
      return state.rejectedBulks;
    },
    get forwardedBulks() {
      return state.forwardedBulks;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
