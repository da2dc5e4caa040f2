// Test data and tools the benchmarks share: payload files, sampled comparison, curl, and a
// database seeded with jobs.
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO_ROOT } from './server.mjs';

const MiB = 1024 * 1024;
const require = createRequire(import.meta.url);

/** Writes `size` bytes of a repeated 16 MiB pseudo-random block (real data blocks, not a sparse file). */
export function makePayload(file, size) {
  const block = randomFillSync(Buffer.alloc(Math.min(16 * MiB, size)));
  const fd = openSync(file, 'w');
  try {
    for (let done = 0; done < size; ) {
      done += writeSync(fd, block, 0, Math.min(block.length, size - done));
    }
  } finally {
    closeSync(fd);
  }
}

/** Compares 1 MiB at a few offsets, so a mangled transfer is caught without hashing a GiB. */
export function sameSamples(a, b) {
  const size = statSync(a).size;
  if (!existsSync(b) || statSync(b).size !== size) {
    return false;
  }
  const [fa, fb] = [openSync(a, 'r'), openSync(b, 'r')];
  try {
    const [ba, bb] = [Buffer.alloc(MiB), Buffer.alloc(MiB)];
    for (const frac of [0, 0.13, 0.5, 0.77, 1]) {
      const at = Math.max(0, Math.floor((size - MiB) * frac));
      const n = readSync(fa, ba, 0, MiB, at);
      if (readSync(fb, bb, 0, MiB, at) !== n || !ba.subarray(0, n).equals(bb.subarray(0, n))) {
        return false;
      }
    }
    return true;
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

/** Runs curl; resolves with its stdout, rejects with its stderr. `onSpawn` gets its pid (for CPU sampling). */
export function runCurl(args, onSpawn = () => {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/curl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    onSpawn(child.pid);
    let out = '';
    let err = '';
    child.stdout.on('data', d => (out += d));
    child.stderr.on('data', d => (err += d));
    child.once('error', reject);
    child.once('exit', code =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`curl exited with ${code}: ${err}`))
    );
  });
}

/**
 * Writes `count` finished jobs of phuser/phusers straight into a stopped server's database, in one
 * transaction (as jobs-pagination.mjs does), newest last; marked `artifacts = 'done'` so start-up
 * recovery has nothing to publish. Returns the number of jobs in the database.
 */
export function seedJobs(dataDir, count) {
  const { openDatabase } = require(join(REPO_ROOT, 'packages', 'local-server', 'dist', 'db', 'Database.js'));
  const db = openDatabase(join(dataDir, 'primehub.db'));
  try {
    const user = db.prepare("SELECT id, username FROM users WHERE username = 'phuser'").get();
    const group = db.prepare("SELECT id, name FROM groups WHERE name = 'phusers'").get();
    const insert = db.prepare(
      `INSERT INTO jobs (id, display_name, group_id, group_name, user_id, user_name, instance_type, image, command,
         phase, reason, message, create_time, start_time, finish_time, exit_code, artifacts)
       VALUES (?, ?, ?, ?, ?, ?, 'cpu-1', 'base-notebook', ?, ?, ?, ?, ?, ?, ?, ?, 'done')`
    );
    const phases = [
      ['Succeeded', 'PodSucceeded', 'Job completed', 0],
      ['Failed', 'PodFailed', 'Job failed: the command exited with code 1', 1],
      ['Cancelled', 'Cancelled', 'Job cancelled', null]
    ];
    const start = Date.now() - count * 60_000;
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const created = new Date(start + i * 60_000);
        const stamp = created.toISOString().replace(/[-T:]/g, '').slice(0, 12);
        const [phase, reason, message, exit] = phases[i % phases.length];
        insert.run(
          `job-${stamp}-${i.toString(36).padStart(6, '0')}`,
          `bench-job-${i}`,
          group.id,
          group.name,
          user.id,
          user.username,
          `python train.py --epoch ${i % 50}`,
          phase,
          reason,
          message,
          created.toISOString(),
          new Date(created.getTime() + 2_000).toISOString(),
          new Date(created.getTime() + 30_000).toISOString(),
          exit
        );
      }
    })();
    return db.prepare('SELECT COUNT(*) AS n FROM jobs').get().n;
  } finally {
    db.close();
  }
}
