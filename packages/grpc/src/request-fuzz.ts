/**
 * Random and boundary requests for any Ferret gRPC method, built from the proto descriptors (so every
 * field of every request message is covered, and a new field is fuzzed without touching the tests):
 * empty, huge, negative, NaN and infinite numbers, unknown enum values, empty and odd strings, absent
 * and present oneof cases and nested messages. A request is generated as a @bufbuild/protobuf message,
 * encoded, and decoded with the method's own (ts-proto) deserializer, exactly as a server receives it.
 * fuzzOutcome then calls the method and reports whether it answered, or failed with a typed status.
 */
import {
  ScalarType,
  create,
  createFileRegistry,
  fromBinary,
  toBinary,
  type DescEnum,
  type DescField,
  type DescMessage,
  type FileRegistry,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import {
  Client,
  credentials,
  type ServiceDefinition,
  type ServiceError,
  status as Status,
} from "@grpc/grpc-js";
import fc from "fast-check";
import { isFerretError, type FerretError } from "@ferret/errors";
import { fuzzParameters } from "@ferret/errors/testing";
import { readDescriptorSet } from "@ferret/proto";
import { FERRET_ERROR_CODE_KEY, isServiceError } from "./error-status.js";

let registry: FileRegistry | undefined;
function ferretRegistry(): FileRegistry {
  registry ??= createFileRegistry(fromBinary(FileDescriptorSetSchema, readDescriptorSet()));
  return registry;
}

/** Field values chosen by the test instead of the generic ones, by proto field name (e.g. "trec_text"). */
export type FieldValues = Readonly<Record<string, fc.Arbitrary<unknown>>>;

const ODD_STRINGS = [
  "",
  " ",
  "a",
  "0",
  "-1",
  "NaN",
  "../..",
  "/etc/passwd",
  "a/../../b",
  "\u0000",
  "ñ",
  "\u{1f600}",
  "x".repeat(200),
  "q1 Q0 d1 1 1 t",
  "q1 0 d1 1",
  "\n",
  "*",
  "%",
  "@",
  ":",
  "ndcg@10",
  "P.5,10",
  "map",
  "min-max",
  "rrf",
];

function stringArbitrary(): fc.Arbitrary<string> {
  return fc.oneof(fc.constantFrom(...ODD_STRINGS), fc.string({ maxLength: 8, unit: "binary" }));
}

/** `wide`: 64-bit values up to their type's limits (only raw requests: ts-proto refuses those past 2^53). */
function scalarArbitrary(scalar: ScalarType, wide = false): fc.Arbitrary<unknown> {
  switch (scalar) {
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return fc.oneof(
        fc.constantFrom(0, -0, 1, -1, 0.5, 1.5, 100, NaN, Infinity, -Infinity, 1e308, 5e-324, 2 ** 31),
        fc.double(),
      );
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return fc.oneof(fc.constantFrom(0, 1, -1, 2 ** 31 - 1, -(2 ** 31)), fc.integer({ min: -5, max: 100 }));
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.oneof(fc.constantFrom(0, 1, 2, 2 ** 31, 2 ** 32 - 1), fc.nat(100));
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      // ts-proto decodes 64-bit fields to numbers and refuses values past 2^53: typed requests stay within.
      return wide
        ? fc.constantFrom(2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n)
        : fc.constantFrom(0n, 1n, -1n, 2n ** 53n - 1n, -(2n ** 53n - 1n), 7n);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return wide
        ? fc.constantFrom(2n ** 64n - 1n, 2n ** 53n + 1n)
        : fc.constantFrom(0n, 1n, 2n ** 53n - 1n, 2n ** 32n, 7n);
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.STRING:
      return stringArbitrary();
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 8 });
  }
}

function enumArbitrary(desc: DescEnum): fc.Arbitrary<number> {
  return fc.constantFrom(...desc.values.map((v) => v.number), 99, -1);
}

const MAX_DEPTH = 4;
const MAX_ITEMS = 3;

interface Shape {
  values: FieldValues;
  wide: boolean;
}

function singularArbitrary(field: DescField, depth: number, shape: Shape): fc.Arbitrary<unknown> {
  const { values, wide } = shape;
  const chosen = values[field.name];
  if (chosen !== undefined && field.fieldKind !== "list") return chosen;
  switch (field.fieldKind) {
    case "scalar":
      return scalarArbitrary(field.scalar, wide);
    case "enum":
      return enumArbitrary(field.enum);
    case "message":
      return messageInit(field.message, depth + 1, shape);
    case "list": {
      const item =
        chosen ??
        (field.listKind === "scalar"
          ? scalarArbitrary(field.scalar, wide)
          : field.listKind === "enum"
            ? enumArbitrary(field.enum)
            : messageInit(field.message, depth + 1, shape));
      return fc.array(item, { maxLength: depth >= MAX_DEPTH ? 0 : MAX_ITEMS });
    }
    case "map": {
      const value =
        field.mapKind === "scalar"
          ? scalarArbitrary(field.scalar, wide)
          : field.mapKind === "enum"
            ? enumArbitrary(field.enum)
            : messageInit(field.message, depth + 1, shape);
      return fc.dictionary(fc.string({ maxLength: 4 }), value, { maxKeys: depth >= MAX_DEPTH ? 0 : 2 });
    }
  }
}

