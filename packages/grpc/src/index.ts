// gRPC plumbing every Ferret service shares. A service registers like this:
//
//   const server = await startGrpcServer({
//     services: [defineService(EvaluatorService, { evaluate: async (request, { signal }) => ..., ... })],
//     port: config.grpcPort, logger, handleSignals: true,
//   });
//   const evaluator = createClient(EvaluatorService, "evaluator:50051", { deadlineMs: 60_000 });
//   const response = await evaluator.evaluate(request, { signal });
export { startGrpcServer } from "./server.js";
export type { GrpcServer, GrpcServerOptions } from "./server.js";
export { defineService } from "./handlers.js";
export type {
  CallContext,
  HandlerFor,
  ServerStreamingHandler,
  ServiceImplementation,
  ServiceRegistration,
  UnaryHandler,
} from "./handlers.js";
export { createClient } from "./client.js";
export { channelCredentials, isClientTls, isServerTls, serverCredentials } from "./tls.js";
export type { ClientTls, ServerTls } from "./tls.js";
export type { CallOptions, ClientControls, ClientMethodFor, ClientOptions, ServiceClient } from "./client.js";
export { retryChannelOptions } from "./retry-policy.js";
export type { RetryPolicy } from "./retry-policy.js";
export {
  FERRET_ERROR_CODE_KEY,
  FERRET_ERROR_DETAILS_KEY,
  fromGrpcError,
  grpcStatusByErrorCode,
  isServiceError,
  toGrpcStatus,
} from "./error-status.js";
export { descriptorSetOf, idempotentMethods, serviceNameOf, splitDescriptorSet } from "./descriptors.js";
export type { RequestOf, ResponseOf } from "./method-types.js";
