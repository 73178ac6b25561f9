#!/usr/bin/env node
/**
 * Copies one workspace's runtime files into an image's app directory:
 *   node infra/images/app-files.mjs <workspace dir, e.g. services/encoder> <dest dir> [--exclude name,...]
 * What is copied: the workspace and every @ferret workspace it depends on (package.json and its "files"),
 * and the production dependency closure from node_modules (dependencies, optionalDependencies and installed
 * peerDependencies; never devDependencies), each package resolved the way Node resolves it, from the
 * requiring package's folder upwards. Workspace links become relative symlinks, as npm lays them out.
 *
 * Hand-written rather than `npm ci --omit=dev --workspace`: that re-runs install scripts (onnxruntime-node's
 * downloads) and needs the registry; this reads package-lock.json and copies what `make build` already has.
 * --exclude drops optional packages the image does not want (e.g. CUDA builds of node-llama-cpp); --drop <regex>
 * skips files whose path under node_modules matches (prebuilt binaries for other platforms).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { dirname, join, posix, relative } from "node:path";

const [workspace, dest, ...rest] = process.argv.slice(2);
if (!workspace || !dest) {
  console.error("usage: app-files.mjs <workspace dir> <dest dir> [--exclude a,b] [--drop regex]");
  process.exit(2);
}
const excludeAt = rest.indexOf("--exclude");
const exclude = new Set(excludeAt >= 0 ? (rest[excludeAt + 1] ?? "").split(",").filter(Boolean) : []);
const dropAt = rest.indexOf("--drop");
const drop = dropAt >= 0 ? new RegExp(rest[dropAt + 1] ?? "(?!)") : undefined;
const root = process.cwd();
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
const entries = lock.packages;

/** Node's lookup: <from>/node_modules/<name>, then each parent folder's node_modules. */
function resolve(from, name) {
  let dir = from;
  for (;;) {
    const key = dir === "" ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (entries[key]) return key;
    if (dir === "") return undefined;
    const up = dir.lastIndexOf("/node_modules/");
    dir = up >= 0 ? dir.slice(0, up) : "";
  }
}

const packages = new Set(); // lock keys of node_modules packages to copy
const workspaces = new Set(); // workspace dirs (services/x, packages/y)
const links = new Map(); // node_modules/@ferret/x -> packages/x

function visit(key) {
  const entry = entries[key];
  if (entry.link) {
    links.set(key, entry.resolved);
    return visit(entry.resolved);
  }
  const isWorkspace = !key.includes("node_modules/");
  const set = isWorkspace ? workspaces : packages;
  if (set.has(key)) return;
  if (!isWorkspace && !existsSync(join(root, key))) return; // an optional package not installed here
  set.add(key);
  const optional = entry.optionalDependencies ?? {};
  const names = [
    ...Object.keys(entry.dependencies ?? {}),
    ...Object.keys(optional),
    ...Object.keys(entry.peerDependencies ?? {}),
  ];
  for (const name of names) {
    if (exclude.has(name)) continue;
    const found = resolve(key, name);
    if (found) visit(found);
    else if (!(name in optional) && !(name in (entry.peerDependencies ?? {}))) {
      throw new Error(`${key}: dependency ${name} is not in package-lock.json`);
    }
  }
}

if (!entries[workspace]) throw new Error(`${workspace} is not a workspace in package-lock.json`);
visit(workspace);

for (const key of packages) {
  // A package's own nested node_modules are separate lock entries, copied only if in the closure.
  cpSync(join(root, key), join(dest, key), {
    recursive: true,
    dereference: false,
    filter: (src) =>
      relative(join(root, key), src).split("/")[0] !== "node_modules" && !drop?.test(relative(root, src)),
  });
}
for (const ws of workspaces) {
  const pkg = JSON.parse(readFileSync(join(root, ws, "package.json"), "utf8"));
  mkdirSync(join(dest, ws), { recursive: true });
  cpSync(join(root, ws, "package.json"), join(dest, ws, "package.json"));
  for (const f of pkg.files ?? []) {
    if (!existsSync(join(root, ws, f)))
      throw new Error(`${ws}: "files" names ${f}, which is missing (run make build)`);
    cpSync(join(root, ws, f), join(dest, ws, f), { recursive: true });
  }
}
for (const [link, target] of links) {
  mkdirSync(dirname(join(dest, link)), { recursive: true });
  symlinkSync(posix.relative(posix.dirname(link), target), join(dest, link));
}
console.log(`${workspace}: ${workspaces.size} workspaces, ${packages.size} packages`);
