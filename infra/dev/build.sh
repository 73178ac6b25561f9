#!/usr/bin/env bash
# Build every workspace (turbo, cached), then link the workspaces' bin entries (e.g. `ferret`) into
# node_modules/.bin: npm ci skips a bin whose target (dist/...) does not exist yet, which on a fresh clone
# is every bin, so `npx ferret` only works after this relink.
#   infra/dev/build.sh [extra turbo flags]
set -euo pipefail
cd "$(dirname "$0")/../.."
npx --no-install turbo run build "$@"
flock /tmp/ferret-npm.lock npm rebuild --ignore-scripts --workspaces --loglevel=error >/dev/null
