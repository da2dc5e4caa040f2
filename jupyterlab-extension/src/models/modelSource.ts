/**
 * What a deployment's model URI holds, as far as PrimeHub lets the browser see: the files of the
 * model folder, its MLflow flavours, and the signature and input example a request can be built
 * from. The Deploy dialog suggests a model server from it; the tester prefills its request.
 */
import { normalizePhfsPath, type PrimeHubClient } from '@primehub-suite/client/browser';
import { parseRun } from './registryApi';

/** A model URI read: which files, flavours, signature inputs and input example are known. */
export interface IModelInfo {
  /** File names of the model folder (empty when they could not be listed). */
  files: string[];
  flavors: string[];
  /** An MLflow signature's `inputs` (the JSON string MLmodel keeps), when known. */
  signatureInputs?: string;
  /** The model's saved input example (parsed JSON), when known. */
  inputExample?: unknown;
  /** Where the files were looked for, in words ("the PHFS folder /models/iris"). */
  where: string;
}

/** The pieces of a `models:/<name>/<version>` URI (null for any other). */
export function registryRef(uri: string): { name: string; version: string } | null {
  const m = /^models:\/([^/]+)\/([^/]+)\/?$/.exec(uri.trim());
  if (!m) {
    return null;
  }
  try {
    return { name: decodeURIComponent(m[1]), version: m[2] };
  } catch {
    return null;
  }
}

/** The PHFS path of a `phfs:///…` URI (null for any other). */
export function phfsPathOf(uri: string): string | null {
  const t = uri.trim();
  if (!t.startsWith('phfs:///')) {
    return null;
  }
  try {
    return normalizePhfsPath(t).replace(/\/+$/, '') || '/';
  } catch {
    return null;
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
 * The flavours, signature inputs and input example file of an `MLmodel` file (the YAML MLflow
 * writes: two-space indents, the signature's inputs as one quoted JSON string).
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

/** What MLflow's `mlflow.log-model.history` run tag says of the model logged at `path`. */
function loggedModel(
  tags: Record<string, string> | undefined,
  path: string
): { flavors: string[]; signatureInputs?: string } | null {
  const raw = tags?.['mlflow.log-model.history'];
  if (!raw) {
    return null;
  }
  try {
    const entries = JSON.parse(raw) as Array<{
      artifact_path?: string;
      flavors?: Record<string, unknown>;
      signature?: { inputs?: string };
    }>;
    const entry = entries.filter(e => e.artifact_path === path).pop() ?? entries[entries.length - 1];
    if (!entry) {
      return null;
    }
    return {
      flavors: Object.keys(entry.flavors ?? {}),
      ...(typeof entry.signature?.inputs === 'string' ? { signatureInputs: entry.signature.inputs } : {})
    };
  } catch {
    return null;
  }
}

/** A PHFS model folder: its files, and its MLmodel's flavours, signature and input example. */
async function phfsModel(client: PrimeHubClient, path: string): Promise<IModelInfo> {
  const entries = await client.files.list(path);
  const files = entries.map(e => e.name.replace(/\/+$/, ''));
  const info: IModelInfo = { files, flavors: [], where: `the PHFS folder ${path}` };
  if (!files.includes('MLmodel')) {
    return info;
  }
  const mlmodel = readMlmodel(await client.files.readText(`${path}/MLmodel`, { maxBytes: 1024 * 1024 }));
  info.flavors = mlmodel.flavors;
  if (mlmodel.signatureInputs) {
    info.signatureInputs = mlmodel.signatureInputs;
  }
  const example = mlmodel.inputExampleFile ?? (files.includes('input_example.json') ? 'input_example.json' : '');
  if (example && files.includes(example)) {
    try {
      info.inputExample = JSON.parse(await client.files.readText(`${path}/${example}`, { maxBytes: 1024 * 1024 }));
    } catch {
      // an example that cannot be read leaves the signature to build the request from
    }
  }
  return info;
}

/**
 * A registered version: the files of its run's artifact folder (MLflow's listing) and what the
 * run's log-model history says. A registered version is an MLflow model, so `MLmodel` is among its
 * files even when the listing cannot be read.
 */
async function registryModel(client: PrimeHubClient, name: string, version: string): Promise<IModelInfo> {
  const v = await client.models.version(name, version);
  const run = parseRun(v.run);
  const runId = run?.runId;
  const path = /\/artifacts\/(.+?)\/?$/.exec(v.source ?? '')?.[1] ?? '';
  let files: string[] = ['MLmodel'];
  if (runId && path) {
    try {
      const listed = (await client.models.mlflowArtifact(runId, path)).map(f => f.path.split('/').pop() ?? f.path);
      files = listed.includes('MLmodel') ? listed : [...listed, 'MLmodel'];
    } catch {
      // the listing is a help for the suggestion; the version is an MLflow model either way
    }
  }
  const logged = loggedModel(run?.tags, path);
  return {
    files,
    flavors: logged?.flavors ?? [],
    ...(logged?.signatureInputs ? { signatureInputs: logged.signatureInputs } : {}),
    where: `version ${version} of ${name}`
  };
}

/**
 * Reads what a model URI holds: a registered version (`models:/…`) or a PHFS folder
 * (`phfs:///…`); null for URIs the browser cannot look into.
 */
export async function inspectModel(client: PrimeHubClient, uri: string): Promise<IModelInfo | null> {
  const ref = registryRef(uri);
  if (ref) {
    return registryModel(client, ref.name, ref.version);
  }
  const path = phfsPathOf(uri);
  return path ? phfsModel(client, path) : null;
}
