#!/usr/bin/env node
// `npm run lint`: ESLint, Prettier and the type checks of the test projects, as many at a time as there are
// cores (one after another they took a minute and more while the second core stayed idle). Each command's
// output is printed whole when it ends; the run fails when any command does.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = name => join(ROOT, 'node_modules', '.bin', name);

// jest compiles each file on its own (tsconfig.jest.json): --isolatedModules fails what that would compile wrongly
const tsc = (...args) => [bin('tsc'), ...args, '--isolatedModules'];

// the longest first, so the last to start is a short one
const COMMANDS = [
  [bin('eslint'), '.'],
  [bin('prettier'), '--check', '.'],
  tsc('-p', 'jupyterlab-extension/tsconfig.test.json'),
  tsc('-p', 'test/tsconfig.json'),
  tsc('-p', 'shared-client/tsconfig.test.json'),
  tsc('-p', 'vscode-extension/tsconfig.json', '--noEmit'),
  tsc('-p', 'vscode-extension/test/tsconfig.json', '--noEmit')
];

function run([cmd, ...args]) {
  return new Promise(resolve => {
    const shown = [cmd.replace(`${ROOT}/node_modules/.bin/`, ''), ...args].join(' ');
    const started = Date.now();
    let output = '';
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '1' } });
    child.stdout.on('data', d => (output += d));
    child.stderr.on('data', d => (output += d));
    child.on('error', err => (output += `${err.message}\n`));
    child.on('close', code => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`> ${shown} (${code === 0 ? 'ok' : `failed: ${code}`}, ${seconds} s)\n${output}`);
      resolve(code === 0);
    });
  });
}

const queue = [...COMMANDS];
let failed = false;
await Promise.all(
  Array.from({ length: Math.min(availableParallelism(), queue.length) }, async () => {
    while (queue.length > 0) {
      failed = !(await run(queue.shift())) || failed;
    }
  })
);
process.exitCode = failed ? 1 : 0;
