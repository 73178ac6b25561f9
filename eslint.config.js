// Flat config shared by every workspace; run from each package with `eslint .`.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import globals from "globals";
import tseslint from "typescript-eslint";

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
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@ferret/*/src/*", "../../packages/*", "../../services/*"],
              message: "Import a package's public API (its index), not its internals.",
            },
          ],
        },
      ],
    },
  },
  {
    // CLIs, scripts and benchmarks talk to a terminal by design.
    files: ["apps/cli/**", "bench/**", "**/scripts/**", "infra/**", "examples/**"],
    rules: { "no-console": "off" },
  },
  prettier,
);
