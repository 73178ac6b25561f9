/**
 * No secret in any log line, at any level: the built service processes (dist/main.js) run at log level
 * trace with secrets in their environment: the annotator with a NATS user and password and an LLM key, the
 * evaluator with a NATS token, against real nats-servers started with that auth. The annotator's key is
 * used (a local OpenAI-compatible endpoint sees it, then refuses it, echoing it back in its error body as
 * some servers do), and starts refused for a wrong password or token log their failure too. Every line
 * each process wrote is scanned for every secret.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { startNatsServer, type NatsServer } from "@ferret/bus/testing";
import { createClient } from "@ferret/grpc";
import { AnnotatorService, JudgeRequest, JudgeTask } from "@ferret/proto";
import { spawnServiceProcess } from "@ferret/service/testing";
import { service as healthService } from "grpc-health-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const main = (service: string) =>
  fileURLToPath(new URL(`../../services/${service}/dist/main.js`, import.meta.url));
const secret = (prefix: string) => `${prefix}-${randomBytes(12).toString("hex")}`;
const PASSWORD = secret("pw");
const TOKEN = secret("tok");
const LLM_KEY = secret("sk-ferret");
const SECRETS = { PASSWORD, TOKEN, LLM_KEY };

const natsServers: NatsServer[] = [];
let userUrl = "";
let tokenUrl = "";
let llm: Server;
let llmUrl = "";
const llmAuthorizations: string[] = [];

/** Lines of a process's log that contain any secret, named. */
function leaks(log: string): string[] {
  return log.split("\n").flatMap((line) =>
    Object.entries(SECRETS)
      .filter(([, value]) => line.includes(value))
      .map(([name]) => `${name}: ${line}`),
  );
}

/** The levels (pino numbers) a log has lines at. */
const levels = (log: string): Set<number> =>
  new Set(
    log
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => (JSON.parse(l) as { level: number }).level),
  );

const baseEnv = (prefix: string) => ({
  ...process.env,
  FERRET_LOG_LEVEL: "trace",
  [`${prefix}GRPC__HOST`]: "127.0.0.1",
  [`${prefix}GRPC__PORT`]: "0",
  [`${prefix}METRICS__HOST`]: "127.0.0.1",
  [`${prefix}METRICS__PORT`]: "0",
});

beforeAll(async () => {
  const userServer = await startNatsServer({ name: "user", user: { user: "ferret", password: PASSWORD } });
  natsServers.push(userServer);
  userUrl = userServer.url;
  const tokenServer = await startNatsServer({ name: "token", token: TOKEN });
  natsServers.push(tokenServer);
  tokenUrl = tokenServer.url;
  // An OpenAI-compatible endpoint that refuses the key, quoting it back in full in its error body.
  llm = createServer((request, response) => {
    llmAuthorizations.push(request.headers.authorization ?? "");
    response.writeHead(401, { "content-type": "application/json" });
    response.end(
      JSON.stringify({ error: { message: `Incorrect API key provided: ${LLM_KEY}`, type: "auth" } }),
    );
  });
  await new Promise<void>((ok) => llm.listen(0, "127.0.0.1", ok));
  llmUrl = `http://127.0.0.1:${(llm.address() as { port: number }).port}/v1`;
}, 60_000);

afterAll(async () => {
  await new Promise((ok) => llm?.close(ok));
  await Promise.all(natsServers.map((server) => server.stop()));
});

describe("no secret in any log line, at any level", () => {
  it("the annotator with a NATS password and an LLM key, the key used and refused", async () => {
    const child = await spawnServiceProcess(main("annotator"), {
      name: "annotator",
      env: {
        ...baseEnv("FERRET_ANNOTATOR_"),
        FERRET_ANNOTATOR_NATS__URL: userUrl,
        FERRET_ANNOTATOR_NATS__USER: "ferret",
        FERRET_ANNOTATOR_NATS__PASSWORD: PASSWORD,
        FERRET_ANNOTATOR_LLM__BASE_URL: llmUrl,
        FERRET_ANNOTATOR_LLM__MODEL: "m",
        FERRET_ANNOTATOR_LLM__API_KEY: LLM_KEY,
        FERRET_ANNOTATOR_LLM__MAX_ATTEMPTS: "2",
        FERRET_ANNOTATOR_PREFIX: `nosecrets${process.pid}`,
      },
    });
    let failure: unknown;
    try {
      const client = createClient(AnnotatorService, `127.0.0.1:${child.started.grpcPort}`, {
        retry: false,
        deadlineMs: 30_000,
      });
      try {
        failure = await client
          .judge(
            JudgeRequest.fromPartial({
              query: { id: "q1", text: "what do ferrets eat" },
              passages: [{ id: "d1", text: "Ferrets are carnivores." }],
              task: JudgeTask.JUDGE_TASK_RELEVANCE,
            }),
          )
          .then(
            (response) => response,
            (e: unknown) => e,
          );
      } finally {
        client.close();
      }
      expect(await child.stop()).toBe(0);
    } finally {
      child.kill();
    }
    expect(llmAuthorizations).toContain(`Bearer ${LLM_KEY}`);
    // The refusal reaches the gRPC client as an error, without the key the server quoted.
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/HTTP 401: .*\[redacted\]/);
    expect(`${(failure as Error).message} ${JSON.stringify(failure)}`).not.toContain(LLM_KEY);
    const log = child.log();
    expect(log).toContain('"annotator stopped"');
    // Debug lines were written (the handler's rejection among them); the services log nothing at trace.
    expect(levels(log).has(20)).toBe(true);
    expect(leaks(log)).toEqual([]);
  }, 60_000);

  it("the evaluator with a NATS token", async () => {
    const child = await spawnServiceProcess(main("evaluator"), {
      name: "evaluator",
      env: {
        ...baseEnv("FERRET_EVALUATOR_"),
        FERRET_EVALUATOR_NATS__URL: tokenUrl,
        FERRET_EVALUATOR_NATS__TOKEN: TOKEN,
        FERRET_EVALUATOR_JOBS__QUEUE: `nosecrets-${process.pid}`,
      },
    });
    try {
      // Connected and serving (a round trip also lets main.ts register its SIGTERM handler).
      const health = createClient(healthService as ServiceDefinition, `127.0.0.1:${child.started.grpcPort}`);
      await expect(health["Check"]!({ service: "" })).resolves.toEqual({ status: "SERVING" });
      health.close();
      expect(await child.stop()).toBe(0);
    } finally {
      child.kill();
    }
    expect(child.log()).toContain('"evaluator stopped"');
    expect(leaks(child.log())).toEqual([]);
  }, 60_000);

  it.each([
    [
      "a wrong password in the URL",
      { FERRET_EVALUATOR_NATS__URL: userUrl.replace("//", `//ferret:${PASSWORD}x@`) },
    ],
    ["a wrong token", { FERRET_EVALUATOR_NATS__URL: tokenUrl, FERRET_EVALUATOR_NATS__TOKEN: `${TOKEN}x` }],
  ])(
    "a start refused for %s",
    async (_label, env) => {
      const refused = await spawnServiceProcess(main("evaluator"), {
        name: "evaluator",
        env: { ...baseEnv("FERRET_EVALUATOR_"), ...env },
      }).then(
        (child) => (child.kill(), expect.fail("the evaluator started")),
        (e: unknown) => (e as Error).message,
      );
      expect(refused).toMatch(/"level":60/);
      expect(leaks(refused)).toEqual([]);
    },
    60_000,
  );
});
