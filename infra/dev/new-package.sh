#!/usr/bin/env bash
# Scaffold a workspace: infra/dev/new-package.sh packages/foo "@ferret/foo" "what it is"
set -euo pipefail
dir=$1 name=$2 desc=${3:-}
mkdir -p "$dir/src"
cat >"$dir/package.json" <<JSON
{
  "name": "$name",
  "version": "0.1.0",
  "private": true,
  "description": "$desc",
  "type": "module",
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "exports": {
    ".": {
      "types": "./dist/index.d.ts",
      "default": "./dist/index.js"
    }
  },
  "files": ["dist"],
  "scripts": {
    "build": "tsc -p tsconfig.build.json",
    "typecheck": "tsc -p tsconfig.json --noEmit",
    "lint": "eslint .",
    "test": "vitest run"
  }
}
JSON
cat >"$dir/tsconfig.json" <<JSON
{
  "extends": "$(realpath --relative-to="$dir" tsconfig.base.json)",
  "compilerOptions": { "rootDir": ".", "noEmit": true },
  "include": ["src", "test", "*.ts"]
}
JSON
cat >"$dir/tsconfig.build.json" <<JSON
{
  "extends": "$(realpath --relative-to="$dir" tsconfig.base.json)",
  "compilerOptions": { "rootDir": "src", "outDir": "dist" },
  "include": ["src"],
  "exclude": ["src/**/*.test.ts", "src/**/test-support/**"]
}
JSON
[ -f "$dir/src/index.ts" ] || echo "export {};" >"$dir/src/index.ts"
