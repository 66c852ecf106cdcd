// Jest in ESM mode (NestJS 12 is ESM-only): swc compiles each file, keeping legacy decorators
// and their metadata for Nest's dependency injection and class-validator.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The client package (a workspace) is tested from its source; its build is what `npm pack` ships.
    '^smart-limits-client$': '<rootDir>/packages/client/src/index.ts',
    '^smart-limits-client/webhooks$': '<rootDir>/packages/client/src/webhooks.ts',
    // @fastify/static requires the ESM-only content-disposition@3 from CommonJS; Jest's CJS loader
    // cannot, so tests use the API-compatible v2 (production code runs on plain Node and is unaffected).
    '^content-disposition$': 'content-disposition-v2',
  },
  testEnvironment: 'node',
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/packages/client/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
    },
  ],
  testTimeout: 60000,
};
