/** Unit tests (test/unit) and tests against a real n8n (test/e2e). */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json', isolatedModules: true }],
	},
	// real-n8n suites start their own n8n and emulators; keep them from competing for the 2 cores
	maxWorkers: 2,
	testTimeout: 30000,
};
