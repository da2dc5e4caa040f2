/**
 * The official SDK's configuration (`~/.primehub/config.json`) and environment, Node only.
 * Precedence, as in the SDK: file < environment < explicit options.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ValidationError } from '../errors';

/** The config file format shared with the Python SDK. */
export interface PrimeHubConfigFile {
  endpoint?: string;
  'api-token'?: string;
  group?: { id?: string; name?: string; displayName?: string };
  [key: string]: unknown;
}

/** Where a setting came from. */
export type ConfigSource = 'file' | 'env' | 'explicit';

/** The merged configuration. */
export interface PrimeHubConfig {
  endpoint?: string;
  token?: string;
  /** Group name. */
  group?: string;
  /** The group as stored in the file (only when the name was not overridden). */
  groupInfo?: { id?: string; name?: string; displayName?: string };
  /** Path of the config file that was (or would be) read. */
  configPath: string;
  sources: { endpoint?: ConfigSource; token?: ConfigSource; group?: ConfigSource };
}

/** Options of `loadConfig`. */
export interface LoadConfigOptions {
  /** Config file path; default `~/.primehub/config.json`. */
  configPath?: string;
  /** Environment to read; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Explicit values, which win over file and environment. */
  endpoint?: string;
  token?: string;
  group?: string;
}

/**
 * `~/.primehub/config.json` of the current user. Like Python's `expanduser('~')` (the SDK),
 * HOME (USERPROFILE on Windows) wins over the account's home directory.
 */
export function defaultConfigPath(env: Record<string, string | undefined> = process.env): string {
  const home = (process.platform === 'win32' ? env.USERPROFILE : env.HOME) || os.homedir();
  return path.join(home, '.primehub', 'config.json');
}

async function readConfigFile(file: string): Promise<PrimeHubConfigFile> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return {};
    }
    throw e;
  }
  if (text.trim() === '') {
    return {};
  }
  try {
    const json = JSON.parse(text) as unknown;
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new Error('not an object');
    }
    return json as PrimeHubConfigFile;
  } catch (e) {
    throw new ValidationError(`invalid PrimeHub config ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Reads the SDK config file, then PRIMEHUB_API_ENDPOINT / PRIMEHUB_API_TOKEN / PRIMEHUB_GROUP, then `options`. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<PrimeHubConfig> {
  const env = options.env ?? process.env;
  const configPath = options.configPath ?? defaultConfigPath(env.HOME || env.USERPROFILE ? env : process.env);
  const file = await readConfigFile(configPath);
  const out: PrimeHubConfig = { configPath, sources: {} };
  const layers: Array<[ConfigSource, { endpoint?: string; token?: string; group?: string }]> = [
    ['file', { endpoint: str(file.endpoint), token: str(file['api-token']), group: str(file.group?.name) }],
    [
      'env',
      { endpoint: str(env.PRIMEHUB_API_ENDPOINT), token: str(env.PRIMEHUB_API_TOKEN), group: str(env.PRIMEHUB_GROUP) }
    ],
    ['explicit', { endpoint: str(options.endpoint), token: str(options.token), group: str(options.group) }]
  ];
  for (const [source, layer] of layers) {
    for (const key of ['endpoint', 'token', 'group'] as const) {
      if (layer[key] !== undefined) {
        out[key] = layer[key];
        out.sources[key] = source;
      }
    }
  }
  if (out.sources.group === 'file' && file.group) {
    out.groupInfo = { ...file.group };
  }
  return out;
}

/** What `saveConfig` writes. */
export interface SaveConfigInput {
  endpoint?: string;
  token?: string;
  group?: { id: string; name: string; displayName?: string | null } | null;
}

/**
 * Writes the SDK config file (mode 0600, folder 0700) atomically: a temporary file in the same
 * folder is written, flushed and renamed over the old one. Keys this client does not know are kept.
 */
export async function saveConfig(input: SaveConfigInput, options: { configPath?: string } = {}): Promise<string> {
  const file = options.configPath ?? defaultConfigPath();
  const dir = path.dirname(file);
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const current = await readConfigFile(file).catch(() => ({}) as PrimeHubConfigFile);
  const next: PrimeHubConfigFile = { ...current };
  if (input.endpoint !== undefined) {
    next.endpoint = input.endpoint;
  }
  if (input.token !== undefined) {
    next['api-token'] = input.token;
  }
  if (input.group !== undefined) {
    next.group = input.group
      ? { id: input.group.id, name: input.group.name, displayName: input.group.displayName ?? input.group.name }
      : {};
  }
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fsp.open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(next, null, 2)}\n`, 'utf8');
    await handle.sync();
  } catch (e) {
    await handle.close();
    await fsp.rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
  // rename keeps the temporary file's 0600; chmod covers umask surprises on exotic filesystems
  await fsp.chmod(file, 0o600);
  return file;
}
