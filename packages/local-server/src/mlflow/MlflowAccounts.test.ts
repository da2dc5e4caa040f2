import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDir } from '../DataDir';
import { createLogger } from '../logger';
import { MlflowAccounts, MlflowGroupSync, mlflowAuthFiles, mlflowUsername, mlflowWorkspace } from './MlflowAccounts';

/** MLflow's own rule for workspace names (mlflow/store/workspace/abstract_store.py). */
const VALID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('MlflowAccounts', () => {
  let root: string;
  let dirs: DataDir;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'phl-mlflow-accounts-'));
    dirs = new DataDir(join(root, 'data with % sign'));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('a group keeps its name as workspace where MLflow allows it; other names get a hash, and no two meet', () => {
    expect(mlflowWorkspace('phusers')).toBe('phusers');
    expect(mlflowWorkspace('team-1')).toBe('team-1');
    expect(mlflowWorkspace('Team_X')).toMatch(/^team-x-[0-9a-f]{8}$/);
    expect(mlflowWorkspace('default')).toMatch(/^default-[0-9a-f]{8}$/);
    expect(mlflowWorkspace('a')).toMatch(/^a-[0-9a-f]{8}$/);
    const names = [
      'a.b',
      'a-b',
      'a_b',
      'A-b',
      'api',
      'workspaces',
      'ajax-api',
      'static-files',
      'x',
      'x-',
      '9',
      'x'.repeat(63),
      `${'y'.repeat(62)}_`,
      // A name shaped like a derived one is derived itself, so it cannot take another group's workspace.
      mlflowWorkspace('Team_X'),
      'Team_X'
    ];
    const workspaces = names.map(mlflowWorkspace);
    for (const w of workspaces) {
      expect([w, VALID.test(w) && w.length >= 2 && w.length <= 63]).toEqual([w, true]);
    }
    expect(new Set(workspaces).size).toBe(names.length);
    expect(mlflowUsername('admin')).toBe('group-admin');
  });

  test('credentials come from a 0600 secret made once: stable across instances, different per group', () => {
    const envs = new MlflowAccounts(dirs).trackingEnvs('alpha');
    const files = mlflowAuthFiles(dirs);
    expect(statSync(files.secret).mode & 0o777).toBe(0o600);
    expect(envs).toEqual({
      MLFLOW_TRACKING_USERNAME: 'group-alpha',
      MLFLOW_TRACKING_PASSWORD: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      MLFLOW_WORKSPACE: 'alpha',
      MLFLOW_EXPERIMENT_NAME: 'Default'
    });
    expect(new MlflowAccounts(dirs).trackingEnvs('alpha')).toEqual(envs);
    expect(new MlflowAccounts(dirs).trackingEnvs('beta').MLFLOW_TRACKING_PASSWORD).not.toBe(
      envs.MLFLOW_TRACKING_PASSWORD
    );
    expect(readFileSync(files.secret, 'utf8')).not.toContain(envs.MLFLOW_TRACKING_PASSWORD);
  });

  test('the auth config is 0600 with a random admin password; a user store from another secret is dropped', () => {
    const files = mlflowAuthFiles(dirs);
    const first = new MlflowAccounts(dirs);
    const env = first.prepareServer();
    expect(env).toEqual({
      MLFLOW_AUTH_CONFIG_PATH: files.config,
      MLFLOW_FLASK_SERVER_SECRET_KEY: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      MLFLOW_RBAC_SEED_DEFAULT_ROLES: 'false'
    });
    expect(statSync(files.config).mode & 0o777).toBe(0o600);
    const ini = readFileSync(files.config, 'utf8');
    expect(ini).toContain('default_permission = NO_PERMISSIONS');
    expect(ini).toContain('admin_username = primehub-admin');
    expect(ini).toMatch(/^admin_password = [A-Za-z0-9_-]{43}$/m);
    // configparser would read '%' as interpolation.
    expect(ini).toContain(`database_uri = sqlite:///${files.database.replace('%', '%%')}\n`);

    // The user store is kept across starts with the same secret...
    writeFileSync(files.database, 'users');
    new MlflowAccounts(dirs).prepareServer();
    expect(existsSync(files.database)).toBe(true);
    expect(readFileSync(files.config, 'utf8')).toBe(ini);
    // ...and dropped (to be made again) when the secret is new: its admin password would not match.
    rmSync(files.secret);
    new MlflowAccounts(dirs).prepareServer();
    expect(existsSync(files.database)).toBe(false);
    expect(readFileSync(files.config, 'utf8')).not.toBe(ini);
  });

  test('a damaged secret is an error saying what to do, not a new password', () => {
    new MlflowAccounts(dirs).trackingEnvs('alpha');
    writeFileSync(mlflowAuthFiles(dirs).secret, 'short\n');
    expect(() => new MlflowAccounts(dirs).trackingEnvs('alpha')).toThrow(
      /not a PrimeHub Local MLflow secret.*remove it/
    );
  });

  test('provisioning an MLflow that does not answer fails within its timeout, naming the request', async () => {
    const accounts = new MlflowAccounts(dirs, { timeoutMs: 500 });
    // A port nothing listens on (the discard port on loopback).
    await expect(accounts.provision('http://127.0.0.1:9', ['alpha'])).rejects.toThrow(
      /MLflow at http:\/\/127\.0\.0\.1:9 did not answer POST \/api\/3\.0\/mlflow\/workspaces/
    );
  });

  test('the group sync provisions every group when ready, new groups later, and retries a failure', async () => {
    const calls: string[][] = [];
    let fail = true;
    const accounts = {
      provision: async (_url: string, groups: string[]) => {
        calls.push(groups);
        if (fail) {
          throw new Error('MLflow: boom');
        }
      }
    } as unknown as MlflowAccounts;
    const groups = ['alpha', 'beta'];
    const lines: string[] = [];
    const sync = new MlflowGroupSync(
      accounts,
      () => groups,
      createLogger('info', l => lines.push(l)),
      60_000
    );
    try {
      await sync.ready('http://127.0.0.1:1');
      expect(lines.join('')).toMatch(/WARN MLflow accounts: MLflow: boom; retrying/);
      fail = false;
      await sync.sync();
      groups.push('gamma');
      await sync.sync();
      await sync.sync();
      expect(calls).toEqual([['alpha', 'beta'], ['alpha', 'beta'], ['gamma']]);
      // Not running: nothing is tried.
      sync.onState({ state: 'stopped' });
      groups.push('delta');
      await sync.sync();
      expect(calls).toHaveLength(3);
      // A new start provisions every group again.
      await sync.ready('http://127.0.0.1:1');
      expect(calls[3]).toEqual(['alpha', 'beta', 'gamma', 'delta']);
    } finally {
      sync.stop();
    }
  });
});
