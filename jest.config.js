/** Jest in ESM mode: ts-jest transpiles the TypeScript, Node runs it as ES modules. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^#actions-core/(.*)$': '<rootDir>/node_modules/@actions/core/lib/$1',
    '^#actions-github/(.*)$': '<rootDir>/node_modules/@actions/github/lib/$1',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  testTimeout: 60000,
};
