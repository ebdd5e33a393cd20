// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '**/dist/', 'coverage/', 'charts/', '.services/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
      // Type information for the rules below (the project's tsconfig.json).
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its error; one passed where a callback's result is ignored does too.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../api/*', '../worker/*', '../scheduler/*', '../spotify-emulator/*', '../../api/*', '../../worker/*', '../../scheduler/*', '../../spotify-emulator/*'],
              message: 'Services never import each other: a feature’s code goes to services/features/<feature>, the platform’s to services/shared (docs/architecture.md).',
            },
          ],
        },
      ],
    },
  },
  {
    // The one program (playlog <command>) is the composition root: it runs every service and the operator
    // tasks, which may use a service's own helpers (the import task reads the API's global ids).
    files: ['services/cli/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The layout test's fixture breaks the import rule on purpose (test/architecture/layers.test.ts).
    files: ['test/architecture/fixtures/layout/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