/** The init object (fields by localName, oneofs as {case, value}) of a random message. */
function messageInit(desc: DescMessage, depth: number, shape: Shape): fc.Arbitrary<Record<string, unknown>> {
  if (depth > MAX_DEPTH) return fc.constant({});
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of desc.fields) {
    if (field.oneof !== undefined) continue;
    parts[field.localName] = singularArbitrary(field, depth, shape);
  }
  for (const oneof of desc.oneofs) {
    parts[oneof.localName] = fc.oneof(
      fc.constant(undefined),
      ...oneof.fields.map((field) =>
        singularArbitrary(field, depth, shape).map((value) => ({ case: field.localName, value })),
      ),
    );
  }
  return fc.record(parts, { requiredKeys: [] });
}

/** The proto descriptor of a method's request message. */
function requestDescriptor(definition: ServiceDefinition, key: string): DescMessage {
  const method = definition[key];
  if (method === undefined) throw new Error(`no method ${key} in the service definition`);
  const [, service, name] = method.path.split("/");
  const desc = ferretRegistry()
    .getService(service ?? "")
    ?.methods.find((m) => m.name === name)?.input;
  if (desc === undefined) throw new Error(`${method.path} is not in @ferret/proto's descriptors`);
  return desc;
}

/**
 * Random requests for `definition[key]`, as the server decodes them: every field drawn from boundary
 * and random values (or from `values`, by proto field name), nested messages to a small depth.
 */
export function requestArbitrary<D extends ServiceDefinition>(
  definition: D,
  key: keyof D & string,
  values: FieldValues = {},
): fc.Arbitrary<unknown> {
  const desc = requestDescriptor(definition, key);
  const deserialize = (definition[key] as D[string]).requestDeserialize;
  return messageInit(desc, 0, { values, wide: false }).map((init) => {
    const bytes = toBinary(desc, create(desc, init as never));
    return deserialize(Buffer.from(bytes));
  });
}

/**
 * Request bytes for `definition[key]` a typed client cannot send: random bytes, and encoded messages
 * whose 64-bit fields hold values past 2^53.
 */
export function rawRequestArbitrary<D extends ServiceDefinition>(
  definition: D,
  key: keyof D & string,
  values: FieldValues = {},
): fc.Arbitrary<Uint8Array> {
  const desc = requestDescriptor(definition, key);
  return fc.oneof(
    fc.uint8Array({ maxLength: 32 }),
    messageInit(desc, 0, { values, wide: true }).map((init) => toBinary(desc, create(desc, init as never))),
  );
}

export type FuzzOutcome = { ok: true } | { ok: false; error: FerretError; status: Status; typed: boolean };

/**
 * Calls a client method (unary: a promise; server streaming: an async iterable, read to its end) and
 * reports the answer: ok, or the FerretError the client rebuilt, its gRPC status, and whether the server
 * sent a ferret error code (a typed error), as opposed to grpc-js's own or a foreign status.
 */
export async function fuzzOutcome(
  call: () => Promise<unknown> | AsyncIterable<unknown>,
): Promise<FuzzOutcome> {
  try {
    const result = call();
    if (Symbol.asyncIterator in (result as object)) {
      for await (const message of result as AsyncIterable<unknown>) void message;
    } else await result;
    return { ok: true };
  } catch (err) {
    if (!isFerretError(err) || !isServiceError(err.cause)) throw err;
    const cause: ServiceError = err.cause;
    return {
      ok: false,
      error: err,
      status: cause.code as Status,
      typed: cause.metadata.get(FERRET_ERROR_CODE_KEY).length > 0,
    };
  }
}

/** Statuses a bad request may get: never UNKNOWN, INTERNAL, a missed deadline (a hang) or UNAVAILABLE (a crash). */
export const BAD_REQUEST_STATUSES: ReadonlySet<Status> = new Set([
  Status.INVALID_ARGUMENT,
  Status.NOT_FOUND,
  Status.ALREADY_EXISTS,
  Status.FAILED_PRECONDITION,
  Status.OUT_OF_RANGE,
  Status.UNIMPLEMENTED,
  Status.ABORTED,
  Status.RESOURCE_EXHAUSTED,
  // An ArtifactRef whose sha256 does not match the stored bytes (CHECKSUM_MISMATCH).
  Status.DATA_LOSS,
]);

