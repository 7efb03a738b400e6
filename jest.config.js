/**
 * Jest in ESM mode: ts-jest transpiles the TypeScript, Node runs it as ES modules. The global setup
 * builds the bundle from src/ once per run (ACTION_BUNDLE) for the tests that run the action, and
 * the test environment prints the action's output in the report of a test that fails.
 */
export default {
  testEnvironment: '<rootDir>/__tests__/helpers/environment.mjs',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^#actions-core/(.*)$': '<rootDir>/node_modules/@actions/core/lib/$1',
    '^#actions-github/(.*)$': '<rootDir>/node_modules/@actions/github/lib/$1',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  testTimeout: 60000,
  globalSetup: '<rootDir>/__tests__/helpers/global-setup.mjs',
  globalTeardown: '<rootDir>/__tests__/helpers/global-teardown.mjs',
};
