import { parseNotebookCommand } from '@primehub-suite/client/notebook';
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

  it('runs notebooks under papermill with parameters only in the base64 text', () => {
    const evil = "'; rm -rf / #";
    const plan = planRunFile({
      fileName: 'train.ipynb',
      now: NOW,
      parameters: { lr: 1, name: evil },
      types: { lr: 'float', name: 'str' }
    });
    expect(plan.command).not.toContain('rm -rf');
    expect(plan.outputPath).toBe('/vscode-runs/20261201-061500-train/train-output.ipynb');
    expect(plan.outputFileName).toBe('train-output.ipynb');
    const [cd, papermill] = plan.command.split(/ && (?=cd '\.')/);
    expect(cd).toBe(`cd "\${PRIMEHUB_PHFS_PATH:-/phfs}"/'vscode-runs/20261201-061500-train'`);
    expect(parseNotebookCommand(papermill)).toMatchObject({
      workdir: '.',
      input: 'train.ipynb',
      output: 'train-output.ipynb',
      parameters: { lr: 1, name: evil }
    });
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
    const nb = planInPlace({ relativePath: 'nb.ipynb', parameters: { n: 1 } });
    expect(nb.remoteDir).toBeUndefined();
    expect(
      nb.command.startsWith(`cd "$PRIMEHUB_GROUP_VOLUME_PATH" && cd '.' && papermill 'nb.ipynb' 'nb-output.ipynb' -b `)
    ).toBe(true);
  });
});
