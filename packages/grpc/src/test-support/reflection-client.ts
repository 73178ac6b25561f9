/** A minimal gRPC reflection client (what grpcurl does for `list` and `describe`), for tests. */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { credentials, loadPackageDefinition, type ClientDuplexStream, type Client } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";

export interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

type ReflectionClient = Client & {
  ServerReflectionInfo(): ClientDuplexStream<Record<string, unknown>, ReflectionResponse>;
};

const reflectionRoot = join(dirname(createRequire(import.meta.url).resolve("@grpc/reflection")), "../proto");

/** Sends `requests` on one ServerReflectionInfo stream and returns the responses in order. */
export async function reflect(
  address: string,
  version: "v1" | "v1alpha",
  requests: Record<string, unknown>[],
): Promise<ReflectionResponse[]> {
  const definition = loadSync(join(reflectionRoot, `grpc/reflection/${version}/reflection.proto`), {
    defaults: true,
  });
  const ctor = loadPackageDefinition(definition)["grpc"] as never as {
    reflection: Record<
      string,
      { ServerReflection: new (address: string, creds: unknown) => ReflectionClient }
    >;
  };
  const client = new ctor.reflection[version]!.ServerReflection(address, credentials.createInsecure());
  try {
    const stream = client.ServerReflectionInfo();
    for (const request of requests) stream.write(request);
    stream.end();
    const responses: ReflectionResponse[] = [];
    for await (const response of stream) responses.push(response as ReflectionResponse);
    return responses;
  } finally {
    client.close();
  }
}
