import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from './Database';
import { toGroupPath } from '../DataDir';
import { invalidInput } from '../errors';

export interface UserRow {
  id: string;
  username: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  is_admin: number;
}

export interface GroupRow {
  id: string;
  name: string;
  display_name: string | null;
  quota_cpu: number | null;
  quota_gpu: number | null;
  quota_memory: number | null;
  project_quota_cpu: number | null;
  project_quota_gpu: number | null;
  project_quota_memory: number | null;
  job_default_active_deadline_seconds: number | null;
  /** The group's own MLflow settings as JSON ({@link MlflowSetting}); null: PrimeHub Local's MLflow. */
  mlflow: string | null;
}

export interface InstanceTypeRow {
  name: string;
  display_name: string | null;
  description: string | null;
  cpu_limit: number;
  memory_limit: number;
  gpu_limit: number;
}

export interface ImageRow {
  name: string;
  display_name: string | null;
  description: string | null;
  type: string;
  url: string | null;
}

export interface GroupInput {
  name: string;
  displayName?: string;
  cpuQuota?: number;
  gpuQuota?: number;
  memoryQuota?: number;
  userCpuQuota?: number;
  userGpuQuota?: number;
  /** Timeout for the group's jobs submitted without one. */
  jobDefaultActiveDeadlineSeconds?: number;
  userMemoryQuota?: number;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/** The longest token lifetime `issueToken` accepts: 100 years, well inside what a Date can hold. */
const MAX_TOKEN_SECONDS = 100 * 365 * 86400;

/** A token's stored form: only its SHA-256 is kept, so the database never holds a usable token. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Users, groups, memberships, instance types, images and API tokens. */
export class IdentityStore {
  constructor(private readonly db: Db) {}

  addGroup(input: GroupInput): GroupRow {
    if (!NAME.test(input.name)) {
      throw invalidInput(`invalid group name "${input.name}": use letters, digits, '-', '_' or '.'`);
    }
    if (this.groupByName(input.name)) {
      throw invalidInput(`group "${input.name}" already exists`);
    }
    // PHFS is keyed by the group path, so `team_x` and `Team-X` would read and write each other's files (and
    // their volumes, `volumes/<name>`, would be one folder on a case-insensitive disk).
    const path = toGroupPath(input.name);
    const clash = this.allGroups().find(g => toGroupPath(g.name) === path);
    if (clash) {
      throw invalidInput(
        `group "${input.name}" would share the storage of group "${clash.name}" (PHFS folder groups/${path}): choose another name`
      );
    }
    const id = randomUUID();
    this.db
      .prepare(
        `INSERT INTO groups (id, name, display_name, project_quota_cpu, project_quota_gpu, project_quota_memory,
          quota_cpu, quota_gpu, quota_memory, job_default_active_deadline_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
        id,
        input.name,
        input.displayName ?? input.name,
        input.cpuQuota ?? null,
        input.gpuQuota ?? null,
        input.memoryQuota ?? null,
        input.userCpuQuota ?? null,
        input.userGpuQuota ?? null,
        input.userMemoryQuota ?? null,
        input.jobDefaultActiveDeadlineSeconds ?? null
      );
    return this.groupById(id)!;
  }

  addUser(username: string, groupNames: string[], isAdmin = false): UserRow {
    if (!NAME.test(username)) {
      throw invalidInput(`invalid user name "${username}"`);
    }
    if (this.userByName(username)) {
      throw invalidInput(`user "${username}" already exists`);
    }
    const groups = groupNames.map(g => {
      const row = this.groupByName(g);
      if (!row) {
        throw invalidInput(`group "${g}" does not exist`);
      }
      return row;
    });
    const id = randomUUID();
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO users (id, username, email, is_admin, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(id, username, `${username}@primehub.local`, isAdmin ? 1 : 0, new Date().toISOString());
      const add = this.db.prepare('INSERT INTO memberships (user_id, group_id) VALUES (?, ?)');
      for (const g of groups) {
        add.run(id, g.id);
      }
    })();
    return this.userById(id)!;
  }

  addInstanceType(row: InstanceTypeRow): void {
    this.db
      .prepare(
        `INSERT INTO instance_types (name, display_name, description, cpu_limit, memory_limit, gpu_limit)
         VALUES (@name, @display_name, @description, @cpu_limit, @memory_limit, @gpu_limit)`
      )
      .run(row);
  }

  addImage(row: ImageRow): void {
    this.db
      .prepare(
        'INSERT INTO images (name, display_name, description, type, url) VALUES (@name, @display_name, @description, @type, @url)'
      )
      .run(row);
  }

  /** Creates an API token for `username`; only its hash is stored. */
  issueToken(username: string, expiresInSeconds?: number): string {
    const user = this.userByName(username);
    if (!user) {
      throw invalidInput(`user "${username}" does not exist`);
    }
    if (
      expiresInSeconds !== undefined &&
      !(Number.isInteger(expiresInSeconds) && expiresInSeconds > 0 && expiresInSeconds <= MAX_TOKEN_SECONDS)
    ) {
      throw invalidInput(
        `a token's lifetime must be a whole number of seconds from 1 to ${MAX_TOKEN_SECONDS} (100 years), got ${expiresInSeconds}`
      );
    }
    const token = `phl_${randomBytes(32).toString('base64url')}`;
    const expires =
      expiresInSeconds === undefined ? null : new Date(Date.now() + expiresInSeconds * 1000).toISOString();
    this.db
      .prepare('INSERT INTO tokens (hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(hashToken(token), user.id, new Date().toISOString(), expires);
    return token;
  }

