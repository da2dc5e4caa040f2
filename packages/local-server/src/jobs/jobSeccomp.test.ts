import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareSeccomp, SECCOMP_INSTALL } from './jobSeccomp';

describe('prepareSeccomp', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'phl-seccomp-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("Debian's python3-seccomp writes the BPF once, named by the script's hash", () => {
    const first = prepareSeccomp(dir);
    if (!first.available) {
      throw new Error(`this test needs python3-seccomp (the bootstrap installs it): ${first.reason}`);
    }
    expect(first.file).toMatch(/seccomp-[0-9a-f]{16}\.bpf$/);
    // BPF instructions are 8 bytes each.
    expect(statSync(first.file).size % 8).toBe(0);
    const mtime = statSync(first.file).mtimeMs;
    // No interpreter needed once it is there.
    expect(prepareSeccomp(dir, '/nonexistent/python3')).toEqual(first);
    expect(statSync(first.file).mtimeMs).toBe(mtime);
    expect(readdirSync(dir)).toEqual([first.file.split('/').pop()]);
  });

  test('without the interpreter or its seccomp module: unavailable, naming the apt line', () => {
    expect(prepareSeccomp(dir, '/nonexistent/python3')).toEqual({
      available: false,
      reason: `/nonexistent/python3 is not installed, so jobs get no seccomp filter: ${SECCOMP_INSTALL}`
    });
    // The virtualenv's interpreter has no seccomp module.
    const venvPython = join(__dirname, '..', '..', '..', '..', '.venv', 'bin', 'python');
    expect(spawnSync(venvPython, ['-c', 'import seccomp']).status).not.toBe(0);
    expect(prepareSeccomp(dir, venvPython)).toEqual({
      available: false,
      reason: `python3-seccomp is not installed, so jobs get no seccomp filter: ${SECCOMP_INSTALL}`
    });
    expect(SECCOMP_INSTALL).toContain('apt-get install -y python3-seccomp');
  });
});
