/** Value encoding for KV buckets: JSON by default, raw bytes with codec "bytes". */
import { InvalidArgumentError } from "@ferret/errors";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface KvCodec<T> {
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

export function kvCodec<T>(kind: "json" | "bytes" | undefined): KvCodec<T> {
  if (kind === "bytes") {
    return {
      encode: (value) => {
        if (!(value instanceof Uint8Array))
          throw new InvalidArgumentError("bytes bucket: value must be a Uint8Array");
        return new Uint8Array(value);
      },
      decode: (bytes) => new Uint8Array(bytes) as T,
    };
  }
  return {
    encode: (value) => {
      const json = JSON.stringify(value);
      if (json === undefined) throw new InvalidArgumentError("KV value is not JSON-serializable");
      return encoder.encode(json);
    },
    decode: (bytes) => JSON.parse(decoder.decode(bytes)) as T,
  };
}
