// Lint rules of drydock: typescript-eslint's recommended set, plus the sizes a reader can hold
// (files under 300 lines, functions under 60) in non-test source. Formatting is prettier's (.prettierrc.json).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "policies/node_modules/**", "**/*.d.ts", "**/*.js", "**/*.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
            "@typescript-eslint/no-require-imports": "off",
        },
    },
    {
        files: ["**/*.ts"],
        ignores: ["test/**", "bench/**"],
        rules: {
            "max-lines": ["error", { max: 300 }],
            "max-lines-per-function": ["error", { max: 60, skipBlankLines: true, skipComments: true }],
        },
    },
);
