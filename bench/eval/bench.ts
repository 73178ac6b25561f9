/**
 * bench/eval: trec_eval-exact evaluation of an MS MARCO dev-sized run (6,980 queries × 1,000 documents,
 * 4 measures), Ferret against pytrec_eval and the trec_eval 10.0 C binary, side by side, on this machine.
 *
 *   node bench/eval/run.mjs [--reps N] [--out bench/eval/RESULTS.md]      (or: npm run bench:eval -w @ferret/bench)
 *
 * The run and qrels are synthetic but deterministic (seeded), written once to bench/results/tmp/eval/
 * (git-ignored): scores decrease with rank, ~1.07 relevant documents per query (MS MARCO dev's rate), two
 * thirds of them retrieved at skewed ranks. Every measurement runs in a fresh process, as a user would
 * run it, and includes reading both files:
 *   - Ferret in-process: @ferret/datasets readTrecQrels and readTrecRunColumns (the run parsed from its bytes
 *     into columns), then @ferret/evaluator evaluate();
 *   - `ferret eval --trec` end to end (node startup, reading with the progress hook, evaluation, printing);
 *   - pytrec_eval: parse_qrel/parse_run, RelevanceEvaluator, evaluate (bench/eval/pytrec_eval_bench.py);
 *   - trec_eval 10.0 (.cache/trec_eval/trec_eval, built by services/evaluator/scripts/build-trec-eval.sh from
 *     TREC_EVAL_SRC = usnistgov/trec_eval at tag v10.0 with its Makefile's flags) and, when present, the same
 *     source built with -O3 -march=native (.cache/trec_eval/trec_eval-O3).
 * Sanity, with trec_eval 10.0 as the reference: `ferret eval --trec` prints its lines byte for byte, also with
 * -q -c (every per-query line, checked once outside the timings); Ferret in-process and pytrec_eval agree with
 * its printed means to 5e-5 (pytrec_eval stores scores as float32, so it ties scores trec_eval 10.0 tells apart
 * and differs in the 6th decimal); the bench fails otherwise.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { join, relative, resolve } from "node:path";
import { once } from "node:events";
import { readTrecQrels, readTrecRunColumns } from "@ferret/datasets";
import { evaluate } from "@ferret/evaluator";

const ROOT = resolve(process.cwd());
const DATA_DIR = join(ROOT, "bench/results/tmp/eval");
const QUERIES = 6980;
const DEPTH = 1000;
const SEED = 20240601;
const DATA_VERSION = `v1-${QUERIES}x${DEPTH}-seed${SEED}`;
const RUN_FILE = join(DATA_DIR, "run.trec");
const QRELS_FILE = join(DATA_DIR, "qrels.trec");
const MEASURES_TREC = ["ndcg_cut.10", "map", "recip_rank", "recall.1000"];
const MEASURE_NAMES = ["ndcg_cut_10", "map", "recip_rank", "recall_1000"];
const CLI = join(ROOT, "apps/cli/dist/main.js");
const TREC_EVAL = join(ROOT, ".cache/trec_eval/trec_eval");
const TREC_EVAL_O3 = join(ROOT, ".cache/trec_eval/trec_eval-O3");
const PYTHON = join(ROOT, ".venv/bin/python");
const PYTREC_DRIVER = join(ROOT, "bench/eval/pytrec_eval_bench.py");

interface Args {
  part: "all" | "ferret";
  reps: number;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { part: "all", reps: 3, out: join(ROOT, "bench/eval/RESULTS.md") };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1] ?? ""];
    if (flag === "--part") args.part = value as Args["part"];
    else if (flag === "--reps") args.reps = Number(value);
    else if (flag === "--out") args.out = resolve(value);
    else throw new Error(`unknown argument ${flag}`);
  }
  return args;
}

// ------------------------------------------------------------------ data

/** mulberry32: a small, fast, seeded PRNG (deterministic data across machines). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function generate(): Promise<void> {
  const marker = join(DATA_DIR, "VERSION");
  if (existsSync(marker) && readFileSync(marker, "utf8") === DATA_VERSION) return;
  await mkdir(DATA_DIR, { recursive: true });
  const random = prng(SEED);
  const run = createWriteStream(`${RUN_FILE}.tmp`);
  const qrels: string[] = [];
  const qids = new Set<number>();
  while (qids.size < QUERIES) qids.add(1 + Math.floor(random() * 1_200_000)); // MS MARCO-like numeric ids
  for (const qid of qids) {
    const docs = new Set<number>();
    while (docs.size < DEPTH) docs.add(Math.floor(random() * 8_841_823)); // MS MARCO passage id range
    const ranked = [...docs];
    const lines: string[] = [];
    let score = 25 + 10 * random();
    for (let r = 0; r < DEPTH; r++) {
      score -= 0.02 * random(); // BM25-like, strictly non-increasing
      lines.push(`${qid} Q0 ${ranked[r]} ${r + 1} ${score.toFixed(6)} bench`);
    }
    if (!run.write(`${lines.join("\n")}\n`)) await once(run, "drain");
    const u = random();
    const relevant = u < 0.9 ? 1 : u < 0.98 ? 2 : 3;
    const judged = new Set<number>();
    for (let k = 0; k < relevant; k++) {
      // Two thirds retrieved, at ranks skewed to the top; the rest not retrieved at all.
      const doc =
        random() < 0.66
          ? (ranked[Math.floor(DEPTH * random() ** 3)] as number)
          : 9_000_000 + Math.floor(random() * 1e6);
      if (judged.has(doc)) continue;
      judged.add(doc);
      qrels.push(`${qid} 0 ${doc} 1`);
    }
  }
  run.end();
  await once(run, "finish");
  await rename(`${RUN_FILE}.tmp`, RUN_FILE);
  await writeFile(QRELS_FILE, `${qrels.join("\n")}\n`);
  await writeFile(marker, DATA_VERSION);
}

// ------------------------------------------------------------------ measurements

interface Timing {
  /** Wall time of the whole process (s). */
  wall: number;
  /** CPU time of the process, user + system (s), when /usr/bin/time is available. */
  cpu?: number;
  /** Peak resident set (MiB), when /usr/bin/time is available. */
  rssMiB?: number;
  parse?: number;
  setup?: number;
  evaluate?: number;
  means: Record<string, number>;
  /** The trec_eval-format lines (trec_eval and ferret eval --trec). */
  lines?: string;
}

