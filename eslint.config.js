import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const NEXT_LINK = {
  name: 'next/link',
  message: "use IntentLink from '@/components/ui/intent-link' (prefetch on intent only)",
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/.next/**',
      '**/dist/**',
      '**/.venv/**',
      '.venv-bench/**',
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
    // Links prefetch on intent only (hover, focus, touch): a grid of next/link links in view made
    // one background request each (~243 per model page).
    files: ['web/**/*.tsx'],
    ignores: ['web/components/ui/intent-link.tsx'],
    rules: {
      'no-restricted-imports': ['error', { paths: [NEXT_LINK] }],
    },
  },
  {
    // Server-only code must stay out of client components.
    files: ['web/**/*.tsx'],
    ignores: [
      'web/app/**/page.tsx',
      'web/app/**/layout.tsx',
      'web/app/**/route.ts',
      'web/components/ui/intent-link.tsx',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [NEXT_LINK], patterns: ['@osprey/db*', '@osprey/ingest*', 'chdb', 'node:*'] },
      ],
    },
  },
);
