// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'charts/', '.services/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../api/*', '../worker/*', '../scheduler/*', '../spotify-emulator/*', '../../api/*', '../../worker/*', '../../scheduler/*', '../../spotify-emulator/*'],
              message: 'Services never import each other: move shared code to services/shared.',
            },
          ],
        },
      ],
    },
  },
);
