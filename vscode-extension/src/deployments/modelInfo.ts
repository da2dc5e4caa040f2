/**
 * What a registered version's MLflow run says of its logged model: the folder in the run's artifacts,
 * and from the run's `mlflow.log-model.history` tag its flavours and signature. No `vscode` import.
 */

/** The logged model a version was registered from, as far as its run tells. */
export interface LoggedModelInfo {
  /** The model's folder in the run's artifacts (`model`), when the version's source lies in them. */
  path?: string;
  /** The MLflow flavours (`sklearn`, `python_function`…). */
  flavors: string[];
  /** The signature's `inputs` (MLflow's JSON string). */
  signatureInputs?: unknown;
}

/** The folder `source` names inside the run's artifact root (undefined when it lies elsewhere). */
export function artifactPathOf(source: string | null | undefined, artifactUri: string | undefined): string | undefined {
  if (!source || !artifactUri) {
    return undefined;
  }
  const root = artifactUri.replace(/\/+$/, '');
  if (!source.startsWith(`${root}/`)) {
    return undefined;
  }
  const path = source.slice(root.length + 1).replace(/\/+$/, '');
  return path && !path.split('/').includes('..') ? path : undefined;
}

/** The flavours and signature the run's `mlflow.log-model.history` tag records for the model at `path`. */
export function loggedModelInfo(tags: Record<string, string>, path: string | undefined): LoggedModelInfo {
  let history: unknown;
  try {
    history = JSON.parse(tags['mlflow.log-model.history'] ?? '[]');
  } catch {
    history = [];
  }
  const entries = Array.isArray(history) ? (history as Array<Record<string, unknown>>) : [];
  const entry = [...entries].reverse().find(e => path === undefined || e?.artifact_path === path);
  const flavors = entry && typeof entry.flavors === 'object' && entry.flavors ? Object.keys(entry.flavors) : [];
  const signature = entry?.signature as { inputs?: unknown } | undefined;
  return { path, flavors, signatureInputs: signature?.inputs };
}

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
