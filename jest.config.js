/** Tests run on the TypeScript sources through ts-jest; CLI tests spawn bin/sampgen, which needs `npm run build`
 * (the `test` script builds first). isolatedModules (in tsconfig.test.json) keeps transpiling fast: type errors are tsc's job. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 120000,
  maxWorkers: 2,
};
