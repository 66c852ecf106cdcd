// ESLint flat config: typescript-eslint with type information (projectService) over every TypeScript
// tree, plain JS rules over the build scripts. Formatting is Prettier's job (npm run format:check).
// Rules are turned off only here, each with its reason; code files carry no blanket disables.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const UNSAFE_ANY = ['no-unsafe-member-access', 'no-unsafe-assignment', 'no-unsafe-argument', 'no-unsafe-call', 'no-unsafe-return'];
const off = (names) => Object.fromEntries(names.map((n) => [`@typescript-eslint/${n}`, 'off']));

export default tseslint.config(
  // test/generated-client/ and the test that drives it compile only against types that test generates from
  // /openapi.json (not committed); that test type-checks the flows itself with tsc --strict.
  // packages/client/src/generated/ is openapi-typescript's output, kept as generated (a test compares it to the served document).
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'coverage/**',
      'src/dashboard/public/**',
      'test/generated-client/**',
      'packages/client/src/generated/**',
      'test/contract/openapi-tools.e2e-spec.ts',
    ],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    rules: {
      // `_`-prefixed names are deliberately unused (interface-shaped parameters, skipped tuple items).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Nest, Jest and fastify call back into `this`-free methods passed by reference (e.g. expect(x.method)).
      '@typescript-eslint/unbound-method': 'off',
      // Interface methods are async by contract (e.g. a store's stop()) even when one implementation does not await.
      '@typescript-eslint/require-await': 'off',
      // A hook registered before the value it reads exists (e.g. the test app's response validator) is a `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Input validation names the C0 control characters it refuses (e.g. external_id in identities.dto.ts).
      'no-control-regex': 'off',
    },
  },
  {
    // Raw SQL: pg returns rows typed `any`; each repository maps them to its domain type in one place.
    files: ['src/**/*.repository.ts', 'src/database/prepared-query.ts'],
    rules: { ...off(UNSAFE_ANY), '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Tests, the benchmark and the demo read JSON response bodies as `any`: the assertions are the check.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'demo/**/*.ts'],
    rules: { ...off(UNSAFE_ANY), '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node, sourceType: 'module' },
  },
);
