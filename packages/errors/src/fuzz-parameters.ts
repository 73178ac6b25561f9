/**
 * Settings shared by every property-based (fast-check) test, so the fuzz suites run the same way
 * everywhere: a fixed seed (a failure replays exactly; fast-check prints the seed and path with the
 * counterexample), a per-property default number of runs sized to keep `make test` fast, and two
 * environment variables to go further: FERRET_FUZZ_RUNS=<n> overrides every property's runs and
 * FERRET_FUZZ_SEED=<n> changes the seed.
 */
export interface FuzzParameters {
  seed: number;
  numRuns: number;
  /** Stop at the first failure, so one bad case reports quickly (shrinking still runs). */
  endOnFailure: true;
}

export const DEFAULT_FUZZ_SEED = 20261203;

function envInteger(name: string, env: NodeJS.ProcessEnv): number | undefined {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got "${text}"`);
  return value;
}

/** fast-check parameters for a property whose default is `defaultRuns` cases. */
export function fuzzParameters(defaultRuns: number, env: NodeJS.ProcessEnv = process.env): FuzzParameters {
  const runs = envInteger("FERRET_FUZZ_RUNS", env);
  if (runs !== undefined && runs < 1) throw new Error(`FERRET_FUZZ_RUNS must be at least 1, got ${runs}`);
  return {
    seed: envInteger("FERRET_FUZZ_SEED", env) ?? DEFAULT_FUZZ_SEED,
    numRuns: runs ?? defaultRuns,
    endOnFailure: true,
  };
}

/**
 * A fuzz test's time-out: `baseMs` at the default runs; none to speak of (a day) when FERRET_FUZZ_RUNS
 * asks for a longer run, whose length the caller chose.
 */
export function fuzzTimeout(baseMs: number, env: NodeJS.ProcessEnv = process.env): number {
  return env["FERRET_FUZZ_RUNS"] === undefined || env["FERRET_FUZZ_RUNS"] === "" ? baseMs : 86_400_000;
}
