/**
 * gRPC server reflection (grpc.reflection.v1 and v1alpha, via @grpc/reflection) fed from
 * FileDescriptorSets, so grpcurl/Postman can `list` and `describe` without .proto files at run time.
 */
import type { Server } from "@grpc/grpc-js";
import type { PackageDefinition } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { filesOf } from "./descriptors.js";

/**
 * @grpc/reflection reads only `fileDescriptorProtos` from a package definition's entries, so a single
 * entry (shaped as the simplest kind, an enum type) holding every file serves buf's original files
 * (names, imports, comments) rather than proto-loader's per-package re-encoding of them.
 */
function packageDefinitionOf(descriptorSets: readonly Uint8Array[]): PackageDefinition {
  const fileDescriptorProtos = filesOf(descriptorSets).map((file) => Buffer.from(file));
  return {
    "ferret.reflection.files": {
      format: "Protocol Buffer 3 EnumDescriptorProto",
      type: {},
      fileDescriptorProtos,
    },
  };
}

/** Serves reflection for `services` (full names) only, though the sets may describe more. */
export function addReflection(
  server: Server,
  descriptorSets: readonly Uint8Array[],
  services: string[],
): void {
  new ReflectionService(packageDefinitionOf(descriptorSets), { services }).addToServer(server);
}
