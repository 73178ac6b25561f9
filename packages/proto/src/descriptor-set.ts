import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The binary FileDescriptorSet (`buf build`) of every proto/ferret file plus its imports
 * (google/protobuf/*), written by `npm run gen` and copied into dist by the build. Servers feed it to
 * gRPC reflection so grpcurl and Postman can list and call services without the .proto files.
 */
export const descriptorSetPath: string = fileURLToPath(
  new URL("./gen/descriptor-set.binpb", import.meta.url),
);

/** The descriptor set bytes (a fresh read; call once at start-up). */
export function readDescriptorSet(): Buffer {
  return readFileSync(descriptorSetPath);
}
