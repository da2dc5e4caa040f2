import type { GroupRow } from '../db/IdentityStore';
import { illegalEnvName, invalidInput, mlflowSettingNotFound, trackingUriNotFound } from '../errors';

/** A group's MLflow, as PrimeHub's group settings hold it (the schema's `MLflowSetting`). */
export interface MlflowSetting {
  trackingUri: string;
  uiUrl: string | null;
  /** Given to jobs and notebooks, and used by the GraphQL resolvers to sign in (basic auth or token). */
  trackingEnvs: Record<string, string>;
  /** Given to jobs and notebooks for the artifact store (e.g. S3 keys). */
  artifactEnvs: Record<string, string>;
}

/** PrimeHub Local's own MLflow, when it runs: its URL, a group's credentials in it and the group's UI address. */
export interface LocalMlflow {
  url(): string | undefined;
  trackingEnvs(groupName: string): Record<string, string>;
  /** Where a browser opens the group's MLflow UI: PrimeHub Local's proxy ({@link mlflowUiUrl}), not MLflow itself. */
  uiUrl(groupName: string): string;
}

/**
 * The address of a group's MLflow UI on PrimeHub Local: `<server>/mlflow-ui/<group>/`, a proxy that signs the
 * browser in with a one-time ticket (http/MlflowUiProxy), as a real PrimeHub's UI sits behind PrimeHub's sign-in.
 */
export function mlflowUiUrl(publicUrl: string, groupName: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/mlflow-ui/${encodeURIComponent(groupName)}/`;
}

/** PrimeHub rejects env names that are not shell identifiers (`ILLEGAL_ENV_NAME`). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The group's MLflow: its own settings (`group set-mlflow`), else PrimeHub Local's MLflow with the
 * group's own MLflow account; null when neither (PrimeHub's "no MLflow settings").
 */
export function groupMlflow(group: GroupRow, local: LocalMlflow | undefined): MlflowSetting | null {
  if (group.mlflow) {
    return JSON.parse(group.mlflow) as MlflowSetting;
  }
  const url = local?.url();
  if (!url) {
    return null;
  }
  return {
    trackingUri: url,
    uiUrl: local!.uiUrl(group.name),
    trackingEnvs: local!.trackingEnvs(group.name),
    artifactEnvs: {}
  };
}

/** The group's MLflow or PrimeHub's `MLFLOW_SETTING_NOT_FOUND` / `TRACKING_URI_NOT_FOUND`. */
export function requireGroupMlflow(group: GroupRow, local: LocalMlflow | undefined): MlflowSetting {
  const setting = groupMlflow(group, local);
  if (!setting) {
    throw mlflowSettingNotFound(group.name);
  }
  if (!setting.trackingUri) {
    throw trackingUriNotFound(group.name);
  }
  return setting;
}

/** What PrimeHub injects into a group's jobs and notebooks: `MLFLOW_TRACKING_URI` and the envs. */
export function mlflowEnvironment(setting: MlflowSetting | null): Record<string, string> {
  if (!setting) {
    return {};
  }
  return { ...setting.artifactEnvs, ...setting.trackingEnvs, MLFLOW_TRACKING_URI: setting.trackingUri };
}

/** Checks settings given to `group set-mlflow`; returns them as stored. */
export function validateMlflowSetting(input: {
  trackingUri: string;
  uiUrl?: string;
  trackingEnvs?: Record<string, string>;
  artifactEnvs?: Record<string, string>;
}): string {
  const url = (what: string, value: string): string => {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw invalidInput(`${what} is not a URL: ${value}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw invalidInput(`${what} must be an http or https URL: ${value}`);
    }
    if (parsed.username || parsed.password) {
      // a URL is shown in messages and UIs; credentials go into the tracking envs
      throw invalidInput(
        `${what} must not hold credentials: give them as MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) tracking envs`
      );
    }
    return value.replace(/\/+$/, '');
  };
  const envs = (what: string, map: Record<string, string> = {}): Record<string, string> => {
    for (const [name, value] of Object.entries(map)) {
      if (!ENV_NAME.test(name)) {
        throw illegalEnvName(`${what}: "${name}" is not a valid variable name`);
      }
      if (/[\0]/.test(value)) {
        throw invalidInput(`${what}: the value of ${name} holds a NUL byte`);
      }
    }
    return map;
  };
  const setting: MlflowSetting = {
    trackingUri: url('the tracking URI', input.trackingUri),
    uiUrl: input.uiUrl ? url('the UI URL', input.uiUrl) : null,
    trackingEnvs: envs('tracking env', input.trackingEnvs),
    artifactEnvs: envs('artifact env', input.artifactEnvs)
  };
  return JSON.stringify(setting);
}
