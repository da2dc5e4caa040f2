/** The folders of a job's artifacts that hold a model, for Deploy Model… on a job. No `vscode` import. */

/** A folder of a job's artifacts that could be deployed, with the files directly in it. */
export interface ArtifactModelFolder {
  /** Relative to the job's artifact folder; '' for the folder itself. */
  path: string;
  files: string[];
}

/** Files a model server loads: a folder holding one is a model. */
const MODEL_FILES = new Set(['MLmodel', 'model.joblib', 'saved_model.pb', 'model.pt', 'model.pth']);

/**
 * The folders of a job's artifacts (its relative file names), the ones holding a model file first
 * (fewest levels first), then the artifact folder itself.
 */
export function artifactModelFolders(names: readonly string[]): ArtifactModelFolder[] {
  const folders = new Map<string, string[]>([['', []]]);
  for (const name of names) {
    const parts = name.replace(/^\/+/, '').split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!folders.has(dir)) {
        folders.set(dir, []);
      }
    }
    folders.get(parts.slice(0, -1).join('/'))?.push(parts[parts.length - 1] ?? '');
  }
  const isModel = (f: ArtifactModelFolder) => f.files.some(n => MODEL_FILES.has(n));
  const depth = (p: string) => (p ? p.split('/').length : 0);
  return [...folders]
    .map(([path, files]) => ({ path, files }))
    .filter(f => isModel(f) || f.path === '')
    .sort(
      (a, b) => Number(isModel(b)) - Number(isModel(a)) || depth(a.path) - depth(b.path) || a.path.localeCompare(b.path)
    );
}
