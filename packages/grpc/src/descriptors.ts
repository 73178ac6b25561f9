/**
 * Protobuf descriptors as raw FileDescriptorProto bytes, the common currency of reflection and of
 * the client's idempotency lookup. Sources: binary FileDescriptorSets (`buf build`, @ferret/proto's
 * readDescriptorSet) and @grpc/proto-loader package definitions.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import {
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  MethodOptions_IdempotencyLevel,
  type DescriptorProto,
  type FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import type { ServiceDefinition } from "@grpc/grpc-js";
import type { PackageDefinition } from "@grpc/proto-loader";

/** FileDescriptorSet.file is field 1 (google/protobuf/descriptor.proto). */
const FILE_FIELD = 1;

/** The FileDescriptorProto messages of a FileDescriptorSet, byte for byte (no decode/re-encode). */
export function splitDescriptorSet(descriptorSet: Uint8Array): Uint8Array[] {
  const reader = new BinaryReader(descriptorSet);
  const files: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === FILE_FIELD && wireType === WireType.LengthDelimited) files.push(reader.bytes());
    else reader.skip(wireType);
  }
  return files;
}

const camelCase = (snake: string): string =>
  snake.replace(/(?:^|_)([a-z0-9])/g, (_match, char: string) => char.toUpperCase());

/**
 * protobufjs (under proto-loader) names a map field's entry type after the field ("Statuses") where
 * protoc names it "StatusesEntry"; grpcurl and other descriptor-based clients reject the former
 * ("incorrect implicit map entry name"), e.g. for grpc.health.v1.HealthListResponse.
 */
function repairMapEntryNames(message: DescriptorProto): void {
  for (const entry of message.nestedType.filter((nested) => nested.options?.mapEntry === true)) {
    const field = message.field.find(
      (candidate) => candidate.typeName === entry.name || candidate.typeName.endsWith(`.${entry.name}`),
    );
    if (field === undefined) continue;
    const expected = `${camelCase(field.name)}Entry`;
    if (entry.name === expected) continue;
    field.typeName = `${field.typeName.slice(0, field.typeName.length - entry.name.length)}${expected}`;
    entry.name = expected;
  }
  message.nestedType.forEach(repairMapEntryNames);
}

/** A FileDescriptorSet of the files behind a proto-loader package definition. */
export function descriptorSetOf(packageDefinition: PackageDefinition): Uint8Array {
  const files = new Map<string, FileDescriptorProto>();
  for (const definition of Object.values(packageDefinition)) {
    if (!("fileDescriptorProtos" in definition) || !Array.isArray(definition.fileDescriptorProtos)) continue;
    for (const bytes of definition.fileDescriptorProtos as Uint8Array[]) {
      const file = fromBinary(FileDescriptorProtoSchema, bytes);
      if (files.has(file.name)) continue;
      file.messageType.forEach(repairMapEntryNames);
      files.set(file.name, file);
    }
  }
  return toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: [...files.values()] }));
}

/** The files of several descriptor sets, first one wins when two define the same file name. */
export function filesOf(descriptorSets: readonly Uint8Array[]): Uint8Array[] {
  const byName = new Map<string, Uint8Array>();
  for (const file of descriptorSets.flatMap(splitDescriptorSet)) {
    const name = fromBinary(FileDescriptorProtoSchema, file).name;
    if (!byName.has(name)) byName.set(name, file);
  }
  return [...byName.values()];
}

/** "ferret.v1.Evaluator" from a grpc-js definition (its method paths are "/ferret.v1.Evaluator/Evaluate"). */
export function serviceNameOf(definition: ServiceDefinition): string {
  const first = Object.values(definition)[0];
  const name = first?.path.split("/")[1];
  if (name === undefined || name === "") throw new Error("service definition has no methods");
  return name;
}

/**
 * Methods of `serviceName` whose proto declares `option idempotency_level = IDEMPOTENT` or
 * `NO_SIDE_EFFECTS`, by proto method name ("Evaluate"): the calls a client may safely send twice.
 */
export function idempotentMethods(descriptorSets: readonly Uint8Array[], serviceName: string): Set<string> {
  const safe = new Set<string>();
  for (const bytes of filesOf(descriptorSets)) {
    const file = fromBinary(FileDescriptorProtoSchema, bytes);
    for (const service of file.service) {
      const fullName = file.package === "" ? service.name : `${file.package}.${service.name}`;
      if (fullName !== serviceName) continue;
      for (const method of service.method) {
        const level = method.options?.idempotencyLevel;
        if (
          level === MethodOptions_IdempotencyLevel.IDEMPOTENT ||
          level === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS
        ) {
          safe.add(method.name);
        }
      }
    }
  }
  return safe;
}
