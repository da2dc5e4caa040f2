import * as vscode from 'vscode';

/** The `primehub.context.*` keys the manifest's when-clauses use. */
export class CustomWhenContext {
  setSignedIn(value: boolean): Thenable<unknown> {
    return this.set('signedIn', value);
  }

  setHasProfiles(value: boolean): Thenable<unknown> {
    return this.set('hasProfiles', value);
  }

  setExpired(value: boolean): Thenable<unknown> {
    return this.set('expired', value);
  }

  /** The active profile is a PrimeHub Local (it has no console pages: API token, job pages). */
  setLocal(value: boolean): Thenable<unknown> {
    return this.set('local', value);
  }

  private set(key: string, value: unknown): Thenable<unknown> {
    return vscode.commands.executeCommand('setContext', `primehub.context.${key}`, value);
  }
}

/** The Deployments view's welcome content follows this key: true once listed (none yet). */
export const DEPLOYMENTS_LOADED_CONTEXT = 'primehub.context.deploymentsLoaded';

/** The Models view's welcome content follows this key (`ready`, `unavailable`, …). */
export const MODELS_STATUS_CONTEXT = 'primehub.context.models';
