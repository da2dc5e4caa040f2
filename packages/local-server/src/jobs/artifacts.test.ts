import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ARTIFACT_LIMITS, publishArtifacts, removeExpiredArtifacts, type BeneathPath } from './artifacts';

describe('job artifacts', () => {
  let root: string;
  let source: string;
  let destination: string;
  let staging: string;
  /** The job's `artifacts/` beneath its trusted job folder, and `jobArtifacts/job-1` beneath the group's PHFS. */
  let from: BeneathPath;
  let to: BeneathPath;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'artifacts-'));
    source = join(root, 'home', 'artifacts');
    destination = join(root, 'phfs', 'groups', 'g', 'jobArtifacts', 'job-1');
    staging = join(root, 'staging', 'artifacts-job-1');
    mkdirSync(join(source, 'sub'), { recursive: true });
    mkdirSync(join(root, 'staging'));
    from = { root, path: ['home', 'artifacts'] };
    to = { root: join(root, 'phfs', 'groups', 'g'), path: ['jobArtifacts', 'job-1'] };
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('copies the tree with .metadata/expiredAt and reports files and size, as run-job.sh does', async () => {
    writeFileSync(join(source, 'a.txt'), 'a');
    writeFileSync(join(source, 'sub', 'b.bin'), Buffer.alloc(2048));
    const now = Date.UTC(2026, 0, 1);
    const line = await publishArtifacts(from, to, staging, DEFAULT_ARTIFACT_LIMITS, now);
    expect(line).toBe('Artifacts: (2 files / 0.00 MB) uploaded');
    expect(readFileSync(join(destination, 'a.txt'), 'utf8')).toBe('a');
    expect(readFileSync(join(destination, 'sub', 'b.bin')).length).toBe(2048);
    expect(Number(readFileSync(join(destination, '.metadata', 'expiredAt'), 'utf8'))).toBe(now / 1000 + 7 * 24 * 3600);
    expect(readdirSync(join(root, 'staging'))).toEqual([]);
  });

  test('links are never followed: a linked artifacts folder, file or sub-folder publishes nothing of its target', async () => {
    // What a job can leave: links to the server's secrets, to another group's PHFS, and a linked folder.
    const secret = join(root, 'config.json');
    writeFileSync(secret, 'SECRET-TOKEN');
    mkdirSync(join(root, 'phfs', 'groups', 'a'), { recursive: true });
    writeFileSync(join(root, 'phfs', 'groups', 'a', 'theirs.txt'), 'SECRET-A');
    writeFileSync(join(source, 'mine.txt'), 'mine');
    symlinkSync(secret, join(source, 'config.json'));
    symlinkSync(join(root, 'phfs', 'groups', 'a', 'theirs.txt'), join(source, 'sub', 'theirs.txt'));
    symlinkSync(join(root, 'phfs', 'groups', 'a'), join(source, 'group-a'));
    expect(await publishArtifacts(from, to, staging, DEFAULT_ARTIFACT_LIMITS)).toMatch(/^Artifacts: \(1 files/);
    expect(listTree(destination)).toEqual(['.metadata/', '.metadata/expiredAt', 'mine.txt', 'sub/']);

    // The artifacts folder itself a link: not followed either.
    rmSync(destination, { recursive: true });
    rmSync(source, { recursive: true });
    symlinkSync(join(root, 'phfs', 'groups', 'a'), source);
    expect(await publishArtifacts(from, to, staging, DEFAULT_ARTIFACT_LIMITS)).toBe('Artifacts: no artifact found');
    expect(existsSync(destination)).toBe(false);
  });

  test("a jobArtifacts folder that is a link to another group's PHFS is not published into", async () => {
    writeFileSync(join(source, 'a.txt'), 'a');
    mkdirSync(join(root, 'phfs', 'groups', 'a'), { recursive: true });
    mkdirSync(join(root, 'phfs', 'groups', 'g'), { recursive: true });
    symlinkSync(join(root, 'phfs', 'groups', 'a'), join(root, 'phfs', 'groups', 'g', 'jobArtifacts'));
    await expect(publishArtifacts(from, to, staging, DEFAULT_ARTIFACT_LIMITS)).rejects.toMatchObject({
      code: expect.stringMatching(/^(ELOOP|ENOTDIR)$/)
    });
    expect(readdirSync(join(root, 'phfs', 'groups', 'a'))).toEqual([]);
    expect(readdirSync(join(root, 'staging'))).toEqual([]);
  });

  test('over the file or size limit nothing is copied and the line says why', async () => {
    for (let i = 0; i < 3; i++) {
      writeFileSync(join(source, `f${i}`), 'x');
    }
    const files = await publishArtifacts(from, to, staging, { ...DEFAULT_ARTIFACT_LIMITS, maxFiles: 2 });
    expect(files).toMatch(/^Artifacts: \(3 files \/ 0\.00 MB\) not uploaded: over the limit of 2 files/);
    const bytes = await publishArtifacts(from, to, staging, { ...DEFAULT_ARTIFACT_LIMITS, maxBytes: 2 });
    expect(bytes).toMatch(/not uploaded/);
    expect(() => readdirSync(destination)).toThrow();
  });

  test('no folder or an empty one: "no artifact found"', async () => {
    expect(await publishArtifacts(from, to, staging, DEFAULT_ARTIFACT_LIMITS)).toBe('Artifacts: no artifact found');
    rmSync(source, { recursive: true });
    expect(await publishArtifacts(from, to, staging, DEFAULT_ARTIFACT_LIMITS)).toBe('Artifacts: no artifact found');
  });

  test('copied exactly once: a published destination is never replaced', async () => {
    writeFileSync(join(source, 'a.txt'), 'first');
    await publishArtifacts(from, to, staging, DEFAULT_ARTIFACT_LIMITS);
    writeFileSync(join(source, 'a.txt'), 'second');
    expect(await publishArtifacts(from, to, staging, DEFAULT_ARTIFACT_LIMITS)).toBe('Artifacts: already uploaded');
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

  test("retention never deletes through a link: another group's expired-looking folders survive", async () => {
    const groups = join(root, 'phfs', 'groups');
    // Group a's data, shaped like expired artifacts; group b's PHFS links to it, as a job of b can arrange.
    mkdirSync(join(groups, 'a', 'data', 'x', '.metadata'), { recursive: true });
    writeFileSync(join(groups, 'a', 'data', 'x', '.metadata', 'expiredAt'), '1');
    writeFileSync(join(groups, 'a', 'data', 'x', 'precious.txt'), 'A');
    mkdirSync(join(groups, 'b', 'jobArtifacts'), { recursive: true });
    mkdirSync(join(groups, 'c'), { recursive: true });
    symlinkSync(join(groups, 'a', 'data'), join(groups, 'c', 'jobArtifacts'));
    symlinkSync(join(groups, 'a', 'data', 'x'), join(groups, 'b', 'jobArtifacts', 'job-link'));
    mkdirSync(join(groups, 'b', 'jobArtifacts', 'job-meta'));
    symlinkSync(
      join(groups, 'a', 'data', 'x', '.metadata'),
      join(groups, 'b', 'jobArtifacts', 'job-meta', '.metadata')
    );
    expect(await removeExpiredArtifacts(groups)).toBe(0);
    expect(readFileSync(join(groups, 'a', 'data', 'x', 'precious.txt'), 'utf8')).toBe('A');
  });
});

/** Every entry under `dir` (folders with a trailing slash), sorted, never following links. */
function listTree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap(e =>
      e.isDirectory()
        ? [`${prefix}${e.name}/`, ...listTree(join(dir, e.name), `${prefix}${e.name}/`)]
        : [`${prefix}${e.name}`]
    )
    .sort();
}
