// One linter for the whole repository: typescript-eslint's recommended rules for the server,
// agent, tests and benches; angular-eslint's for the dashboard's components and templates.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import angular from "angular-eslint";
import globals from "globals";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/",
      ".tools/",
      "**/dist/",
      "dashboard/.angular/",
      "bench/results/",
      "test/artifacts/",
      "data/",
      "dashboard/src/app/api/generated/",
    ],
  },
  {
    files: ["**/*.ts", "**/*.mjs", "**/*.js"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_`-prefixed names are deliberately unused (positional parameters, destructuring).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
    },
  },
  {
    // Tests read arbitrary JSON answers; typing each one would restate the API in every test.
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["dashboard/src/**/*.ts"],
    extends: [...angular.configs.tsRecommended],
    languageOptions: { globals: { ...globals.browser } },
    processor: angular.processInlineTemplates,
  },
  {
    files: ["dashboard/src/**/*.html"],
    extends: [...angular.configs.templateRecommended, ...angular.configs.templateAccessibility],
  },
);
