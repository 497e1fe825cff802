import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/.next/**',
      '**/dist/**',
      '**/.venv/**',
      '.osprey/**',
      'test-results/**',
      'sdk/python/**',
      '**/next-env.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Server-only code must stay out of client components.
    files: ['web/**/*.tsx'],
    ignores: ['web/app/**/page.tsx', 'web/app/**/layout.tsx', 'web/app/**/route.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@osprey/db*', '@osprey/ingest*', 'chdb', 'node:*'] },
      ],
    },
  },
);