/** Throws unless the outcome is ok or a typed error with a bad-request status and a message. */
export function assertBadRequestOutcome(outcome: FuzzOutcome, request: unknown): void {
  if (outcome.ok) return;
  const { error, status, typed } = outcome;
  const shown = JSON.stringify(request, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)).slice(
    0,
    500,
  );
  if (!typed || !BAD_REQUEST_STATUSES.has(status) || error.message.trim() === "")
    throw new Error(
      `request ${shown} got ${Status[status]} (${error.code}${typed ? "" : ", untyped"}): ${error.message}`,
      { cause: error },
    );
}

/** A client method as fuzzMethod calls it (unary or server streaming). */
type AnyMethod = (
  request: never,
  options?: { deadlineMs?: number },
) => Promise<unknown> | AsyncIterable<unknown>;

export interface FuzzMethodOptions {
  /** Field values by proto field name (see requestArbitrary). */
  values?: FieldValues;
  /** Default number of cases (FERRET_FUZZ_RUNS overrides it; the seed is fixed: fuzzParameters). */
  runs: number;
  /** Each call's deadline: a call still running then is a hang and fails the property. */
  deadlineMs?: number;
  /** Requests always tried first (boundary cases found before, kept as regressions). */
  examples?: readonly unknown[];
}

/**
 * Sends random and boundary requests to `client[key]` over the wire and asserts each is answered, or
 * refused with a typed bad-request status (assertBadRequestOutcome). Returns the number of cases sent.
 */
export async function fuzzMethod<D extends ServiceDefinition>(
  client: { [K in keyof D]: unknown },
  definition: D,
  key: keyof D & string,
  options: FuzzMethodOptions,
): Promise<number> {
  const method = client[key] as AnyMethod;
  const deadlineMs = options.deadlineMs ?? 20_000;
  const parameters = { ...fuzzParameters(options.runs), examples: (options.examples ?? []).map((e) => [e]) };
  await fc.assert(
    fc.asyncProperty(requestArbitrary(definition, key, options.values), async (request) => {
      assertBadRequestOutcome(await fuzzOutcome(() => method(request as never, { deadlineMs })), request);
    }),
    parameters,
  );
  return parameters.numRuns;
}

/** The status of one call with raw request bytes (identity serializers: the bytes go out as they are). */
function rawCall(client: Client, path: string, streaming: boolean, bytes: Uint8Array, deadlineMs: number) {
  const identity = (b: Buffer): Buffer => b;
  const deadline = Date.now() + deadlineMs;
  return new Promise<{ code: Status; typed: boolean; details: string }>((resolve) => {
    const done = (error: ServiceError | null) =>
      resolve(
        error === null
          ? { code: Status.OK, typed: false, details: "" }
          : {
              code: error.code as Status,
              typed: error.metadata.get(FERRET_ERROR_CODE_KEY).length > 0,
              details: error.details,
            },
      );
    if (!streaming) {
      client.makeUnaryRequest(path, identity, identity, Buffer.from(bytes), { deadline }, (error) =>
        done(error),
      );
      return;
    }
    const stream = client.makeServerStreamRequest(path, identity, identity, Buffer.from(bytes), { deadline });
    stream.on("data", () => undefined);
    stream.on("error", (error: ServiceError) => done(error));
    stream.on("end", () => done(null));
  });
}

/**
 * Sends raw request bytes (rawRequestArbitrary) to `definition[key]` at `address` and asserts each is
 * answered or refused with a typed bad-request status: an undecodable request is INVALID_ARGUMENT, never
 * grpc-js's INTERNAL. Returns the number of cases sent.
 */
export async function fuzzRawRequests<D extends ServiceDefinition>(
  address: string,
  definition: D,
  key: keyof D & string,
  options: FuzzMethodOptions,
): Promise<number> {
  const method = definition[key] as D[string];
  const client = new Client(address, credentials.createInsecure());
  const parameters = fuzzParameters(options.runs);
  try {
    await fc.assert(
      fc.asyncProperty(rawRequestArbitrary(definition, key, options.values), async (bytes) => {
        const result = await rawCall(
          client,
          method.path,
          method.responseStream,
          bytes,
          options.deadlineMs ?? 20_000,
        );
        if (result.code === Status.OK) return;
        if (!result.typed || !BAD_REQUEST_STATUSES.has(result.code))
          throw new Error(
            `${method.path} with bytes [${Buffer.from(bytes).toString("hex")}] got ${Status[result.code]}` +
              `${result.typed ? "" : " (untyped)"}: ${result.details}`,
          );
      }),
      parameters,
    );
  } finally {
    client.close();
  }
  return parameters.numRuns;
}
