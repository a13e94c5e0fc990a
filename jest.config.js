/** Unit tests (test/unit) and tests against a real n8n (test/e2e). */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// the crash / paging / load tests (several minutes) run on their own: `npm run test:reliability` (.ci/run does)
	testPathIgnorePatterns: process.env.RELIABILITY_TESTS === '1' ? ['/node_modules/'] : ['/node_modules/', 'reliability'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json', isolatedModules: true }],
	},
	// real-n8n suites start their own n8n and emulators; keep them from competing for the 2 cores
	maxWorkers: 2,
	testTimeout: 30000,
};
