// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', '.cache/**', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  {
    // Tests read JSON responses loosely; the assertions are the types there.
    files: ['test/**/*.ts', '**/*.spec.ts', '**/*.e2e-spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The domain is pure: no framework, no I/O, no clock, no randomness.
    // Time and ids arrive inside commands.
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nestjs/*', 'class-validator', 'class-transformer', 'rxjs', 'rxjs/*'], message: 'libs/domain is framework-free.' },
            { group: ['fs', 'fs/*', 'node:*', 'path', 'http', 'https', 'net', 'child_process', 'crypto', 'os', 'worker_threads'], message: 'libs/domain does no I/O.' },
            { group: ['better-sqlite3', 'pg', 'kafkajs', '@eventstore/*', '@kurrent/*', 'pino', 'prom-client', 'uuid', '@complaints/event-store', '@complaints/event-store/*'], message: 'libs/domain knows no infrastructure.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'The domain schedules nothing.' },
        { name: 'process', message: 'The domain reads no environment.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Ids arrive in the command; the domain draws no randomness.' },
        { object: 'Date', property: 'now', message: 'Time arrives in the command; the domain reads no clock.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Time arrives in the command; the domain reads no clock.' },
      ],
    },
  },
);
