import { FeatureUnavailableError, type MLflowSetting, type Model, type ModelVersion } from '@primehub-suite/client';
import { Emitter } from '../util/Emitter';
import type { RunSummary } from './runs';

/**
 * Where the group's model registry stands, as the Models view tells it:
 * - `idle`: not listed yet (or signed out);
 * - `ready`: listed (possibly none);
 * - `unavailable`: the group has no MLflow (PrimeHub answers "feature unavailable");
 * - `unreachable`: PrimeHub answers but its MLflow does not (the models listed before stay);
 * - `error`: any other failure.
 */
export type ModelsStatus = 'idle' | 'ready' | 'unavailable' | 'unreachable' | 'error';

/** The `status` an error of a models request gives. */
export function statusOfError(e: unknown): Exclude<ModelsStatus, 'idle' | 'ready'> {
  if (e instanceof FeatureUnavailableError) {
    return 'unavailable';
  }
  // PrimeHub's own sentence when MLflow does not answer (PrimeHub Local: "MLflow is not reachable at <url>: ECONNREFUSED")
  if (e instanceof Error && /MLflow is not reachable/i.test(e.message)) {
    return 'unreachable';
  }
  return 'error';
}

/** One version as its node shows it: the version with its source run, and the group's MLflow UI. */
export interface VersionDetail {
  version: ModelVersion;
  run?: RunSummary;
  mlflow: MLflowSetting | null;
}

/**
 * The group's registered models as last listed, with the versions of the models looked at and the
 * details (source run) of the versions looked at. State only.
 */
export class ModelsModel {
  private readonly _onDidChange = new Emitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private _models: Model[] = [];
  private _loaded = false;
  private _error?: unknown;
  private _status: ModelsStatus = 'idle';
  private _failedAt?: Date;
  private readonly versions = new Map<string, ModelVersion[]>();
  private readonly versionErrors = new Map<string, unknown>();
  private readonly details = new Map<string, VersionDetail>();

  get status(): ModelsStatus {
    return this._status;
  }

  /** Whether the models were listed at least once (since the last clear). */
  get loaded(): boolean {
    return this._loaded;
  }

  /** The last listing's failure (undefined after a success). */
  get error(): unknown {
    return this._error;
  }

  /** When the last listing failed (undefined after a success). */
  get failedAt(): Date | undefined {
    return this._failedAt;
  }

  /** A new listing; versions of models that are gone are forgotten. */
  setModels(models: Model[]): void {
    this._status = 'ready';
    this._loaded = true;
    this._failedAt = undefined;
    this._error = undefined;
    const names = new Set(models.map(m => m.name));
    for (const name of [...this.versions.keys(), ...this.versionErrors.keys()]) {
      if (!names.has(name)) {
        this.versions.delete(name);
        this.versionErrors.delete(name);
      }
    }
    for (const key of [...this.details.keys()]) {
      if (!names.has(key.slice(0, key.lastIndexOf('\n')))) {
        this.details.delete(key);
      }
    }
    this._models = [...models].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this._onDidChange.fire();
  }

  /**
   * A failed listing: what was listed stays (shown as last seen) and the status says why; a group
   * without MLflow has no models at all.
   */
  setError(error: unknown, now = new Date()): void {
    this._status = statusOfError(error);
    if (this._status === 'unavailable') {
      this._models = [];
      this.versions.clear();
      this.versionErrors.clear();
      this.details.clear();
    }
    this._error = error;
    this._failedAt = now;
    this._onDidChange.fire();
  }

  /** Signed out, or another group or profile: nothing is known. */
  clear(): void {
    this._status = 'idle';
    this._error = undefined;
    this._failedAt = undefined;
    this._models = [];
    this._loaded = false;
    this.versions.clear();
    this.versionErrors.clear();
    this.details.clear();
    this._onDidChange.fire();
  }

  /** The models as last listed, by name. */
  get models(): readonly Model[] {
    return this._models;
  }

  get(name: string): Model | undefined {
    return this._models.find(m => m.name === name);
  }

  /** The names of the models whose versions were looked at (a refresh reloads them). */
  get modelsWithVersions(): string[] {
    return [...this.versions.keys()];
  }

  /** The versions of `name`, newest first, once loaded. */
  versionsOf(name: string): readonly ModelVersion[] | undefined {
    return this.versions.get(name);
  }

  /** Why the versions of `name` could not be listed, if they could not. */
  versionsErrorOf(name: string): unknown {
    return this.versionErrors.get(name);
  }

  setVersions(name: string, versions: ModelVersion[]): void {
    const sorted = [...versions].sort((a, b) => Number(b.version) - Number(a.version));
    this.versions.set(name, sorted);
    this.versionErrors.delete(name);
    this._onDidChange.fire();
  }

  setVersionsError(name: string, error: unknown): void {
    this.versionErrors.set(name, error);
    this._onDidChange.fire();
  }

  detailOf(name: string, version: string): VersionDetail | undefined {
    return this.details.get(detailKey(name, version));
  }

  setDetail(name: string, version: string, detail: VersionDetail): void {
    this.details.set(detailKey(name, version), detail);
  }

  /** Forgets the versions' details (a manual refresh reads them again: deployments change them). */
  forgetDetails(): void {
    this.details.clear();
  }
}

// a newline cannot be in a model name
function detailKey(name: string, version: string): string {
  return `${name}\n${version}`;
}
