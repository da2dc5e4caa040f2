/** Every test of the suite: units beside the code, cross-package tests under test/. */

const path = require('node:path');

// transpile only (tsconfig.jest.json sets isolatedModules): ts-jest's type-checking language service cost 5-10 s and
// ~1 GB per test file, and its diagnostics were off; `npm run lint` type-checks the tests
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.jest.json'), diagnostics: false }]
};

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
      transform,
      testEnvironment: 'node'
    },
    {
      displayName: 'local-server',
      rootDir: '<rootDir>/packages/local-server',
      testMatch: ['<rootDir>/src/**/*.test.ts'],
      transform,
      testEnvironment: 'node'
    },
    {
      displayName: 'vscode-extension',
      rootDir: '<rootDir>/vscode-extension',
      testMatch: ['<rootDir>/src/**/*.test.ts'],
      transform,
      testEnvironment: 'node'
    },
    {
      displayName: 'jupyterlab',
      rootDir: '<rootDir>/jupyterlab-extension',
      testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
      transform,
      testEnvironment: 'node'
    },
    {
      displayName: 'suite',
      rootDir: '<rootDir>/test',
      testMatch: ['<rootDir>/**/*.test.ts'],
      // code-server's own install (VS Code's sources and node_modules) is not part of the tests
      modulePathIgnorePatterns: ['<rootDir>/vscode-host/'],
      transform,
      testEnvironment: 'node'
    }
  ]
};
