#!/usr/bin/env node
/**
 * Runs the UI suites N times in a row while stress-ng keeps the CPUs busy, to show they wait on
 * state rather than time: the galata tests (jupyterlab-extension/test/ui.test.ts), the VS Code
 * extension-host integration tests (test/vscode/extensionHost.test.ts) and the VS Code end-to-end
 * tests (test/vscode/e2e.test.ts, otherExtension.test.ts, userFlows.test.ts, models.test.ts,
 * compare.test.ts, ssh.test.ts, sshRemote.test.ts), through their jest entry files, on two jest workers as
 * `npm test` runs them (the galata suite beside the VS Code ones).
 *
 *   npm run test:ui-stress -- 10          (or: node scripts/ui-stress.mjs 10 [--cpu 2])
 *
 * Prints each round's result with the names of the tests that failed, and as its last line
 * `<rounds passed> passed, <rounds failed> failed`; exits non-zero unless every round passed.
 * Each round's jest output goes to test-results/ui-stress/round-<n>.log. stress-ng is stopped when
 * the rounds end or the command is interrupted.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SUITES = [
  'jupyterlab-extension/test/ui.test.ts',
  'test/vscode/extensionHost.test.ts',
  'test/vscode/e2e.test.ts',
  'test/vscode/otherExtension.test.ts',
  'test/vscode/userFlows.test.ts',
  'test/vscode/models.test.ts',
  'test/vscode/compare.test.ts',
  'test/vscode/deployments.test.ts',
  'test/vscode/ssh.test.ts',
  'test/vscode/sshRemote.test.ts'
];
const LOGS = join(ROOT, 'test-results', 'ui-stress');
/** A round takes about 10 minutes here; stress-ng ends by itself if this command is killed outright. */
const MAX_ROUND_SECONDS = 45 * 60;

function usage(message) {
  console.error(`${message}\nusage: node scripts/ui-stress.mjs [rounds (default 10)] [--cpu <workers> (default 2)]`);
  process.exit(2);
}

function parseArgs(argv) {
  let rounds = 10;
  let cpu = 2;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--cpu') {
      cpu = Number(argv[++i]);
    } else if (/^\d+$/.test(argv[i])) {
      rounds = Number(argv[i]);
    } else {
      usage(`unknown argument ${argv[i]}`);
    }
  }
  if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(cpu) || cpu < 1) {
    usage('rounds and --cpu must be positive integers');
  }
  return { rounds, cpu };
}

/** Names of the failed tests of a jest --json report; for the galata runner, the galata tests it names. */
function failedTests(report) {
  const names = [];
  for (const file of report.testResults ?? []) {
    const failed = (file.assertionResults ?? []).filter(a => a.status === 'failed');
    if (failed.length === 0 && file.status === 'failed') {
      // the file failed outside a test (beforeAll, a crash)
      names.push(`${file.name.slice(ROOT.length + 1)}: ${(file.message ?? '').split('\n').find(l => l.trim()) ?? ''}`);
    }
    for (const a of failed) {
      // The galata runner's message lists its failures as "  1) <file>:<line>:<col> › <test name>".
      const inner = (a.failureMessages ?? [])
        .join('\n')
        .split('\n')
        .map(l => /^\s+\d+\) \S+ › (.+?)\s*$/.exec(l)?.[1])
        .filter(Boolean);
      names.push(...(inner.length > 0 ? inner.map(n => `galata: ${n}`) : [a.fullName]));
    }
  }
  return names;
}

/** Runs the suites once; resolves to the failed tests' names (empty: the round passed). */
function runRound(round, state) {
  const log = join(LOGS, `round-${round}.log`);
  const json = join(LOGS, `round-${round}.json`);
  rmSync(json, { force: true });
  return new Promise(resolve => {
    const chunks = [];
    const jest = spawn(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
        '--maxWorkers=2',
        '--json',
        `--outputFile=${json}`,
        ...SUITES
      ],
      // its own process group: an interrupt reaches jest and the Playwright runner under it together
      { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true }
    );
    state.jest = jest;
    jest.stdout.on('data', c => chunks.push(c));
    jest.stderr.on('data', c => chunks.push(c));
    jest.on('close', code => {
      state.jest = undefined;
      writeFileSync(log, Buffer.concat(chunks));
      if (state.stopping) {
        // interrupted: the round is not counted
        return;
      }
      let report;
      try {
        report = JSON.parse(readFileSync(json, 'utf8'));
      } catch {
        resolve([`jest ended (${code}) without a report: see ${log}`]);
        return;
      }
      const names = failedTests(report);
      if (names.length === 0 && (code !== 0 || report.numPassedTests === 0 || report.numPendingTests > 0)) {
        names.push(`jest exited ${code} with ${report.numPassedTests} passed, ${report.numPendingTests} skipped`);
      }
      resolve(names);
    });
  });
}

async function main() {
  const { rounds, cpu } = parseArgs(process.argv.slice(2));
  mkdirSync(LOGS, { recursive: true });
  const state = { jest: undefined, stopping: false };
  let passed = 0;
  let failed = 0;

  const stress = spawn('stress-ng', ['--cpu', String(cpu), '--timeout', `${rounds * MAX_ROUND_SECONDS}s`], {
    stdio: 'ignore',
    detached: true
  });
  const stopStress = () => {
    try {
      process.kill(-stress.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  // Whatever ends this command ends the load too.
  process.on('exit', stopStress);
  await new Promise((resolve, reject) => {
    stress.once('spawn', resolve);
    stress.once('error', e =>
      reject(new Error(`cannot start stress-ng (${e.message}): it is installed by node scripts/bootstrap.mjs test`))
    );
  });
  stress.once('exit', (code, signal) => {
    if (!state.stopping) {
      console.error(`stress-ng ended early (${code ?? signal}): the rounds after this one ran without load`);
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, async () => {
      if (state.stopping) {
        return;
      }
      state.stopping = true;
      stopStress();
      const jest = state.jest;
      if (jest) {
        // SIGINT, as from a terminal: jest's afterAll and Playwright's globalTeardown stop the servers they started.
        const closed = new Promise(resolve => jest.once('close', resolve));
        try {
          process.kill(-jest.pid, 'SIGINT');
        } catch {
          // already gone
        }
        const timer = setTimeout(() => process.kill(-jest.pid, 'SIGKILL'), 60_000);
        await closed;
        clearTimeout(timer);
      }
      console.log(`interrupted (${signal}) after ${passed + failed} of ${rounds} rounds`);
      console.log(`${passed} passed, ${failed} failed`);
      process.exit(130);
    });
  }
  console.log(`${rounds} rounds of ${SUITES.join(', ')} under stress-ng --cpu ${cpu}`);

  for (let round = 1; round <= rounds; round++) {
    const started = Date.now();
    const failures = await runRound(round, state);
    const took = `${Math.round((Date.now() - started) / 1000)} s`;
    if (failures.length === 0) {
      passed++;
      console.log(`round ${round}/${rounds}: passed (${took})`);
    } else {
      failed++;
      console.log(`round ${round}/${rounds}: failed (${took}; log: ${join(LOGS, `round-${round}.log`)})`);
      for (const name of failures) {
        console.log(`  ✕ ${name}`);
      }
    }
  }
  state.stopping = true;
  stopStress();
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch(e => {
  console.error(e.message);
  process.exit(1);
});
