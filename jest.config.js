// Jest runs TypeScript as ES modules (NestJS 12 and jose 6 are ESM-only), on the Node 24 from node_modules.
const libs = ['common', 'database', 'auth', 'organisations', 'incidents', 'sharing', 'audit', 'joint-incidents', 'management-review', 'improvement-actions'];

const base = {
  extensionsToTreatAsEsm: ['.ts'],
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
  },
  moduleNameMapper: {
    ...Object.fromEntries(libs.map((lib) => [`^#${lib}$`, `<rootDir>/libs/${lib}/src/index.ts`])),
    '^#hub/(.*)\\.js$': '<rootDir>/apps/hub/src/$1.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

export default {
  // A global option: Jest ignores it inside a project, where it was before (the start suite flaked at 5 s).
  testTimeout: 30_000,
  projects: [
    { ...base, displayName: 'smoke', testMatch: ['<rootDir>/test/**/*.smoke-spec.ts'] },
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
