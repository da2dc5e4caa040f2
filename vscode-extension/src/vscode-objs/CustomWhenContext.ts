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

  private set(key: string, value: unknown): Thenable<unknown> {
    return vscode.commands.executeCommand('setContext', `primehub.context.${key}`, value);
  }
}
