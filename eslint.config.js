import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "dist-extension/**", "node_modules/**", "coverage/**", "scratch/**", "test-results/**", "playwright-report/**"] },
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
    ["src/core/**/*.ts", "^\\.\\./(sync|asyncio|bridge|testing|components|preact|react|workers|web)/|^\\.\\./inspect/(?!hooks\\.js$)"],
    ["src/sync/**/*.ts", "^\\.\\./(asyncio|bridge|testing|components|preact|react|workers|web)/|^\\.\\./inspect/(?!hooks\\.js$)"],
    ["src/asyncio/**/*.ts", "^\\.\\./(bridge|testing|components|preact|react|workers|web)/|^\\.\\./inspect/(?!hooks\\.js$)"],
    ["src/bridge/**/*.ts", "^\\.\\./(testing|components|preact|react|workers|web)/|^\\.\\./inspect/(?!hooks\\.js$)"],
    ["src/testing/**/*.ts", "^\\.\\./(sync|asyncio|bridge|components|preact|react|inspect|workers|web)/"],
    // workers: above the bridges and the inspector (a worker's run is mirrored into the page's inspector); no framework.
    ["src/workers/**/*.ts", "^\\.\\./(testing|components|preact|react|web)/|^(preact|react|react-dom)(/|$)"],
    // web: the browser's sources of concurrency, on core, sync, asyncio (for its asyncio flavour) and the bridges.
    ["src/web/**/*.ts", "^\\.\\./(testing|inspect|components|preact|react|workers)/|^(preact|react|react-dom)(/|$)"],
    // components: framework-free, on core, sync and the bridges only.
    ["src/components/**/*.ts", "^\\.\\./(asyncio|testing|inspect|preact|react|web|workers)/|^(preact|react|react-dom)(/|$)"],
    // preact and react: thin adapters over components (core for its errors and types), never each other.
    ["src/preact/**/*.{ts,tsx}", "^\\.\\./(sync|asyncio|bridge|testing|inspect|react|web|workers)/|^(react|react-dom)(/|$)"],
    ["src/react/**/*.{ts,tsx}", "^\\.\\./(sync|asyncio|bridge|testing|inspect|preact|web|workers)/|^preact(/|$)"],
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
