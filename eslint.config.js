// Flat config shared by every workspace; run from each package with `eslint .`.
import { readdirSync } from "node:fs";
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import globals from "globals";
import tseslint from "typescript-eslint";

// Every package's public API is its index (or a subpath in its package.json "exports", e.g. ./testing).
const internals = [
  {
    regex: "^@ferret/[^/]+/(src|dist)(/|$)",
    message: "Import a package's public API (its index or an exported subpath), not its internals.",
  },
  {
    regex: "^(\\.\\./)+(packages|services|apps)/",
    message: "Import a package by its name (@ferret/...), not by a path into another workspace.",
  },
];

// Services talk to each other over gRPC and the bus, never by importing each other's code: what two services
// share belongs in packages/, and a test that runs two services together belongs in test/.
const services = readdirSync(new URL("./services", import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const serviceBoundaries = services.map((service) => {
  const others = services.filter((other) => other !== service).join("|");
  return {
    files: [`services/${service}/**`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...internals,
            {
              regex: `^(@ferret/(${others})(/|$)|(\\.\\./)+(${others})/)`,
              message: `A service must not import another service (${service} -> another service).`,
            },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "bench/results/tmp/**",
      "**/.cache/**",
      "**/src/gen/**",
      "**/node_modules/**",
      "**/.turbo/**",
      "**/coverage/**",
      "**/*.cjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "no-console": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-imports": ["error", { patterns: internals }],
    },
  },
  ...serviceBoundaries,
  {
    // CLIs, scripts and benchmarks talk to a terminal by design.
    files: ["apps/cli/**", "bench/**", "**/scripts/**", "infra/**", "examples/**"],
    rules: { "no-console": "off" },
  },
  prettier,
);
