import { groupVolumeRelative, planInPlace, planRunFile, runnableKind } from './runFilePlan';

const NOW = new Date(Date.UTC(2026, 11, 1, 6, 15, 0));

describe('planRunFile', () => {
  it('recognises .py, .sh and .ipynb', () => {
    expect(['a.py', 'b.SH', 'c.ipynb', 'd.txt'].map(runnableKind)).toEqual(['python', 'shell', 'notebook', undefined]);
  });

  it('runs a script from its per-run PHFS folder with the name quoted', () => {
    const plan = planRunFile({ fileName: "it's train.py", now: NOW });
    expect(plan.remoteDir).toBe('/vscode-runs/20261201-061500-it-s-train/');
    expect(plan.command).toBe(
      `cd "\${PRIMEHUB_PHFS_PATH:-/phfs}"/'vscode-runs/20261201-061500-it-s-train' && python 'it'\\''s train.py'`
    );
    expect(plan.displayName).toBe('it-s-train');
  });

  it('runs shell scripts with bash', () => {
    expect(planRunFile({ fileName: 'run.sh', now: NOW }).command).toMatch(/&& bash 'run\.sh'$/);
  });

  it('plans no notebook: notebooks run through the client (notebookRun.ts)', () => {
    expect(() => planRunFile({ fileName: 'train.ipynb', now: NOW })).toThrow(/not a \.py or \.sh file/);
  });
});

describe('files on the group volume', () => {
  it('finds the path relative to the volume', () => {
    expect(groupVolumeRelative('/project/ml/src/train.py', 'ml')).toBe('src/train.py');
    expect(groupVolumeRelative('/home/jovyan/ml/train.py', 'ml')).toBe('train.py');
    expect(groupVolumeRelative('/data/volumes/ml/a/b.sh', 'ml', ['/data/volumes/ml/'])).toBe('a/b.sh');
    expect(groupVolumeRelative('/project/other/train.py', 'ml')).toBeUndefined();
    expect(groupVolumeRelative('/project/ml/../x.py', 'ml')).toBeUndefined();
  });

  it('runs them in place with the folder quoted', () => {
    expect(planInPlace({ relativePath: "src/it's/train.py" }).command).toBe(
      `cd "$PRIMEHUB_GROUP_VOLUME_PATH"/'src/it'\\''s' && python 'train.py'`
    );
    expect(() => planInPlace({ relativePath: 'nb.ipynb' })).toThrow(/not a \.py or \.sh file/);
  });
});
