import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';

/** Schema migrations, applied in order; the index is the schema version. */
const MIGRATIONS = [
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    email TEXT,
    first_name TEXT,
    last_name TEXT,
    is_admin INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );
  CREATE TABLE groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT,
    quota_cpu REAL,
    quota_gpu INTEGER,
    quota_memory REAL,
    project_quota_cpu REAL,
    project_quota_gpu INTEGER,
    project_quota_memory REAL,
    job_default_active_deadline_seconds INTEGER
  );
  CREATE TABLE memberships (
    user_id TEXT NOT NULL REFERENCES users(id),
    group_id TEXT NOT NULL REFERENCES groups(id),
    PRIMARY KEY (user_id, group_id)
  );
  CREATE TABLE instance_types (
    name TEXT PRIMARY KEY,
    display_name TEXT,
    description TEXT,
    cpu_limit REAL NOT NULL,
    memory_limit REAL NOT NULL,
    gpu_limit INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE images (
    name TEXT PRIMARY KEY,
    display_name TEXT,
    description TEXT,
    type TEXT NOT NULL,
    url TEXT
  );
  CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT
  );
  CREATE TABLE jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    group_id TEXT NOT NULL,
    group_name TEXT NOT NULL,
    user_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    instance_type TEXT NOT NULL,
    image TEXT NOT NULL,
    command TEXT NOT NULL,
    active_deadline_seconds INTEGER,
    schedule_id TEXT,
    cancel INTEGER NOT NULL DEFAULT 0,
    phase TEXT NOT NULL,
    reason TEXT,
    message TEXT,
    create_time TEXT NOT NULL,
    start_time TEXT,
    finish_time TEXT,
    pid INTEGER,
    exit_code INTEGER,
    artifacts TEXT
  );
  CREATE INDEX jobs_create_time ON jobs (create_time, seq);
  CREATE INDEX jobs_group ON jobs (group_id, create_time, seq);
  CREATE INDEX jobs_phase ON jobs (phase);
  CREATE TABLE schedules (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    group_id TEXT NOT NULL,
    group_name TEXT NOT NULL,
    user_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    instance_type TEXT NOT NULL,
    image TEXT NOT NULL,
    command TEXT NOT NULL,
    active_deadline_seconds INTEGER,
    recurrence_type TEXT NOT NULL,
    cron TEXT NOT NULL DEFAULT '',
    create_time TEXT NOT NULL,
    update_time TEXT NOT NULL,
    last_fire_time TEXT,
    next_run_time TEXT,
    invalid INTEGER NOT NULL DEFAULT 0,
    message TEXT,
    last_scheduled_job_id TEXT
  );
  CREATE INDEX schedules_update_time ON schedules (update_time, seq);
  `,
  // Jobs per group, kept by triggers: a numbered page's totalPage without counting every job.
  `
  CREATE TABLE job_counts (group_id TEXT PRIMARY KEY, n INTEGER NOT NULL);
  INSERT INTO job_counts (group_id, n) SELECT group_id, COUNT(*) FROM jobs GROUP BY group_id;
  CREATE TRIGGER job_counts_insert AFTER INSERT ON jobs BEGIN
    INSERT INTO job_counts (group_id, n) VALUES (NEW.group_id, 1) ON CONFLICT (group_id) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER job_counts_delete AFTER DELETE ON jobs BEGIN
    UPDATE job_counts SET n = n - 1 WHERE group_id = OLD.group_id;
  END;
  CREATE TRIGGER job_counts_move AFTER UPDATE OF group_id ON jobs BEGIN
    UPDATE job_counts SET n = n - 1 WHERE group_id = OLD.group_id;
    INSERT INTO job_counts (group_id, n) VALUES (NEW.group_id, 1) ON CONFLICT (group_id) DO UPDATE SET n = n + 1;
  END;
  `,
  // A group's own MLflow settings (JSON), set by \`group set-mlflow\`; NULL: PrimeHub Local's MLflow.
  `
  ALTER TABLE groups ADD COLUMN mlflow TEXT;
  `,
  // Model deployments (PrimeHub's PhDeployment): the spec, its history, and the clients of private endpoints.
  `
  CREATE TABLE deployments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    description TEXT,
    update_message TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    env TEXT NOT NULL DEFAULT '[]',
    stop INTEGER NOT NULL DEFAULT 0,
    group_id TEXT NOT NULL,
    group_name TEXT NOT NULL,
    user_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    model_image TEXT NOT NULL,
    model_uri TEXT NOT NULL,
    replicas INTEGER NOT NULL,
    image_pull_secret TEXT,
    instance_type TEXT NOT NULL,
    endpoint_access_type TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT,
    creation_time TEXT NOT NULL,
    last_updated_time TEXT NOT NULL
  );
  CREATE INDEX deployments_updated ON deployments (group_id, last_updated_time, seq);
  CREATE TABLE deployment_history (
    deployment_id TEXT NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
    time TEXT NOT NULL,
    spec TEXT NOT NULL
  );
  CREATE INDEX deployment_history_of ON deployment_history (deployment_id, time);
  CREATE TABLE deployment_clients (
    deployment_id TEXT NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (deployment_id, name)
  );
  `,
  // The spec of each deployment's replicas that last all answered: what a restart brings back to serve while a
  // later change is failing (as a Deployment's old ReplicaSet is kept).
  `
  CREATE TABLE deployment_serving (
    deployment_id TEXT PRIMARY KEY REFERENCES deployments(id) ON DELETE CASCADE,
    spec TEXT NOT NULL
  );
  `
];

/**
 * Opens the metadata database in WAL mode and brings its schema up to date. The database and its `-wal`
 * and `-shm` files are the owner's only (0600), like config.json: they hold every user's jobs and token hashes.
 */
export function openDatabase(file: string): BetterSqlite3.Database {
  // SQLite creates the -wal and -shm files with the database file's mode; older data directories are fixed here.
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(path)) {
      chmodSync(path, 0o600);
    }
  }
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  // In WAL mode NORMAL keeps the database consistent and every commit survives a crash or kill -9
  // of PrimeHub Local (the WAL is in the OS before a commit returns); only a power loss or OS crash
  // may roll back the last commits. FULL fsyncs every commit: three per job start, whose tail
  // (10+ ms on a busy disk) was most of a submit's p95.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}

export type Db = BetterSqlite3.Database;
