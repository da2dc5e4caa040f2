import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ARTIFACT_LIMITS, publishArtifacts, removeExpiredArtifacts } from './artifacts';

describe('job artifacts', () => {
  let root: string;
  let source: string;
  let destination: string;
  let staging: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'artifacts-'));
    source = join(root, 'home', 'artifacts');
    destination = join(root, 'phfs', 'groups', 'g', 'jobArtifacts', 'job-1');
    staging = join(root, 'staging', 'artifacts-job-1');
    mkdirSync(join(source, 'sub'), { recursive: true });
    mkdirSync(join(root, 'staging'));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('copies the tree with .metadata/expiredAt and reports files and size, as run-job.sh does', async () => {
    writeFileSync(join(source, 'a.txt'), 'a');
    writeFileSync(join(source, 'sub', 'b.bin'), Buffer.alloc(2048));
    const now = Date.UTC(2026, 0, 1);
    const line = await publishArtifacts(source, destination, staging, DEFAULT_ARTIFACT_LIMITS, now);
    expect(line).toBe('Artifacts: (2 files / 0.00 MB) uploaded');
    expect(readFileSync(join(destination, 'a.txt'), 'utf8')).toBe('a');
    expect(readFileSync(join(destination, 'sub', 'b.bin')).length).toBe(2048);
    expect(Number(readFileSync(join(destination, '.metadata', 'expiredAt'), 'utf8'))).toBe(now / 1000 + 7 * 24 * 3600);
    expect(readdirSync(join(root, 'staging'))).toEqual([]);
  });

  test('an artifacts folder that is a link to the real output folder is followed', async () => {
    rmSync(source, { recursive: true });
    mkdirSync(join(root, 'output'));
    writeFileSync(join(root, 'output', 'model.pkl'), 'm');
    symlinkSync(join(root, 'output'), source);
    expect(await publishArtifacts(source, destination, staging, DEFAULT_ARTIFACT_LIMITS)).toMatch(/\(1 files/);
    expect(readFileSync(join(destination, 'model.pkl'), 'utf8')).toBe('m');
  });

  test('over the file or size limit nothing is copied and the line says why', async () => {
    for (let i = 0; i < 3; i++) {
      writeFileSync(join(source, `f${i}`), 'x');
    }
    const files = await publishArtifacts(source, destination, staging, { ...DEFAULT_ARTIFACT_LIMITS, maxFiles: 2 });
    expect(files).toMatch(/^Artifacts: \(3 files \/ 0\.00 MB\) not uploaded: over the limit of 2 files/);
    const bytes = await publishArtifacts(source, destination, staging, { ...DEFAULT_ARTIFACT_LIMITS, maxBytes: 2 });
    expect(bytes).toMatch(/not uploaded/);
    expect(() => readdirSync(destination)).toThrow();
  });

  test('no folder or an empty one: "no artifact found"', async () => {
    expect(await publishArtifacts(source, destination, staging, DEFAULT_ARTIFACT_LIMITS)).toBe(
      'Artifacts: no artifact found'
    );
    rmSync(source, { recursive: true });
    expect(await publishArtifacts(source, destination, staging, DEFAULT_ARTIFACT_LIMITS)).toBe(
      'Artifacts: no artifact found'
    );
  });

  test('copied exactly once: a published destination is never replaced', async () => {
    writeFileSync(join(source, 'a.txt'), 'first');
    await publishArtifacts(source, destination, staging, DEFAULT_ARTIFACT_LIMITS);
    writeFileSync(join(source, 'a.txt'), 'second');
    expect(await publishArtifacts(source, destination, staging, DEFAULT_ARTIFACT_LIMITS)).toBe(
      'Artifacts: already uploaded'
    );
    expect(readFileSync(join(destination, 'a.txt'), 'utf8')).toBe('first');
  });

  test('retention: expired job artifacts are removed, others kept', async () => {
    const groups = join(root, 'phfs', 'groups');
    const now = Date.now();
    for (const [job, expiredAt] of [
      ['job-old', Math.floor(now / 1000) - 1],
      ['job-new', Math.floor(now / 1000) + 3600]
    ] as const) {
      mkdirSync(join(groups, 'g', 'jobArtifacts', job, '.metadata'), { recursive: true });
      writeFileSync(join(groups, 'g', 'jobArtifacts', job, '.metadata', 'expiredAt'), String(expiredAt));
    }
    mkdirSync(join(groups, 'g', 'jobArtifacts', 'job-no-metadata'));
    expect(await removeExpiredArtifacts(groups, now)).toBe(1);
    expect(readdirSync(join(groups, 'g', 'jobArtifacts')).sort()).toEqual(['job-new', 'job-no-metadata']);
  });
});
