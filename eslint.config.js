import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { moduleDirection } from './scripts/eslint-module-direction.mjs';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'bench/**/*.mjs',
      'scripts/*.mjs',
      'test/fixtures/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/cli.ts', 'src/demo.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'Only src/cli may exit.' },
      ],
      'no-restricted-imports': ['error', { patterns: ['yargs', 'cli-progress', '**/cli/**'] }],
    },
  },
  {
    // Module direction and doors (ARCHITECTURE.md, "Module rules").
    files: ['src/**/*.ts'],
    ignores: ['src/ui/page/**'],
    plugins: { local: { rules: { 'module-direction': moduleDirection } } },
    rules: { 'local/module-direction': 'error' },
  },
  {
    files: ['test/**/*.ts', 'eslint.config.js'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
);
