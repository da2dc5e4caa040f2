import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyOut, Dir, isNotBeneath } from '../fs/beneath';

export interface ArtifactLimits {
  maxBytes: number;
  maxFiles: number;
  retentionSeconds: number;
}

/** PrimeHub's defaults: 100 MB, 1000 files, kept 7 days. */
export const DEFAULT_ARTIFACT_LIMITS: ArtifactLimits = {
  maxBytes: 100 * 1024 * 1024,
  maxFiles: 1000,
  retentionSeconds: 7 * 24 * 3600
};

const MB = 1024 * 1024;

/** A folder given as a trusted root (a server's own path) and the path beneath it, which a job may control. */
export interface BeneathPath {
  root: string;
  path: string[];
}

/**
 * Copies a finished job's `artifacts/` folder to PHFS `jobArtifacts/<jobId>/`, the way PrimeHub's
 * run-job.sh does, and returns the line it writes to the job log. The copy is staged and renamed
 * into place, so it lands whole exactly once even when the server dies part way: an existing
 * destination means an earlier attempt already published it.
 *
 * The job controls both its home and its group's PHFS, so neither side is reached through a link: only
 * folders and regular files are copied (links are left out), and the destination is made and moved into
 * beneath the group's PHFS with no link on the way (see {@link Dir}).
 */
export async function publishArtifacts(
  source: BeneathPath,
  destination: BeneathPath,
  staging: string,
  limits: ArtifactLimits,
  now = Date.now()
): Promise<string> {
  const jobId = destination.path[destination.path.length - 1];
  const parents = destination.path.slice(0, -1);
  await mkdir(destination.root, { recursive: true });
  return Dir.using(Dir.open(destination.root), async root => {
    const published = await root.dir(parents).then(
      dir => Dir.using(dir, async d => (await d.lstat(jobId)) !== undefined),
      () => false
    );
    if (published) {
      return 'Artifacts: already uploaded';
    }
    const from = await openBeneath(source);
    if (!from) {
      return 'Artifacts: no artifact found';
    }
    try {
      const totals = await measure(from);
      if (totals.files === 0) {
        return 'Artifacts: no artifact found';
      }
      const summary = `${totals.files} files / ${(totals.bytes / MB).toFixed(2)} MB`;
      if (totals.files > limits.maxFiles || totals.bytes > limits.maxBytes) {
        return `Artifacts: (${summary}) not uploaded: over the limit of ${limits.maxFiles} files / ${(limits.maxBytes / MB).toFixed(0)} MB`;
      }
      await rm(staging, { recursive: true, force: true });
      try {
        // The limits hold during the copy too: a tree that grew since it was measured is not published.
        await copyOut(from, staging, limits);
        await mkdir(join(staging, '.metadata'));
        await writeFile(
          join(staging, '.metadata', 'expiredAt'),
          String(Math.floor(now / 1000) + limits.retentionSeconds)
        );
        const { dir: target } = await root.mkdirs(parents);
        await Dir.using(target, t => t.moveIn(staging, jobId));
      } catch (err) {
        await rm(staging, { recursive: true, force: true });
        throw err;
      }
      return `Artifacts: (${summary}) uploaded`;
    } finally {
      await from.close();
    }
  });
}

/** Removes every `jobArtifacts/<jobId>` whose `.metadata/expiredAt` has passed; returns how many. */
export async function removeExpiredArtifacts(phfsGroupsRoot: string, now = Date.now()): Promise<number> {
  let removed = 0;
  const groups = await Dir.open(phfsGroupsRoot).catch(() => undefined);
  if (!groups) {
    return 0;
  }
  try {
    for (const group of await groups.entries()) {
      // Each group's PHFS is a job's to change: a `jobArtifacts` (or a job folder) that is a link is never entered.
      const base = await groups.dir([group.name, 'jobArtifacts']).catch(() => undefined);
      if (!base) {
        continue;
      }
      try {
        for (const job of await base.entries()) {
          if (job.stats.isDirectory() && (await expiredAt(base, job.name)) * 1000 <= now) {
            await base.removeTree(job.name);
            removed++;
          }
        }
      } finally {
        await base.close();
      }
    }
  } finally {
    await groups.close();
  }
  return removed;
}

/** A published job folder's `.metadata/expiredAt` (seconds), read with no link on the way; NaN when there is none. */
async function expiredAt(base: Dir, job: string): Promise<number> {
  try {
    return await Dir.using(base.dir([job, '.metadata']), async meta => {
      const { handle } = await meta.openFile('expiredAt');
      try {
        const buf = Buffer.alloc(32);
        const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
        return Number(buf.subarray(0, bytesRead).toString('utf8'));
      } finally {
        await handle.close();
      }
    });
  } catch {
    return NaN;
  }
}

/** Opens `path` beneath `root` with no link on the way; undefined if it is not a folder. */
async function openBeneath({ root, path }: BeneathPath): Promise<Dir | undefined> {
  const top = await Dir.open(root).catch(() => undefined);
  if (!top) {
    return undefined;
  }
  try {
    return await top.dir(path).catch(err => {
      if (isNotBeneath(err)) {
        return undefined;
      }
      throw err;
    });
  } finally {
    await top.close();
  }
}

/** File count and bytes of the regular files under `dir`; links are not followed, as the copy does not. */
async function measure(dir: Dir): Promise<{ files: number; bytes: number }> {
  const totals = { files: 0, bytes: 0 };
  const visit = async (d: Dir): Promise<void> => {
    for (const { name, stats } of await d.entries()) {
      if (stats.isDirectory()) {
        const sub = await d.dir([name]).catch(() => undefined);
        if (sub) {
          await Dir.using(sub, visit);
        }
      } else if (stats.isFile()) {
        totals.files++;
        totals.bytes += stats.size;
      }
    }
  };
  await visit(dir);
  return totals;
}
