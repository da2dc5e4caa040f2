import { POD_PHFS, podVolume } from '../jobs/jobSandbox';

/**
 * A deployment's model URI as PrimeHub's model downloader reads it:
 * - `phfs:///<path>`: the group's PHFS (triple slash);
 * - `models:/<name>/<version | stage | latest>`: the group's MLflow registry;
 * - `/project/<group>/<path>` (or `/phfs/<path>`): a folder the group's pods see;
 * - `gs://`, `s3://`, `nfs://`, … : storage PrimeHub Local cannot reach.
 */
export type ModelUri =
  | { kind: 'phfs'; path: string }
  | { kind: 'volume'; path: string }
  | { kind: 'registry'; name: string; ref: string }
  | { kind: 'unreachable'; message: string };

/** Relative path segments, with `.`, `..` and empty ones refused (a model URI never climbs out). */
function cleanPath(uri: string, rest: string): string | { kind: 'unreachable'; message: string } {
  const segments = rest.split('/').filter(s => s !== '' && s !== '.');
  if (segments.includes('..')) {
    return { kind: 'unreachable', message: `model URI ${uri}: ".." is not allowed` };
  }
  return segments.join('/');
}

/** Reads `uri` for a deployment of `group`. */
export function parseModelUri(uri: string, group: string): ModelUri {
  const trimmed = uri.trim();
  if (trimmed === '') {
    return { kind: 'unreachable', message: 'the deployment has no model URI' };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'phfs') {
    if (!trimmed.startsWith('phfs:///')) {
      return { kind: 'unreachable', message: `model URI ${uri}: a PHFS URI has three slashes, phfs:///<path>` };
    }
    const path = cleanPath(uri, trimmed.slice('phfs:///'.length));
    return typeof path === 'string' ? { kind: 'phfs', path } : path;
  }
  if (scheme === 'models') {
    const m = /^models:\/([^/]+)\/([^/]+)\/?$/.exec(trimmed);
    if (!m) {
      return { kind: 'unreachable', message: `model URI ${uri}: use models:/<name>/<version or stage>` };
    }
    try {
      return { kind: 'registry', name: decodeURIComponent(m[1]), ref: m[2] };
    } catch {
      return { kind: 'unreachable', message: `model URI ${uri}: malformed percent-encoding` };
    }
  }
  if (scheme === 'gs' || scheme === 's3' || scheme === 'nfs' || scheme === 'http' || scheme === 'https') {
    return {
      kind: 'unreachable',
      message:
        `model URI ${uri}: ${scheme}:// storage is not reachable from PrimeHub Local; ` +
        'put the model in PHFS (phfs:///…) or register it in MLflow (models:/…)'
    };
  }
  if (scheme) {
    return { kind: 'unreachable', message: `model URI ${uri}: the ${scheme}: scheme is not supported` };
  }
  for (const [root, kind] of [
    [podVolume(group), 'volume'],
    [POD_PHFS, 'phfs']
  ] as const) {
    if (trimmed === root || trimmed.startsWith(`${root}/`)) {
      const path = cleanPath(uri, trimmed.slice(root.length));
      return typeof path === 'string' ? { kind, path } : path;
    }
  }
  return {
    kind: 'unreachable',
    message: `model URI ${uri}: a path must be on the group volume (${podVolume(group)}/…) or in PHFS (phfs:///…)`
  };
}
