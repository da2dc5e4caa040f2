import { FeatureUnavailableError, type Model, type ModelVersion } from '@primehub-suite/client/browser';
import type { IPrimeHub } from '../tokens';
import { PolledModel } from './PolledModel';
import { listModels, listVersions, versionDetail, type IVersionDetail } from './registryApi';

/**
 * Longest wait between two polls after errors (ms). Shorter than the other lists': an MLflow that
 * does not answer is mostly one being restarted (PrimeHub Local's supervisor takes about 20 s), and
 * the section should show the registry again soon after, by itself.
 */
export const MODELS_MAX_BACKOFF_MS = 60_000;

/** Where the Models section is: the list, one model's versions, or one version. */
export interface IModelsLocation {
  model: string | null;
  /** Only with a model. */
  version: string | null;
}

/**
 * The group's model registry as the Models section shows it, one level at a time: the models, a
 * model's versions, or one version with its source run. Only the level in view is polled. A group
 * without MLflow is a state (`unavailable`), not an error: the poll goes on at its pace and shows
 * the models once an admin gives the group an MLflow.
 */
export class ModelsModel extends PolledModel {
  private _location: IModelsLocation = { model: null, version: null };
  private _models: Model[] | null = null;
  private _versions: ModelVersion[] | null = null;
  private _detail: IVersionDetail | null = null;
  private _unavailable = false;
  private _group: string | null;
  /** Bumped by every move and group change: answers for an earlier place are dropped. */
  private _generation = 0;

  constructor(hub: IPrimeHub) {
    // Models change less often than jobs.
    super(hub, 'models', 2);
    this.poll.frequency = { ...this.poll.frequency, max: MODELS_MAX_BACKOFF_MS };
    this._group = hub.group;
    hub.changed.connect(this.onHubChanged, this);
  }

  get location(): IModelsLocation {
    return this._location;
  }

  /** The group's models by name (null before the first answer at the list). */
  get models(): ReadonlyArray<Model> | null {
    return this._models;
  }

  /** The current model's versions, newest first (null before the first answer). */
  get versions(): ReadonlyArray<ModelVersion> | null {
    return this._versions;
  }

  /** The current version with its source run (null before the first answer). */
  get detail(): IVersionDetail | null {
    return this._detail;
  }

  /** True when the group has no MLflow (PrimeHub's "no MLflow settings"), so no models. */
  get unavailable(): boolean {
    return this._unavailable;
  }

  /** Shows the list (no model), a model's versions, or one version; fetched at once. */
  open(model: string | null, version: string | null = null): void {
    const location = { model, version: model === null ? null : version };
    if (location.model === this._location.model && location.version === this._location.version) {
      return;
    }
    // the list is kept while it is fetched again; another model's versions and a version are not
    if (location.model !== this._location.model) {
      this._versions = null;
    }
    this._detail = null;
    this._location = location;
    this._generation++;
    this.emitChanged();
    void this.poll.refresh();
  }

  override dispose(): void {
    this.hub.changed.disconnect(this.onHubChanged, this);
    super.dispose();
  }

  protected what(): string {
    const { model, version } = this._location;
    if (model === null) {
      return 'Listing models';
    }
    return version === null ? `Listing the versions of "${model}"` : `Loading version ${version} of "${model}"`;
  }

  protected async fetch(): Promise<void> {
    const generation = this._generation;
    const { model, version } = this._location;
    const client = this.hub.client;
    try {
      if (model === null) {
        const models = await listModels(client);
        if (generation === this._generation) {
          this._models = models;
        }
      } else if (version === null) {
        const versions = await listVersions(client, model);
        if (generation === this._generation) {
          this._versions = versions;
        }
      } else {
        const detail = await versionDetail(client, model, version);
        if (generation === this._generation) {
          this._detail = detail;
        }
      }
      if (generation === this._generation) {
        this._unavailable = false;
        this.emitChanged();
      }
    } catch (err) {
      if (!(err instanceof FeatureUnavailableError)) {
        throw err;
      }
      if (generation === this._generation) {
        this._unavailable = true;
        this._models = null;
        this._versions = null;
        this._detail = null;
        this.emitChanged();
      }
    }
  }

  private onHubChanged(): void {
    if (this.hub.group !== this._group) {
      this._group = this.hub.group;
      // another group's registry: from its list
      this._location = { model: null, version: null };
      this._generation++;
      this._models = null;
      this._versions = null;
      this._detail = null;
      this._unavailable = false;
      this.emitChanged();
      void this.poll.refresh();
    }
  }
}
