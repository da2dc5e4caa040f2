/**
 * What a deployment's model URI holds, as far as PrimeHub's API lets a client see: the files of the model
 * folder, its MLflow flavours, and the signature and input example a sample request is built from. Deploy
 * forms suggest a model server from it; endpoint testers prefill their request.
 */
import { parseMlflowRun } from '../compare/runs';
import type { PrimeHubClient } from '../PrimeHubClient';
import { normalizePhfsPath } from '../resources/FilesApi';
import { suggestModelServer, type ModelServerSuggestion } from './modelServers';
import { exampleRequest } from './requestExample';
import type { PredictInput } from '../resources/DeploymentsApi';
import type { MLflowArtifactFile } from '../types';

/** A model URI read: which files, flavours, signature inputs and input example are known. */
export interface ModelSource {
  /** File names of the model folder (empty when they could not be listed). */
  files: string[];
  /** The MLflow flavours (`sklearn`, `python_function`…), when known. */
  flavors: string[];
  /** An MLflow signature's `inputs` (the JSON string MLmodel keeps), when known. */
  signatureInputs?: string;
  /** The model's saved input example (parsed JSON), when known. */
  inputExample?: unknown;
  /** Where the files were looked for, in words ("the PHFS folder /models/iris"). */
  where: string;
}

/** A folder of a run's artifacts, and whether it is an MLflow model (holds `MLmodel`). */
export interface RunModelFolder {
  path: string;
  isModel: boolean;
}

/** The largest MLmodel or input example read (a model folder is the user's; its files could be anything). */
const MAX_METADATA_BYTES = 1024 * 1024;
/** At most this many artifact listings when looking for a run's model folders (each asks MLflow). */
const MAX_LISTINGS = 20;

/** The pieces of a `models:/<name>/<version or stage>` URI (undefined for any other). */
export function registryRef(uri: string | null | undefined): { name: string; version: string } | undefined {
  const m = /^models:\/([^/]+)\/([^/]+)\/?$/.exec(uri?.trim() ?? '');
  if (!m) {
    return undefined;
  }
  try {
    return { name: decodeURIComponent(m[1]), version: m[2] };
  } catch {
    return undefined;
  }
}

/** The PHFS path of a `phfs:///…` URI, without a trailing slash (undefined for any other). */
export function phfsPathOf(uri: string | null | undefined): string | undefined {
  const t = uri?.trim() ?? '';
  if (!t.startsWith('phfs:///')) {
    return undefined;
  }
  try {
    return normalizePhfsPath(t).replace(/\/+$/, '') || '/';
  } catch {
    return undefined;
  }
}

/** A YAML single- or double-quoted scalar, or a plain one, as its text. */
function yamlScalar(raw: string): string {
  const t = raw.trim();
  if (t.startsWith("'") && t.endsWith("'")) {
    return t.slice(1, -1).replace(/''/g, "'");
  }
  if (t.startsWith('"') && t.endsWith('"')) {
    try {
      return JSON.parse(t) as string;
    } catch {
      return t.slice(1, -1);
    }
  }
  return t;
}

/**
 * The flavours, signature inputs and input example file of an `MLmodel` file (the YAML MLflow writes:
 * two-space indents, the signature's inputs as one quoted JSON string).
 */
export function readMlmodel(text: string): { flavors: string[]; signatureInputs?: string; inputExampleFile?: string } {
  const flavors: string[] = [];
  let section = '';
  let signatureInputs: string | undefined;
  let inputExampleFile: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const top = /^([A-Za-z_][\w-]*):/.exec(line);
    if (top) {
      section = top[1];
      continue;
    }
    const child = /^ {2}([A-Za-z_][\w-]*):(.*)$/.exec(line);
    if (!child) {
      continue;
    }
    if (section === 'flavors') {
      flavors.push(child[1]);
    } else if (section === 'signature' && child[1] === 'inputs' && child[2].trim()) {
      signatureInputs = yamlScalar(child[2]);
    } else if (section === 'saved_input_example_info' && child[1] === 'artifact_path') {
      inputExampleFile = yamlScalar(child[2]);
    }
  }
  return {
    flavors,
    ...(signatureInputs ? { signatureInputs } : {}),
    ...(inputExampleFile ? { inputExampleFile } : {})
  };
}

/**
 * What a run's `mlflow.log-model.history` tag records of the model logged at `path` (else of the last one
 * logged): its flavours, and its signature's inputs (MLflow 2 records them; MLflow 3
 * keeps the signature in the model's MLmodel file only).
 */
