import { loadConfig } from '@primehub-suite/client';

/** A ready-made sign-in found on this machine (the official SDK's file or environment). */
export interface SignInSource {
  kind: 'file' | 'env';
  endpoint: string;
  token: string;
  group?: string;
  /** Where it came from, for the picker ("~/.primehub/config.json", "PRIMEHUB_* environment"). */
  origin: string;
}

/**
 * The SDK's config file and the `PRIMEHUB_API_ENDPOINT`/`PRIMEHUB_API_TOKEN`/`PRIMEHUB_GROUP`
 * environment, each offered separately when it has both an endpoint and a token. A broken config
 * file is reported in `problems` rather than hiding the other choices.
 */
export async function findSignInSources(
  env: Record<string, string | undefined> = process.env,
  configPath?: string
): Promise<{ sources: SignInSource[]; problems: string[] }> {
  const sources: SignInSource[] = [];
  const problems: string[] = [];
  try {
    const file = await loadConfig({
      configPath,
      env: configPath ? {} : { HOME: env.HOME, USERPROFILE: env.USERPROFILE }
    });
    if (file.endpoint && file.token) {
      sources.push({
        kind: 'file',
        endpoint: file.endpoint,
        token: file.token,
        group: file.group,
        origin: file.configPath
      });
    }
  } catch (e) {
    problems.push(e instanceof Error ? e.message : String(e));
  }
  const endpoint = env.PRIMEHUB_API_ENDPOINT;
  const token = env.PRIMEHUB_API_TOKEN;
  if (endpoint && token) {
    sources.push({
      kind: 'env',
      endpoint,
      token,
      group: env.PRIMEHUB_GROUP || undefined,
      origin: 'PRIMEHUB_* environment'
    });
  }
  return { sources, problems };
}
