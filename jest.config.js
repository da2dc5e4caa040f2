/** Every test of the suite: units beside the code, cross-package tests under test/. */

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 120000,
  // a timer, socket or process a test leaves behind fails the run by name instead of hanging it
  globalSetup: '<rootDir>/test/kit/openHandles.cjs',
  globalTeardown: '<rootDir>/test/kit/openHandlesTeardown.cjs',
  // a worker whose heap has grown past this after a test file is replaced before the next one: module registries
  // of 150 suites kept in two workers ran one out of memory (4 GB) near the end of a run
  workerIdleMemoryLimit: '1GB',
  projects: [
    {
      displayName: 'client',
      rootDir: '<rootDir>/shared-client',
      testMatch: ['<rootDir>/src/**/*.test.ts'],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../tsconfig.base.json', diagnostics: false }] },
      testEnvironment: 'node'
    },
    {
      displayName: 'local-server',
      rootDir: '<rootDir>/packages/local-server',
      testMatch: ['<rootDir>/src/**/*.test.ts'],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../../tsconfig.base.json', diagnostics: false }] },
      testEnvironment: 'node'
    },
    {
      displayName: 'vscode-extension',
      rootDir: '<rootDir>/vscode-extension',
      testMatch: ['<rootDir>/src/**/*.test.ts'],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../tsconfig.base.json', diagnostics: false }] },
      testEnvironment: 'node'
    },
    {
      displayName: 'jupyterlab',
      rootDir: '<rootDir>/jupyterlab-extension',
      testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../tsconfig.base.json', diagnostics: false }] },
      testEnvironment: 'node'
    },
    {
      displayName: 'suite',
      rootDir: '<rootDir>/test',
      testMatch: ['<rootDir>/**/*.test.ts'],
      // code-server's own install (VS Code's sources and node_modules) is not part of the tests
      modulePathIgnorePatterns: ['<rootDir>/vscode-host/'],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../tsconfig.base.json', diagnostics: false }] },
      testEnvironment: 'node'
    }
  ]
};