interface Measured {
  wall: number;
  stdout: string;
  cpu?: number;
  rssMiB?: number;
}

const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

function timed(command: string, args: string[]): Measured {
  const started = process.hrtime.bigint();
  const child = TIME
    ? spawnSync(TIME, ["-f", "%M %U %S", command, ...args], { encoding: "utf8", maxBuffer: 256 << 20 })
    : spawnSync(command, args, { encoding: "utf8", maxBuffer: 256 << 20 });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed (${child.status}): ${child.stderr}`);
  const [rssKb, user, system] = TIME
    ? (child.stderr.trim().split("\n").at(-1) ?? "").split(" ").map(Number)
    : [];
  const cpu = (user ?? NaN) + (system ?? NaN);
  return {
    wall,
    stdout: child.stdout,
    ...(Number.isFinite(cpu) ? { cpu } : {}),
    ...(rssKb !== undefined && Number.isFinite(rssKb) ? { rssMiB: rssKb / 1024 } : {}),
  };
}

/** The process-level fields of a Timing. */
function measured({ wall, cpu, rssMiB }: Measured): Pick<Timing, "wall" | "cpu" | "rssMiB"> {
  return { wall, ...(cpu === undefined ? {} : { cpu }), ...(rssMiB === undefined ? {} : { rssMiB }) };
}

function meansOfTrecLines(text: string): Record<string, number> {
  const means: Record<string, number> = {};
  for (const line of text.trim().split("\n")) {
    const [name, qid, value] = line.split("\t").map((s) => s.trim());
    if (qid === "all" && name !== undefined && MEASURE_NAMES.includes(name)) means[name] = Number(value);
  }
  return means;
}

/** Runs in a child process (--part ferret): read, evaluate, report. */
async function ferretInProcess(): Promise<void> {
  const t0 = performance.now();
  const { qrels } = await readTrecQrels(QRELS_FILE);
  const { columns: run } = await readTrecRunColumns(RUN_FILE);
  const t1 = performance.now();
  const evaluation = evaluate(run, qrels, MEASURES_TREC);
  const t2 = performance.now();
  const result = { parse: (t1 - t0) / 1000, evaluate: (t2 - t1) / 1000, means: evaluation.mean };
  process.stdout.write(JSON.stringify(result));
}

/** `ferret eval --trec` on the bench's files and measures, with trec_eval options `extra`. */
function ferretCliArgs(extra: string[]): string[] {
  const measures = MEASURES_TREC.flatMap((x) => ["-m", x]);
  return [CLI, "eval", "--qrels", QRELS_FILE, RUN_FILE, ...measures, "--trec", ...extra, "--no-progress"];
}

const FERRET = "Ferret in-process (readTrecRunColumns + evaluate())";
const FERRET_CLI = "ferret eval --trec (CLI, end to end)";
const PYTREC = "pytrec_eval (parse_run + evaluate)";
const TREC_EVAL_C = "trec_eval 10.0 (C, Makefile flags)";
const TREC_EVAL_C_O3 = "trec_eval 10.0 (C, -O3 -march=native)";

const TOOLS: Record<string, () => Timing> = {
  [FERRET]: () => {
    const m = timed(process.execPath, [process.argv[1] as string, "--part", "ferret"]);
    const r = JSON.parse(m.stdout) as { parse: number; evaluate: number; means: Record<string, number> };
    return { ...measured(m), parse: r.parse, evaluate: r.evaluate, means: r.means };
  },
  [FERRET_CLI]: () => {
    const m = timed(process.execPath, ferretCliArgs([]));
    return { ...measured(m), means: meansOfTrecLines(m.stdout), lines: m.stdout };
  },
  [PYTREC]: () => {
    const m = timed(PYTHON, [PYTREC_DRIVER, QRELS_FILE, RUN_FILE, ...MEASURES_TREC]);
    const r = JSON.parse(m.stdout) as {
      parseSeconds: number;
      setupSeconds: number;
      evaluateSeconds: number;
      means: Record<string, number>;
    };
    return {
      ...measured(m),
      parse: r.parseSeconds,
      setup: r.setupSeconds,
      evaluate: r.evaluateSeconds,
      means: r.means,
    };
  },
  [TREC_EVAL_C]: () => {
    const m = timed(TREC_EVAL, [...MEASURES_TREC.flatMap((x) => ["-m", x]), QRELS_FILE, RUN_FILE]);
    return { ...measured(m), means: meansOfTrecLines(m.stdout), lines: m.stdout };
  },
  [TREC_EVAL_C_O3]: () => {
    const m = timed(TREC_EVAL_O3, [...MEASURES_TREC.flatMap((x) => ["-m", x]), QRELS_FILE, RUN_FILE]);
    return { ...measured(m), means: meansOfTrecLines(m.stdout), lines: m.stdout };
  },
};

/** `ferret eval --trec -q -c` against `trec_eval -q -c`: the number of lines, or the first difference. */
function perQueryParity(): { lines: number; problem?: string } {
  const ours = timed(process.execPath, ferretCliArgs(["-q", "-c"])).stdout.split("\n");
  const measures = MEASURES_TREC.flatMap((x) => ["-m", x]);
  const theirs = timed(TREC_EVAL, ["-q", "-c", ...measures, QRELS_FILE, RUN_FILE]).stdout.split("\n");
  for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
    if (ours[i] !== theirs[i])
      return { lines: i, problem: `-q -c line ${i + 1}: ferret "${ours[i]}", trec_eval "${theirs[i]}"` };
  }
  return { lines: theirs.length - 1 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function command(name: string, args: string[]): string | undefined {
  const r = spawnSync(name, args, { encoding: "utf8" });
  return r.status === 0 ? `${r.stdout}${r.stderr}`.trim() : undefined;
}

/** Disagreements with trec_eval 10.0 (empty when every tool agrees). */
function sanity(results: Map<string, Timing[]>): string[] {
  const reference = results.get(TREC_EVAL_C)?.[0]?.means ?? {};
  const problems: string[] = [];
  for (const [name, timings] of results) {
    const means = timings[0]?.means ?? {};
    // trec_eval prints 4 decimals: a full double agrees when it is within half a unit of the last one.
    for (const m of MEASURE_NAMES) {
      const diff = Math.abs((means[m] ?? NaN) - (reference[m] ?? NaN));
      if (!(diff <= 5e-5 + 1e-12)) problems.push(`${name} ${m} = ${means[m]}, trec_eval ${reference[m]}`);
    }
  }
  const trecLines = results.get(TREC_EVAL_C)?.[0]?.lines;
  for (const name of [FERRET_CLI, TREC_EVAL_C_O3]) {
    const lines = results.get(name)?.[0]?.lines;
    if (lines !== undefined && trecLines !== lines)
      problems.push(`${name} printed\n${lines}trec_eval printed\n${trecLines}`);
  }
  return problems;
}

async function main(args: Args): Promise<void> {
  const t = performance.now();
  await generate();
  const took = ((performance.now() - t) / 1000).toFixed(1);
  process.stderr.write(`data: ${relative(ROOT, DATA_DIR)} (${DATA_VERSION}), ${took} s\n`);
  if (!existsSync(CLI)) throw new Error("build first: npx turbo run build --filter=@ferret/cli...");
  if (!existsSync(TREC_EVAL)) {
    throw new Error(
      `no ${TREC_EVAL}: TREC_EVAL_SRC=<usnistgov/trec_eval at v10.0> services/evaluator/scripts/build-trec-eval.sh`,
    );
  }
  const version = command(TREC_EVAL, ["-v"]) ?? "";
  if (!version.startsWith("trec_eval version 10.0")) {
    throw new Error(
      `${TREC_EVAL} reports "${version}": build trec_eval 10.0 with TREC_EVAL_SRC=<usnistgov/trec_eval at v10.0> ` +
        "services/evaluator/scripts/build-trec-eval.sh",
    );
  }
  const havePytrec = spawnSync(PYTHON, ["-c", "import pytrec_eval"]).status === 0;
  if (!havePytrec) process.stderr.write(`no pytrec_eval in ${PYTHON} (make py-env); pytrec_eval skipped\n`);
  const tools = Object.keys(TOOLS).filter(
    (name) => (name !== TREC_EVAL_C_O3 || existsSync(TREC_EVAL_O3)) && (name !== PYTREC || havePytrec),
  );
  const loadBefore = loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");
  const results = new Map<string, Timing[]>(tools.map((name) => [name, []]));
  for (let rep = 0; rep < args.reps; rep++) {
    // Rotate the order so no tool always runs first (cold page cache) or right after the same one.
    for (let i = 0; i < tools.length; i++) {
      const name = tools[(i + rep) % tools.length] as string;
      const timing = (TOOLS[name] as () => Timing)();
      (results.get(name) as Timing[]).push(timing);
      const cpu = timing.cpu === undefined ? "" : `, CPU ${timing.cpu.toFixed(2)} s`;
      process.stderr.write(`rep ${rep + 1}/${args.reps}  ${name}: wall ${timing.wall.toFixed(2)} s${cpu}\n`);
    }
  }
  const problems = sanity(results);
  const parity = perQueryParity();
  if (parity.problem !== undefined) problems.push(parity.problem);

  const baseline = TREC_EVAL_C;
  const med = (name: string, key: "wall" | "cpu") => {
    const xs = (results.get(name) ?? []).map((x) => x[key]).filter((x): x is number => x !== undefined);
    return xs.length === 0 ? undefined : median(xs);
  };
  const fmt = (x: number | undefined) => (x === undefined ? "–" : x.toFixed(2));
  const ratio = (x: number | undefined, y: number | undefined) =>
    x === undefined || y === undefined ? "–" : `${(x / y).toFixed(2)}×`;
  const rows = [...results].map(([name, timings]) => {
    const phase = (key: "parse" | "setup" | "evaluate") =>
      timings[0]?.[key] === undefined ? "–" : fmt(median(timings.map((x) => x[key] as number)));
    const rss =
      timings[0]?.rssMiB === undefined
        ? "–"
        : String(Math.round(median(timings.map((x) => x.rssMiB as number))));
    const [wall, cpu] = [med(name, "wall"), med(name, "cpu")];
    return (
      `| ${name} | ${fmt(wall)} | ${fmt(cpu)} | ${phase("parse")} | ${phase("setup")} | ${phase("evaluate")} | ` +
      `${ratio(wall, med(baseline, "wall"))} | ${ratio(cpu, med(baseline, "cpu"))} | ` +
      `${ratio(wall, med(TREC_EVAL_C_O3, "wall"))} | ${ratio(cpu, med(TREC_EVAL_C_O3, "cpu"))} | ${rss} |`
    );
  });
  const reference = results.get(TREC_EVAL_C)?.[0]?.means ?? {};
  const meanList = MEASURE_NAMES.map((m) => `${m} ${(reference[m] as number).toFixed(4)}`).join(", ");
  const ferretMeans = results.get(FERRET)?.[0]?.means ?? {};
  const pytrecMeans = results.get(PYTREC)?.[0]?.means ?? {};
  const sixth = (means: Record<string, number>) =>
    MEASURE_NAMES.map((m) => `${m} ${(means[m] as number).toFixed(7)}`).join(", ");
  const sanityText =
    problems.length === 0
      ? `all tools agree with trec_eval 10.0 (${meanList}). \`ferret eval --trec\` prints trec_eval's lines byte ` +
        `for byte, and with -q -c all ${parity.lines.toLocaleString("en-US")} of them (checked once, untimed). ` +
        `Full precision: Ferret ${sixth(ferretMeans)}` +
        (results.has(PYTREC)
          ? `; pytrec_eval ${sixth(pytrecMeans)} (it stores scores as float32 and ties scores trec_eval 10.0 ` +
            `keeps apart as doubles).`
          : ".")
      : `**the tools disagree** (trec_eval 10.0: ${meanList}):\n\n${problems.map((p) => `- ${p.split("\n").join("\n  ")}`).join("\n")}`;

  const cpu = cpus()[0]?.model ?? "unknown";
  const flags =
    readFileSync("/proc/cpuinfo", "utf8")
      .match(/^flags\s*:(.*)$/m)?.[1]
      ?.trim()
      .split(/\s+/) ?? [];
  const simd = ["avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_tile"].filter((f) => flags.includes(f));
  const python = command(PYTHON, ["--version"]) ?? "?";
  const pytrec =
    command(PYTHON, ["-m", "pip", "show", "pytrec_eval-terrier"])?.match(/^Version: (.*)$/m)?.[1] ?? "?";
  const trecVersion = existsSync(TREC_EVAL)
    ? (command(TREC_EVAL, ["-v"])?.split("\n")[0] ?? "?")
    : "not present";
  const loads = loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");
  const report = `# bench/eval: Ferret vs pytrec_eval vs trec_eval 10.0

Evaluating an MS MARCO dev-sized run: ${QUERIES.toLocaleString("en-US")} queries × ${DEPTH.toLocaleString("en-US")} documents
(${(QUERIES * DEPTH).toLocaleString("en-US")} run lines, synthetic and deterministic: ${DATA_VERSION}) with
${MEASURE_NAMES.join(", ")}. Each row is a fresh process that reads the TREC run and qrels files and evaluates
them: wall and CPU (user + system) seconds, median of ${args.reps}; parse / setup / evaluate split the wall time
where the tool reports its phases. Ratios divide the medians by trec_eval 10.0's: built with its Makefile's
flags (\`make\`: -g, no optimisation), and with -O3 -march=native.

Command (from the repository root): \`node bench/eval/run.mjs\` (or \`npm run bench:eval -w @ferret/bench\`).

| tool | wall (s) | CPU (s) | parse | setup | evaluate | wall vs trec_eval | CPU vs trec_eval | wall vs trec_eval -O3 | CPU vs trec_eval -O3 | peak RSS (MiB) |
| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}

Sanity: ${sanityText}

Machine: ${cpus().length} CPUs (nproc), ${cpu} (flags: ${simd.join(", ") || "none of avx2/avx512/vnni/amx"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; Node ${process.version};
${python}, pytrec_eval-terrier ${pytrec}; ${trecVersion} (usnistgov/trec_eval tag v10.0, .cache/trec_eval/). Load average
(1, 5, 15 min) at the start: ${loadBefore}; at the end: ${loads} (other work shares this machine, so wall times
are noisy; CPU times much less so).
Generated ${new Date().toISOString().slice(0, 10)}.
`;
  await writeFile(args.out, report);
  process.stdout.write(report);
  if (problems.length > 0) {
    process.stderr.write(`bench/eval: the tools disagree (see the report)\n`);
    process.exitCode = 1;
  }
}

const args = parseArgs(process.argv.slice(2));
await (args.part === "ferret" ? ferretInProcess() : main(args));
