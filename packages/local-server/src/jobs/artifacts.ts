import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

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

/**
 * Copies a finished job's `artifacts/` folder to PHFS `jobArtifacts/<jobId>/`, the way PrimeHub's
 * run-job.sh does, and returns the line it writes to the job log. The copy is staged and renamed
 * into place, so it lands whole exactly once even when the server dies part way: an existing
 * destination means an earlier attempt already published it.
 */
export async function publishArtifacts(
  source: string,
  destination: string,
  staging: string,
  limits: ArtifactLimits,
  now = Date.now()
): Promise<string> {
  if (await exists(destination)) {
    return 'Artifacts: already uploaded';
  }
  const totals = await measure(source);
  if (!totals || totals.files === 0) {
    return 'Artifacts: no artifact found';
  }
  const summary = `${totals.files} files / ${(totals.bytes / MB).toFixed(2)} MB`;
  if (totals.files > limits.maxFiles || totals.bytes > limits.maxBytes) {
    return `Artifacts: (${summary}) not uploaded: over the limit of ${limits.maxFiles} files / ${(limits.maxBytes / MB).toFixed(0)} MB`;
  }
  await rm(staging, { recursive: true, force: true });
  try {
    await cp(source, staging, { recursive: true, dereference: true });
    await mkdir(join(staging, '.metadata'), { recursive: true });
    await writeFile(join(staging, '.metadata', 'expiredAt'), String(Math.floor(now / 1000) + limits.retentionSeconds));
    await mkdir(dirname(destination), { recursive: true });
    await rename(staging, destination);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  return `Artifacts: (${summary}) uploaded`;
}

/** Removes every `jobArtifacts/<jobId>` whose `.metadata/expiredAt` has passed; returns how many. */
export async function removeExpiredArtifacts(phfsGroupsRoot: string, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const group of await readdir(phfsGroupsRoot).catch(() => [])) {
    const base = join(phfsGroupsRoot, group, 'jobArtifacts');
    for (const job of await readdir(base).catch(() => [])) {
      const expiredAt = Number(await readFile(join(base, job, '.metadata', 'expiredAt'), 'utf8').catch(() => 'NaN'));
      if (Number.isFinite(expiredAt) && expiredAt * 1000 <= now) {
        await rm(join(base, job), { recursive: true, force: true });
        removed++;
      }
    }
  }
  return removed;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

/** File count and bytes under `dir`, following links as the copy does; undefined if there is no folder. */
async function measure(dir: string): Promise<{ files: number; bytes: number } | undefined> {
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) {
    return undefined;
  }
  const totals = { files: 0, bytes: 0 };
  const visit = async (d: string): Promise<void> => {
    for (const name of await readdir(d)) {
      const s = await stat(join(d, name)).catch(() => undefined);
      if (s?.isDirectory()) {
        await visit(join(d, name));
      } else if (s?.isFile()) {
        totals.files++;
        totals.bytes += s.size;
      }
    }
  };
  await visit(dir);
  return totals;
}
