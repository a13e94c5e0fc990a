/** `npm run test:queue`: n8n in queue mode (PostgreSQL, Redis, main + webhook process + 2 workers), test/queue. */
const base = require('./jest.config');

module.exports = {
	...base,
	roots: ['<rootDir>/test/queue'],
	testMatch: ['**/*.queue.ts'],
	// one deployment at a time: it already uses both cores
	maxWorkers: 1,
};
