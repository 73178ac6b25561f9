/**
 * Name rules shared by both adapters, so a name that works embedded also works on NATS: queue,
 * bucket and group names become JetStream stream/consumer names (no dots, spaces or wildcards);
 * KV keys and event types follow NATS subject-token rules.
 */
import { InvalidArgumentError } from "@ferret/errors";

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const KV_KEY = /^[-/_=.A-Za-z0-9]+$/;
const TOKEN = /^[A-Za-z0-9_-]+$/;

export function checkName(kind: string, name: string): string {
  if (!NAME.test(name)) {
    throw new InvalidArgumentError(`${kind} name ${JSON.stringify(name)} must match [A-Za-z0-9_-]{1,64}`);
  }
  return name;
}

export function checkKvKey(key: string): string {
  if (!KV_KEY.test(key) || key.startsWith(".") || key.endsWith(".")) {
    throw new InvalidArgumentError(
      `KV key ${JSON.stringify(key)} must match [-/_=.A-Za-z0-9]+ and not start or end with "."`,
    );
  }
  return key;
}

/** Dot-separated tokens; with `wildcards`, a token may be `*` and the last may be `>`. */
export function checkSubject(kind: string, subject: string, wildcards: boolean): string {
  const tokens = subject.split(".");
  const ok = tokens.every((t, i) => {
    if (wildcards && t === "*") return true;
    if (wildcards && t === ">") return i === tokens.length - 1;
    return TOKEN.test(t);
  });
  if (!ok) {
    const rule = wildcards ? "; `*` matches one token, a final `>` the rest" : " (no wildcards)";
    throw new InvalidArgumentError(
      `${kind} ${JSON.stringify(subject)} must be dot-separated [A-Za-z0-9_-]+ tokens${rule}`,
    );
  }
  return subject;
}

/** Same semantics as NATS subject matching: `*` is one token, a trailing `>` one or more. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === ">") return s.length > i;
    if (i >= s.length) return false;
    if (token !== "*" && token !== s[i]) return false;
  }
  return p.length === s.length;
}

/** Object names are free-form (paths like "models/e5/model.onnx" are fine) but bounded. */
export function checkObjectName(name: string): string {
  if (name.length === 0 || name.length > 1024) {
    throw new InvalidArgumentError(`object name must be 1-1024 characters, got ${name.length}`);
  }
  return name;
}