export function loggedModel(
  tags: Record<string, string> | undefined,
  path: string | undefined
): { flavors: string[]; signatureInputs?: string } {
  let entries: unknown;
  try {
    entries = JSON.parse(tags?.['mlflow.log-model.history'] ?? '[]');
  } catch {
    entries = [];
  }
  const list = Array.isArray(entries) ? (entries as Array<Record<string, unknown> | null>) : [];
  // the model at `path`, else the last one logged (MLflow 3 may record another artifact path for it)
  const entry = [...list].reverse().find(e => e?.artifact_path === path) ?? list[list.length - 1];
  const flavors = entry?.flavors && typeof entry.flavors === 'object' ? Object.keys(entry.flavors) : [];
  const inputs = (entry?.signature as { inputs?: unknown } | undefined)?.inputs;
  return { flavors, ...(typeof inputs === 'string' ? { signatureInputs: inputs } : {}) };
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

/**
 * The folders of a run's artifacts (two levels deep), each with whether it holds an `MLmodel`: MLflow 3
 * logged models are listed as folders named after them (`model/` with `model/MLmodel`). Models first, then
 * by path.
 */
export async function runModelFolders(
  client: PrimeHubClient,
  runId: string,
  opts: { signal?: AbortSignal } = {}
): Promise<RunModelFolder[]> {
  const folders: RunModelFolder[] = [];
  const dirsIn = (files: MLflowArtifactFile[]) => files.filter(f => f.is_dir).map(f => f.path.replace(/\/+$/, ''));
  let level = dirsIn(await client.models.mlflowArtifact(runId, undefined, opts));
  let listings = 1;
  // a level's folders are listed side by side (each listing is a round trip to MLflow)
  for (let depth = 1; depth <= 2 && level.length > 0; depth++) {
    const listed = level.slice(0, Math.max(0, MAX_LISTINGS - listings));
    listings += listed.length;
    const contents = await Promise.all(listed.map(path => client.models.mlflowArtifact(runId, path, opts)));
    const next: string[] = [];
    listed.forEach((path, i) => {
      const isModel = contents[i].some(f => !f.is_dir && f.path.replace(/\/+$/, '') === `${path}/MLmodel`);
      folders.push({ path, isModel });
      if (!isModel) {
        next.push(...dirsIn(contents[i]));
      }
    });
    level = next;
  }
  return folders.sort(
    (a, b) => Number(b.isModel) - Number(a.isModel) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
  );
}

/** A PHFS model folder: its files, and its MLmodel's flavours, signature and input example. */
async function phfsModel(client: PrimeHubClient, path: string, signal?: AbortSignal): Promise<ModelSource> {
  const entries = await client.files.list(path, { signal });
  const files = entries.filter(e => !e.isDirectory).map(e => e.name.replace(/\/+$/, ''));
  const info: ModelSource = { files, flavors: [], where: `the PHFS folder ${path}` };
  if (!files.includes('MLmodel')) {
    return info;
  }
  const mlmodel = readMlmodel(await client.files.readText(`${path}/MLmodel`, { maxBytes: MAX_METADATA_BYTES, signal }));
  info.flavors = mlmodel.flavors;
  if (mlmodel.signatureInputs) {
    info.signatureInputs = mlmodel.signatureInputs;
  }
  const example = mlmodel.inputExampleFile ?? (files.includes('input_example.json') ? 'input_example.json' : '');
  if (example && files.includes(example)) {
    try {
      info.inputExample = JSON.parse(
        await client.files.readText(`${path}/${example}`, { maxBytes: MAX_METADATA_BYTES, signal })
      );
    } catch (e) {
      if (signal?.aborted) {
        throw e;
      }
      // an example that cannot be read leaves the signature to build the request from
    }
  }
  return info;
}

/**
 * A registered version: the files of its folder in the run's artifacts (MLflow's listing) and what the run's
 * log-model history says. A registered version is an MLflow model, so `MLmodel` is among its files even
 * when the listing cannot be read.
 */
async function registryModel(
  client: PrimeHubClient,
  name: string,
  version: string,
  signal?: AbortSignal
): Promise<ModelSource> {
  const where = `version ${version} of ${name}`;
  const v = await client.models.version(name, version, { signal });
  const run = parseMlflowRun(v.run);
  const info = (v.run as { info?: { artifactUri?: string; artifact_uri?: string } } | null | undefined)?.info;
  let path = artifactPathOf(v.source, info?.artifactUri ?? info?.artifact_uri);
  if (!run) {
    return { files: ['MLmodel'], flavors: [], where };
  }
  if (!path) {
    // MLflow 3 registers a logged model (`models:/m-…`): the run's one model folder is it
    const models = (await runModelFolders(client, run.runId, { signal }).catch(() => [])).filter(f => f.isModel);
    path = models.length === 1 ? models[0].path : undefined;
  }
  let files = ['MLmodel'];
  if (path) {
    try {
      const listed = (await client.models.mlflowArtifact(run.runId, path, { signal }))
        .filter(f => !f.is_dir)
        .map(f => f.path.split('/').pop() ?? f.path);
      files = listed.includes('MLmodel') ? listed : [...listed, 'MLmodel'];
    } catch (e) {
      if (signal?.aborted) {
        throw e;
      }
      // the listing is a help for the suggestion; the version is an MLflow model either way
    }
  }
  const logged = loggedModel(run.tags, path);
  return {
    files,
    flavors: logged.flavors,
    ...(logged.signatureInputs ? { signatureInputs: logged.signatureInputs } : {}),
    where
  };
}

/**
 * Reads what a model URI holds: a registered version (`models:/…`) or a PHFS folder (`phfs:///…`);
 * undefined for URIs PrimeHub's API cannot look into (a path on the group volume, `gs://`…). Rejects with
 * the client's error when the version or folder cannot be read.
 */
export async function inspectModel(
  client: PrimeHubClient,
  uri: string,
  opts: { signal?: AbortSignal } = {}
): Promise<ModelSource | undefined> {
  const ref = registryRef(uri);
  if (ref) {
    return registryModel(client, ref.name, ref.version, opts.signal);
  }
  const path = phfsPathOf(uri);
  return path ? phfsModel(client, path, opts.signal) : undefined;
}

/** The model server a model calls for (with the reason) and a sample request, from what was read of it. */
export function modelHints(source: ModelSource | undefined): ModelServerSuggestion & { example?: PredictInput } {
  const example = exampleRequest(source?.signatureInputs, source?.inputExample);
  return {
    ...suggestModelServer(source?.files ?? [], source?.flavors ?? []),
    ...(example ? { example } : {})
  };
}
