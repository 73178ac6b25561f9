export { createBus } from "./create-bus.js";
export type { BusConfig } from "./create-bus.js";
export type { NatsBusConfig } from "./nats/nats-bus.js";
export type { NatsEventsConfig } from "./nats/nats-events.js";
export type { NatsAuth, NatsTls } from "./nats/nats-auth.js";
export { redactServers } from "./nats/nats-auth.js";
export type { MemoryBusConfig } from "./memory/memory-bus.js";
export { NonRetryableError, isRetryable } from "./job-errors.js";
export { DEFAULT_BACKOFF, backoffDelay } from "./backoff.js";
export { queueStreamName, queueSubject, WORKERS_CONSUMER } from "./nats/jetstream-queue.js";
export type {
  BackoffOptions,
  Bus,
  BusEvent,
  BusKind,
  ConsumeOptions,
  Consumer,
  DeadLetterInfo,
  EventBus,
  EventHandler,
  GiveUpInfo,
  Job,
  JobHandler,
  KvChange,
  KvEntry,
  KvOptions,
  KvStore,
  ObjectDownload,
  ObjectInfo,
  ObjectSource,
  ObjectStore,
  ObjectStoreOptions,
  PublishOptions,
  PublishResult,
  PutObjectOptions,
  QueueOptions,
  QueueStats,
  Subscription,
  SubscribeOptions,
  WorkQueue,
} from "./types.js";
export {
  DIRECTORY_BUNDLE_FILE,
  DIRECTORY_MARKER_FILE,
  fetchedDirectoryBundle,
  getDirectory,
  putDirectory,
} from "./object/directory-artifact.js";
export type {
  DirectoryBundle,
  DirectoryBundleFile,
  FetchedDirectory,
  GetDirectoryOptions,
  PutDirectoryOptions,
} from "./object/directory-artifact.js";
