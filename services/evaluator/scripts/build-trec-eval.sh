#!/usr/bin/env bash
# Puts a real trec_eval binary at <repo>/.cache/trec_eval/trec_eval (git-ignored) for benchmarks against
# the C implementation (bench/eval). (make-trec-eval-fixtures.py builds its own from the source it is given.)
#
# Two ways, in this order:
#   1. TREC_EVAL_SRC=/path/to/trec_eval-source  (usnistgov/trec_eval at tag v10.0, e.g.
#      `git archive v10.0 | tar -x -C DIR`): compiled here with the system C compiler; the build happens in
#      a copy, so the source tree stays untouched. Two binaries: `trec_eval` with the Makefile's own flags
#      (what `make` gives a user: -g, no optimisation) and `trec_eval-O3` with -O3 -march=native.
#   2. Otherwise: the prebuilt binaries that Maven Central ships in
#      uk.ac.gla.dcs.terrierteam:jtreceval:0.0.5 (the artifact Anserini uses). That binary reports
#      "trec_eval version 9.0.4" (bench/eval refuses it: it compares against 10.0).
# Why not pytrec_eval-terrier's sdist: it carries no trec_eval sources; its setup.py downloads the
# v9.0.8 tarball from GitHub at build time, which an offline machine cannot do.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
DEST="$ROOT/.cache/trec_eval"
mkdir -p "$DEST"

if [[ -n "${TREC_EVAL_SRC:-}" ]]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cp -R "$TREC_EVAL_SRC"/. "$work/"
  make -C "$work" -s trec_eval CC="${CC:-cc}"
  install -m 0755 "$work/trec_eval" "$DEST/trec_eval"
  rm -f "$work"/*.o "$work/trec_eval"
  version="$(sed -n 's/^VERSIONID *= *//p' "$work/Makefile")"
  make -C "$work" -s trec_eval CC="${CC:-cc}" \
    CFLAGS="-O3 -march=native -I. -Wno-deprecated-non-prototype -DVERSIONID=\\\"$version\\\""
  install -m 0755 "$work/trec_eval" "$DEST/trec_eval-O3"
else
  version=0.0.5
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) member=trec_eval-linux-amd64 ;;
    Linux-i?86) member=trec_eval-linux-i386 ;;
    Darwin-x86_64) member=trec_eval-macosx-x86_64 ;;
    *) echo "build-trec-eval.sh: no prebuilt trec_eval for $(uname -s)-$(uname -m); set TREC_EVAL_SRC" >&2; exit 1 ;;
  esac
  repo_local="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
  mvn -q -Dmaven.repo.local="$repo_local" dependency:get \
    -Dartifact="uk.ac.gla.dcs.terrierteam:jtreceval:$version" -Dtransitive=false
  jar="$repo_local/uk/ac/gla/dcs/terrierteam/jtreceval/$version/jtreceval-$version.jar"
  unzip -o -q -j "$jar" "$member" -d "$DEST"
  mv -f "$DEST/$member" "$DEST/trec_eval"
  chmod 0755 "$DEST/trec_eval"
fi

"$DEST/trec_eval" -v 2>&1 | head -n 1
echo "$DEST/trec_eval"