  /** Revokes an API token: it is refused from the next request on. False when no such token exists. */
  revokeToken(token: string): boolean {
    return this.db.prepare('DELETE FROM tokens WHERE hash = ?').run(hashToken(token)).changes > 0;
  }

  /** The user a token belongs to, or undefined for an unknown or expired token. */
  userByToken(token: string): UserRow | undefined {
    const row = this.db.prepare('SELECT user_id, expires_at FROM tokens WHERE hash = ?').get(hashToken(token)) as
      | { user_id: string; expires_at: string | null }
      | undefined;
    if (!row || (row.expires_at !== null && Date.parse(row.expires_at) <= Date.now())) {
      return undefined;
    }
    return this.userById(row.user_id);
  }

  tokenCount(userId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM tokens WHERE user_id = ?').get(userId) as { n: number }).n;
  }

  userById(id: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
  }

  userByName(username: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
  }

  groupById(id: string): GroupRow | undefined {
    return this.db.prepare('SELECT * FROM groups WHERE id = ?').get(id) as GroupRow | undefined;
  }

  groupByName(name: string): GroupRow | undefined {
    return this.db.prepare('SELECT * FROM groups WHERE name = ?').get(name) as GroupRow | undefined;
  }

  /** Points a group at another MLflow (`setting` as stored JSON), or back at PrimeHub Local's with null. */
  setGroupMlflow(name: string, setting: string | null): GroupRow {
    const changed = this.db.prepare('UPDATE groups SET mlflow = ? WHERE name = ?').run(setting, name).changes;
    if (changed === 0) {
      throw invalidInput(`no group named "${name}"`);
    }
    return this.groupByName(name)!;
  }

  allGroups(): GroupRow[] {
    return this.db.prepare('SELECT * FROM groups ORDER BY name').all() as GroupRow[];
  }

  groupsOfUser(userId: string): GroupRow[] {
    return this.db
      .prepare('SELECT g.* FROM groups g JOIN memberships m ON m.group_id = g.id WHERE m.user_id = ? ORDER BY g.name')
      .all(userId) as GroupRow[];
  }

  membersOf(groupId: string): UserRow[] {
    return this.db
      .prepare(
        'SELECT u.* FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.group_id = ? ORDER BY u.username'
      )
      .all(groupId) as UserRow[];
  }

  isMember(userId: string, groupId: string): boolean {
    return (
      this.db.prepare('SELECT 1 FROM memberships WHERE user_id = ? AND group_id = ?').get(userId, groupId) !== undefined
    );
  }

  instanceTypes(): InstanceTypeRow[] {
    return this.db.prepare('SELECT * FROM instance_types ORDER BY name').all() as InstanceTypeRow[];
  }

  instanceType(name: string): InstanceTypeRow | undefined {
    return this.db.prepare('SELECT * FROM instance_types WHERE name = ?').get(name) as InstanceTypeRow | undefined;
  }

  images(): ImageRow[] {
    return this.db.prepare('SELECT * FROM images ORDER BY name').all() as ImageRow[];
  }

  image(name: string): ImageRow | undefined {
    return this.db.prepare('SELECT * FROM images WHERE name = ?').get(name) as ImageRow | undefined;
  }

  isEmpty(): boolean {
    return this.db.prepare('SELECT 1 FROM users LIMIT 1').get() === undefined;
  }
}
