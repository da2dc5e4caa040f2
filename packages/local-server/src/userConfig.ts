import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/** The official PrimeHub SDK's config file format (`~/.primehub/config.json`). */
export interface SdkConfig {
  endpoint: string;
  'api-token': string;
  group: { id: string; name: string; displayName: string };
}

export function readSdkConfig(file: string): SdkConfig | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SdkConfig;
  } catch {
    return undefined;
  }
}

/** Writes the config atomically with mode 0600: it holds an API token. */
export function writeSdkConfig(file: string, config: SdkConfig): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}
