/**
 * TLS for the gRPC services a command dials (the encoder of `annotate --encoder`, of a training job's
 * live dense run): the one place the CLI's --tls-* flags are declared and read. Each flag can also come
 * from the environment (FERRET_TLS_CA ...), so a shell or a pod sets them once.
 */
import { Option, type Command } from "commander";
import type { ClientTls } from "@ferret/grpc";

export interface GrpcTlsFlags {
  tls?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

const FLAG_NAMES = { caFile: "--tls-ca", certFile: "--tls-cert", keyFile: "--tls-key" } as const;

/** Adds --tls, --tls-ca, --tls-cert and --tls-key to a command that dials a gRPC service. */
export function withGrpcTlsOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--tls", "dial gRPC services over TLS, trusting the system's CAs").env("FERRET_TLS"),
    )
    .addOption(new Option("--tls-ca <file>", "dial over TLS, trusting this CA (PEM)").env("FERRET_TLS_CA"))
    .addOption(
      new Option("--tls-cert <file>", "client certificate (PEM) for servers that require one").env(
        "FERRET_TLS_CERT",
      ),
    )
    .addOption(new Option("--tls-key <file>", "its private key (PEM)").env("FERRET_TLS_KEY"));
}

/** The client TLS the flags ask for; errors about its files name the flags. */
export function grpcTlsOf(flags: GrpcTlsFlags): ClientTls {
  return {
    enabled: flags.tls === true,
    caFile: flags.tlsCa,
    certFile: flags.tlsCert,
    keyFile: flags.tlsKey,
    source: FLAG_NAMES,
  };
}
