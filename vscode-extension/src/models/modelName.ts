import type { Model } from '@primehub-suite/client';

/**
 * The model names PrimeHub Local's server accepts (`registerModel`): one segment of
 * `models:/<name>/<version>` and of a URL. Checked as the name is typed so that a bad name never
 * reaches the server; the server checks again.
 */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/;

/** Why `name` cannot be a model's name (undefined when it can), in words for the input box. */
export function modelNameProblem(name: string): string | undefined {
  if (name === '') {
    return 'A model needs a name.';
  }
  if (MODEL_NAME_PATTERN.test(name)) {
    return undefined;
  }
  if (name.length > 256) {
    return 'A model name has at most 256 characters.';
  }
  if (!/^[A-Za-z0-9]/.test(name)) {
    return 'A model name starts with a letter or a digit.';
  }
  const bad = [...name].find(c => !/[A-Za-z0-9._-]/.test(c)) ?? '';
  const what = bad === ' ' ? 'a space' : bad === '/' ? 'a slash' : `"${bad}"`;
  return `A model name cannot hold ${what}: use letters, digits, '.', '_' or '-' (ASCII only).`;
}

/** The newest version number a listed model has (its latest versions per stage), if any. */
export function latestVersion(model: Model): number | undefined {
  const versions = (model.latestVersions ?? []).map(v => Number(v.version)).filter(v => Number.isInteger(v));
  return versions.length > 0 ? Math.max(...versions) : undefined;
}

/**
 * What registering under `name` does, said before it is done: "Creates model iris" for a new
 * name, "Adds version 3 to iris" for a model the group has.
 */
export function registerActionText(name: string, models: readonly Model[]): string {
  const existing = models.find(m => m.name === name);
  if (!existing) {
    return `Creates model ${name}`;
  }
  const latest = latestVersion(existing);
  return latest === undefined ? `Adds a version to ${name}` : `Adds version ${latest + 1} to ${name}`;
}
