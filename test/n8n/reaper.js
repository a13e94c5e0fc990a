/**
 * Kills an n8n process group once the process that started it is gone.
 * The harness starts n8n detached (its own process group); if the test process is killed hard
 * (SIGKILL, crashed jest worker) its exit handlers never run, and this watcher cleans up instead.
 * Usage: node reaper.js <parentPid> <n8nPid>
 */
'use strict';

const parentPid = Number(process.argv[2]);
const groupPid = Number(process.argv[3]);

function isAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

function signalGroup(signal) {
	try {
		process.kill(-groupPid, signal);
	} catch {
		// group already gone
	}
}

const timer = setInterval(() => {
	if (!isAlive(groupPid)) {
		clearInterval(timer);
		return;
	}
	if (!isAlive(parentPid)) {
		clearInterval(timer);
		signalGroup('SIGTERM');
		setTimeout(() => signalGroup('SIGKILL'), 10000);
	}
}, 1000);
