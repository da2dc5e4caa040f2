import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageVsix } from './extensionBuild';

/** The PrimeHub extension's id, as other extensions address it. */
export const PRIMEHUB_EXTENSION_ID = 'primehub-suite.primehub';

/** The spy's command, run from the palette once the user has signed in. */
export const SPY_COMMAND_TITLE = 'PrimeHub Spy: Probe';

/** What the spy found, written as JSON to its result file. */
export interface SpyReport {
  /** `typeof` the PrimeHub extension's `exports` after `activate()`. */
  exportsType: string;
  /** Every object and function reachable from the exports, as `path:kind`. */
  exportPaths: string[];
  /** Every string reachable from the exports. */
  exportStrings: string[];
  /** The tokens the spy read with what the exports offered (globalState's profiles + secrets.get). */
  stolenTokens: string[];
  /** Whether a `connection.me()` call through the exports answered (the user's API, as the user). */
  calledApiAsUser: boolean;
  /** Per `primehub.*` command: how it ended, and the paths and strings reachable from its return value. */
  commands: Record<string, { outcome: string; paths: string[]; strings: string[] }>;
  error?: string;
}

// The spy: plain CommonJS, no build step. It does what any installed extension may do: activate
// PrimeHub, walk its exports, use whatever token store or client they offer, and run every
// `primehub.*` command (prompts it opens are closed), recording what each returns.
const SPY_SOURCE = `'use strict';
const vscode = require('vscode');
const fs = require('fs');
const CONFIG = require('./spy-config.json');

function walk(root, rootPath) {
  const seen = new Set();
  const paths = [];
  const strings = [];
  let budget = 20000;
  const visit = (v, path, depth) => {
    if (typeof v === 'string') {
      strings.push(v.slice(0, 2000));
      return;
    }
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) {
      return;
    }
    if (seen.has(v) || depth > 8 || budget-- <= 0) {
      return;
    }
    seen.add(v);
    const kind = typeof v === 'function' ? 'function' : (v.constructor && v.constructor.name) || 'object';
    paths.push(path + ':' + kind);
    if (v instanceof Map) {
      for (const [k, x] of v) {
        visit(k, path + '.<key>', depth + 1);
        visit(x, path + '[' + String(k) + ']', depth + 1);
      }
    }
    if (v instanceof Set) {
      for (const x of v) {
        visit(x, path + '.<item>', depth + 1);
      }
    }
    const keys = new Set();
    for (let o = v; o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
      for (const k of Object.getOwnPropertyNames(o)) {
        keys.add(k);
      }
    }
    for (const k of keys) {
      if (k === 'constructor' || k === 'caller' || k === 'callee' || k === 'arguments') {
        continue;
      }
      let x;
      try {
        x = v[k];
      } catch {
        continue;
      }
      visit(x, path + '.' + k, depth + 1);
    }
  };
  visit(root, rootPath, 0);
  return { paths, strings };
}

async function steal(api, report) {
  if (!api || typeof api !== 'object') {
    return;
  }
  const state = api.globalState;
  const secrets = api.secrets;
  const profiles = state && typeof state.get === 'function' ? state.get('primehub.profiles') || [] : [];
  if (secrets && typeof secrets.get === 'function') {
    for (const p of profiles) {
      const t = await secrets.get('primehub.token.' + p.id);
      if (t) {
        report.stolenTokens.push(t);
      }
    }
  }
  const connection = api.connection;
  if (connection && typeof connection.me === 'function') {
    try {
      await connection.me();
      report.calledApiAsUser = true;
    } catch {
      // not signed in
    }
  }
}

// Runs a command; a prompt it opens is closed until the command's promise settles.
async function run(id, args) {
  let settled;
  const p = Promise.resolve(vscode.commands.executeCommand(id, ...args)).then(
    value => (settled = { outcome: 'returned', value }),
    e => (settled = { outcome: 'threw ' + String(e && e.message) })
  );
  const deadline = Date.now() + 30000;
  while (!settled && Date.now() < deadline) {
    await Promise.race([p, new Promise(r => setTimeout(r, 250))]);
    if (!settled) {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    }
  }
  return settled || { outcome: 'did not settle' };
}

async function probe() {
  const report = { exportsType: 'none', exportPaths: [], exportStrings: [], stolenTokens: [], calledApiAsUser: false, commands: {} };
  try {
    const ext = vscode.extensions.getExtension(CONFIG.target);
    if (!ext) {
      throw new Error(CONFIG.target + ' is not installed');
    }
    const api = await ext.activate();
    report.exportsType = typeof api;
    const found = walk(api, 'exports');
    report.exportPaths = found.paths;
    report.exportStrings = found.strings;
    await steal(api, report);
    const ids = (await vscode.commands.getCommands(true)).filter(
      c => c.startsWith('primehub.') && !CONFIG.skip.includes(c) && !/\\.(toggleVisibility|removeView|resetViewLocation)$/.test(c)
    );
    const calls = ids.map(id => [id, []]).concat(CONFIG.calls);
    for (const [id, args] of calls) {
      const r = await run(id, args);
      const key = args.length ? id + ' ' + JSON.stringify(args) : id;
      report.commands[key] = { outcome: r.outcome, ...walk(r.value, key) };
    }
  } catch (e) {
    report.error = String((e && e.stack) || e);
  }
  fs.writeFileSync(CONFIG.result + '.tmp', JSON.stringify(report));
  fs.renameSync(CONFIG.result + '.tmp', CONFIG.result);
}

exports.activate = context => {
  context.subscriptions.push(vscode.commands.registerCommand('primehubSpy.probe', probe));
};
`;

/**
 * Writes a throwaway extension into `dir` and packages it as a VSIX (a bare folder in an
 * extensions directory is ignored). Run from the palette, it probes the PrimeHub extension as
 * described at {@link SpyReport} and writes its report to `result`.
 * @param calls commands run with arguments, besides every `primehub.*` command run with none
 * @param skip commands not run (they would undo the sign-in under test)
 * @returns the VSIX's path
 */
export function buildSpyExtension(
  dir: string,
  opts: { result: string; calls: [string, unknown[]][]; skip: string[] }
): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'primehub-spy',
      displayName: 'PrimeHub Spy',
      version: '0.0.1',
      publisher: 'primehub-test',
      license: 'UNLICENSED',
      engines: { vscode: '^1.100.0' },
      main: './extension.js',
      activationEvents: ['onCommand:primehubSpy.probe'],
      contributes: { commands: [{ command: 'primehubSpy.probe', title: SPY_COMMAND_TITLE }] }
    })
  );
  writeFileSync(join(dir, 'README.md'), 'Probes what the PrimeHub extension gives other extensions.\n');
  writeFileSync(join(dir, 'extension.js'), SPY_SOURCE);
  writeFileSync(join(dir, 'spy-config.json'), JSON.stringify({ target: PRIMEHUB_EXTENSION_ID, ...opts }));
  return packageVsix(dir);
}
