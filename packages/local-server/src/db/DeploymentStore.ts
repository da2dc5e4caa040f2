import { createHash, timingSafeEqual } from 'node:crypto';
import { RecordStore } from './RecordStore';

/** PrimeHub's deployment phases (`PhDeploymentPhase`). */
export type DeploymentStatus = 'Deploying' | 'Deployed' | 'Stopping' | 'Stopped' | 'Failed';

export interface DeploymentRow {
  seq: number;
  id: string;
  /** The deployment's name (`spec.displayName` of PrimeHub's custom resource). */
  display_name: string;
  description: string | null;
  update_message: string | null;
  /** A flat JSON object. */
  metadata: string;
  /** JSON `[{name, value}]`. */
  env: string;
  stop: number;
  group_id: string;
  group_name: string;
  user_id: string;
  user_name: string;
  model_image: string;
  model_uri: string;
  replicas: number;
  image_pull_secret: string | null;
  instance_type: string;
  endpoint_access_type: 'public' | 'private';
  status: DeploymentStatus;
  message: string | null;
  creation_time: string;
  last_updated_time: string;
}

/** What a history entry keeps: the spec as it was made by one change. */
export type DeploymentSpec = Omit<DeploymentRow, 'seq' | 'status' | 'message'>;

export interface HistoryEntry {
  time: string;
  spec: DeploymentSpec;
}

/** A record's spec: what a change made of it, without its status. */
export function specOf(row: DeploymentRow): DeploymentSpec {
  const spec: Partial<DeploymentRow> = { ...row };
  delete spec.seq;
  delete spec.status;
  delete spec.message;
  return spec as DeploymentSpec;
}

/** Client tokens are long random strings: a plain SHA-256 keeps them unreadable, as API tokens are kept. */
const hashClientToken = (token: string): Buffer => createHash('sha256').update(token).digest();

/** Deployment records, their history and the clients of their private endpoints. */
export class DeploymentStore extends RecordStore<DeploymentRow> {
  protected readonly table = 'deployments';
  protected readonly sortable: Record<string, string> = { lastUpdatedTime: 'last_updated_time' };
  // PrimeHub lists deployments newest update first, and takes no orderBy.
  protected readonly defaultSort = { field: 'lastUpdatedTime', dir: 'desc' } as const;

  /**
   * Records as last read, frozen: every prediction reads its deployment's, and this store is the only writer of
   * the table (each write forgets the record it changed).
   */
  private readonly cached = new Map<string, Readonly<DeploymentRow>>();

  override get(id: string): DeploymentRow | undefined {
    let row = this.cached.get(id);
    if (!row) {
      row = super.get(id);
      if (row) {
        this.cached.set(id, Object.freeze(row));
      }
    }
    return row;
  }

  override update(id: string, patch: Partial<Omit<DeploymentRow, 'seq' | 'id'>>): DeploymentRow {
    this.cached.delete(id);
    return super.update(id, patch);
  }

  create(row: Omit<DeploymentRow, 'seq'>): DeploymentRow {
    const keys = Object.keys(row);
    this.db
      .prepare(`INSERT INTO deployments (${keys.join(', ')}) VALUES (${keys.map(k => `@${k}`).join(', ')})`)
      .run(row);
    return this.get(row.id)!;
  }

  /** Deployments that should be serving (not stopped), oldest first. */
  running(): DeploymentRow[] {
    return this.db.prepare('SELECT * FROM deployments WHERE stop = 0 ORDER BY seq').all() as DeploymentRow[];
  }

  /** A group's deployments, oldest first. */
  inGroup(groupId: string): DeploymentRow[] {
    return this.db.prepare('SELECT * FROM deployments WHERE group_id = ? ORDER BY seq').all(groupId) as DeploymentRow[];
  }

  delete(id: string): void {
    this.cached.delete(id);
    this.db.prepare('DELETE FROM deployments WHERE id = ?').run(id);
  }

  /** Records the spec as it now is, stamped with its last update. */
  recordHistory(row: DeploymentRow): void {
    this.db
      .prepare('INSERT INTO deployment_history (deployment_id, time, spec) VALUES (?, ?, ?)')
      .run(row.id, row.last_updated_time, JSON.stringify(specOf(row)));
  }

  /** Records `row`'s spec as the one whose replicas all answered (the deployment's serving spec). */
  recordServing(row: DeploymentRow): void {
    this.db
      .prepare(
        'INSERT INTO deployment_serving (deployment_id, spec) VALUES (?, ?) ON CONFLICT DO UPDATE SET spec = excluded.spec'
      )
      .run(row.id, JSON.stringify(specOf(row)));
  }

  /** The spec whose replicas last all answered, if any did. */
  serving(id: string): DeploymentSpec | undefined {
    const found = this.db.prepare('SELECT spec FROM deployment_serving WHERE deployment_id = ?').get(id) as
      | { spec: string }
      | undefined;
    return found ? (JSON.parse(found.spec) as DeploymentSpec) : undefined;
  }

  /** The deployment's changes, newest first. */
  history(id: string): HistoryEntry[] {
    const rows = this.db
      .prepare('SELECT time, spec FROM deployment_history WHERE deployment_id = ? ORDER BY time DESC, rowid DESC')
      .all(id) as { time: string; spec: string }[];
    return rows.map(r => ({ time: r.time, spec: JSON.parse(r.spec) as DeploymentSpec }));
  }

  clients(id: string): string[] {
    return (
      this.db.prepare('SELECT name FROM deployment_clients WHERE deployment_id = ? ORDER BY name').all(id) as {
        name: string;
      }[]
    ).map(r => r.name);
  }

  /** Adds a client, or replaces the token of one of that name (as PrimeHub does); only the hash is kept. */
  putClient(id: string, name: string, token: string): void {
    this.db
      .prepare(
        `INSERT INTO deployment_clients (deployment_id, name, hash) VALUES (?, ?, ?)
         ON CONFLICT (deployment_id, name) DO UPDATE SET hash = excluded.hash`
      )
      .run(id, name, hashClientToken(token).toString('hex'));
  }

  /** Removes a client; false when there was none of that name. */
  deleteClient(id: string, name: string): boolean {
    return (
      this.db.prepare('DELETE FROM deployment_clients WHERE deployment_id = ? AND name = ?').run(id, name).changes > 0
    );
  }

  /** Whether `name`:`token` are a client's credentials for deployment `id`. */
  checkClient(id: string, name: string, token: string): boolean {
    const row = this.db
      .prepare('SELECT hash FROM deployment_clients WHERE deployment_id = ? AND name = ?')
      .get(id, name) as { hash: string } | undefined;
    const given = hashClientToken(token);
    // compared in constant time even for an unknown name
    const stored = row ? Buffer.from(row.hash, 'hex') : Buffer.alloc(given.length);
    return timingSafeEqual(stored, given) && row !== undefined;
  }
}
