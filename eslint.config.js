import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "scratch/**", "test-results/**", "playwright-report/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "require-yield": "off",
      "no-constant-condition": ["error", { checkLoops: false }],
      "@typescript-eslint/no-this-alias": "off",
    },
  },
  // The layering of docs/architecture.md, enforced: each layer imports only
  // from the layers below it.
  ...[
    ["src/inspect/hooks.ts", "^\\.\\.?/"],
    ["src/core/**/*.ts", "^\\.\\./(sync|asyncio|bridge|testing|preact)/|^\\.\\./inspect/(?!hooks\\.js$)"],
    ["src/sync/**/*.ts", "^\\.\\./(asyncio|bridge|testing|preact)/|^\\.\\./inspect/(?!hooks\\.js$)"],
    ["src/asyncio/**/*.ts", "^\\.\\./(bridge|testing|preact)/|^\\.\\./inspect/(?!hooks\\.js$)"],
    ["src/bridge/**/*.ts", "^\\.\\./(testing|preact)/|^\\.\\./inspect/(?!hooks\\.js$)"],
    ["src/testing/**/*.ts", "^\\.\\./(sync|asyncio|bridge|preact|inspect)/"],
  ].map(([files, regex]) => ({
    files: [files],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex, message: "This import breaks the layering in docs/architecture.md." }] }],
    },
  })),
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-expressions": "off",
    },
  },
);
