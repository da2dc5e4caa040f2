import * as vscode from 'vscode';
import type { ErrorCommands } from '../errors/ErrorCommands';
import { isCancel } from '../errors/describeError';
import type { Logger } from '../logger/Logger';
import { isObject, isString, type CommandArgs } from '../util/commandArgs';
import { ConnectionManager, SignInInput } from './ConnectionManager';
import { apiTokenPage, graphqlEndpoint, PRIMEHUB_LOCAL_DEFAULT } from './endpoints';
import { isPrimeHubLocal } from './health';
import { SignInError } from './signInErrors';
import { findSignInSources } from './signInSources';

/**
 * "Sign in again" to the active profile's PrimeHub (the status bar's item when the token was
 * rejected). Not in the palette; it takes no argument, so a caller cannot name the endpoint.
 */
export const SIGN_IN_AGAIN = 'primehub.auth.signInAgain';

/** Sign-in, sign-out, profile and group switching, and the status-bar item. */
export class ConnectionCommands implements vscode.Disposable {
  private readonly statusBar: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private prompting = false;

  constructor(
    private readonly connection: ConnectionManager,
    private readonly errors: ErrorCommands,
    private readonly log: Logger
  ) {
    this.statusBar = vscode.window.createStatusBarItem('primehub.status', vscode.StatusBarAlignment.Left, 50);
    this.statusBar.name = 'PrimeHub';
    this.disposables.push(
      this.statusBar,
      connection.onDidChangeState(state => {
        this.updateStatusBar();
        if (state === 'expired') {
          void this.promptExpired();
        }
      }),
      connection.onDidChangeGroup(() => this.updateStatusBar()),
      connection.profiles.onDidChange(() => this.updateStatusBar())
    );
    this.updateStatusBar();
  }

  /**
   * Registers sign-in, sign-out, profile and group switching. Credentials, a profile id and a
   * group name are honoured only in tests: any other caller gets the prompts the user answers.
   */
  registerCommands(commands: CommandArgs): vscode.Disposable[] {
    return [
      commands.register('primehub.auth.signIn', (args, input) =>
        this.signIn(args.accept(input, { inTests: isObject<Partial<SignInInput>> }))
      ),
      commands.register(SIGN_IN_AGAIN, () => this.signIn({ endpoint: this.connection.profile?.endpoint })),
      commands.register('primehub.auth.signOut', () => this.signOut()),
      commands.register('primehub.profile.switch', (args, id) =>
        this.switchProfile(args.accept(id, { inTests: isString }))
      ),
      commands.register('primehub.group.switch', (args, name) =>
        this.switchGroup(args.accept(name, { inTests: isString }))
      )
    ];
  }

  /**
   * "PrimeHub: Sign In". With `input` (tests, "Try again") it signs in directly; otherwise a
   * QuickPick offers the SDK's config file, the PRIMEHUB_* environment, or endpoint + token.
   */
  async signIn(input?: Partial<SignInInput>): Promise<boolean> {
    if (input?.endpoint && input.token) {
      return this.trySignIn({ ...input, endpoint: input.endpoint, token: input.token });
    }
    const { sources, problems } = await findSignInSources();
    for (const p of problems) {
      this.log.warn(p);
    }
    type Item = vscode.QuickPickItem & { run: () => Promise<boolean> };
    const items: Item[] = sources.map(s => ({
      label:
        s.kind === 'file'
          ? '$(file) Import from the PrimeHub SDK config'
          : '$(terminal) Use the PRIMEHUB_* environment',
      description: s.endpoint,
      detail: s.origin,
      run: () => this.trySignIn({ endpoint: s.endpoint, token: s.token, group: s.group })
    }));
    const known = input?.endpoint;
    // "Sign in again" knows the PrimeHub: only a new token is asked for
    items.push(
      known
        ? { label: '$(key) Enter a new API token', description: known, run: () => this.tokenSignIn(known) }
        : { label: '$(key) Enter endpoint and API token', run: () => this.manualSignIn() }
    );
    const pick =
      items.length === 1
        ? items[0]
        : await vscode.window.showQuickPick(items, {
            title: 'Sign in to PrimeHub',
            placeHolder: 'How do you want to sign in?',
            ignoreFocusOut: true
          });
    return pick ? pick.run() : false;
  }

  async signOut(): Promise<void> {
    const profile = this.connection.profile;
    if (!profile) {
      return;
    }
    await this.connection.signOut(profile.id);
    void vscode.window.showInformationMessage(`Signed out of ${profile.label}; its token was removed.`);
  }

  /** QuickPick of the saved profiles (or `profileId` directly). */
  async switchProfile(profileId?: string): Promise<void> {
    if (profileId) {
      await this.connection.switchProfile(profileId);
      return;
    }
    const active = this.connection.profiles.activeId;
    type Item = vscode.QuickPickItem & { id?: string };
    const items: Item[] = this.connection.profiles.profiles.map(p => ({
      label: `${p.id === active ? '$(check) ' : ''}${p.label}`,
      description: `${p.username ?? ''}${p.group ? ` · ${p.group}` : ''}`,
      detail: p.endpoint,
      id: p.id
    }));
    items.push({ label: '$(add) Add a profile…' });
    const pick = await vscode.window.showQuickPick(items, { title: 'PrimeHub profile', ignoreFocusOut: true });
    if (!pick) {
      return;
    }
    if (!pick.id) {
      await this.signIn();
      return;
    }
    await this.connection.switchProfile(pick.id);
  }

  /** QuickPick of the user's groups; the choice becomes the profile's current group. */
  async switchGroup(name?: string): Promise<void> {
    if (name) {
      await this.errors.guard('Switching group', () => this.connection.setGroup(name));
      return;
    }
    await this.errors.guard('Listing your groups', async () => {
      const groups = await this.connection.groups();
      const current = this.connection.profile?.group;
      const pick = await vscode.window.showQuickPick(
        groups.map(g => ({
          label: `${g.name === current ? '$(check) ' : ''}${g.displayName || g.name}`,
          description: g.displayName && g.displayName !== g.name ? g.name : undefined,
          name: g.name
        })),
        { title: 'PrimeHub group', placeHolder: 'Jobs, recurring jobs and files of which group?' }
      );
      if (pick) {
        await this.connection.setGroup(pick.name);
      }
    });
  }

  dispose(): void {
    for (const d of this.disposables) {
      d.dispose();
    }
  }

  /**
   * Asks the URL (prefilled with `tried`, a URL that failed, else PrimeHub Local's default address
   * when a PrimeHub Local answers there), then the token.
   */
  private async manualSignIn(tried?: string): Promise<boolean> {
    const endpoint = await vscode.window.showInputBox({
      title: 'Sign in to PrimeHub (1/2)',
      prompt: 'PrimeHub URL (or its GraphQL endpoint), e.g. https://primehub.example.com',
      value: tried ?? ((await isPrimeHubLocal(PRIMEHUB_LOCAL_DEFAULT)) ? PRIMEHUB_LOCAL_DEFAULT : ''),
      ignoreFocusOut: true,
      validateInput: v => {
        try {
          graphqlEndpoint(v);
          return undefined;
        } catch (e) {
          return (e as Error).message;
        }
      }
    });
    return endpoint ? this.tokenSignIn(endpoint) : false;
  }

  /** Asks for the API token of a known PrimeHub and signs in with it. */
  private async tokenSignIn(endpoint: string): Promise<boolean> {
    const token = await this.askToken(graphqlEndpoint(endpoint));
    return token ? this.trySignIn({ endpoint, token }) : false;
  }

  /**
   * A password box with a button that opens the cluster's API-token page; PrimeHub Local has no
   * such page, so there the prompt says where its token is instead.
   */
  private async askToken(endpoint: string): Promise<string | undefined> {
    const local = await isPrimeHubLocal(endpoint);
    return new Promise(resolve => {
      const box = vscode.window.createInputBox();
      box.title = 'Sign in to PrimeHub (2/2)';
      box.prompt = local
        ? `API token for PrimeHub Local at ${endpoint} (\`primehub-local token\`, or api-token in its config.json)`
        : `API token for ${endpoint} (PrimeHub console ▸ API Token)`;
      box.password = true;
      box.ignoreFocusOut = true;
      const open: vscode.QuickInputButton = {
        iconPath: new vscode.ThemeIcon('link-external'),
        tooltip: 'Open the API token page'
      };
      box.buttons = local ? [] : [open];
      let done = false;
      box.onDidTriggerButton(() => void vscode.env.openExternal(vscode.Uri.parse(apiTokenPage(endpoint))));
      box.onDidChangeValue(() => (box.validationMessage = undefined));
      box.onDidAccept(() => {
        if (!box.value.trim()) {
          box.validationMessage = 'Paste the API token';
          return;
        }
        done = true;
        resolve(box.value.trim());
        box.hide();
      });
      box.onDidHide(() => {
        if (!done) {
          resolve(undefined);
        }
        box.dispose();
      });
      box.show();
    });
  }

  private async trySignIn(input: SignInInput): Promise<boolean> {
    try {
      const profile = await this.errors.withProgress(`Signing in to ${input.endpoint}…`, signal =>
        this.connection.signIn(input, signal)
      );
      void vscode.window.showInformationMessage(
        `Signed in to ${profile.label} as ${profile.username}${profile.group ? ` (group ${profile.group})` : ''}.`
      );
      return true;
    } catch (e) {
      return this.explainSignInFailure(input, e);
    }
  }

  private async explainSignInFailure(input: SignInInput, e: unknown): Promise<boolean> {
    if (isCancel(e) || (e instanceof SignInError && e.problem === 'cancelled')) {
      return false;
    }
    if (!(e instanceof SignInError)) {
      this.errors.report('Signing in', e);
      return false;
    }
    this.log.warn(`sign-in failed: ${e.message}`);
    if (e.problem === 'selfSigned') {
      const trust = await vscode.window.showWarningMessage(
        `${e.message} Trust it for this profile only? Do this only for a cluster you know.`,
        { modal: true },
        'Trust for This Profile'
      );
      return trust ? this.trySignIn({ ...input, allowSelfSigned: true }) : false;
    }
    const tokenPage = e.problem === 'badToken' && !(await isPrimeHubLocal(graphqlEndpoint(input.endpoint)));
    const buttons = tokenPage ? ['Open API Token Page', 'Try Again'] : ['Try Again'];
    // not awaited, so the command reports failure at once
    void vscode.window.showErrorMessage(e.message, ...buttons).then(choice => {
      if (choice === 'Open API Token Page') {
        void vscode.env.openExternal(vscode.Uri.parse(apiTokenPage(graphqlEndpoint(input.endpoint), input.group)));
      } else if (choice === 'Try Again') {
        // a wrong token: a new token for the same PrimeHub; a wrong URL: the URL again, as typed
        void (e.problem === 'badToken' ? this.signIn({ endpoint: input.endpoint }) : this.manualSignIn(input.endpoint));
      }
    });
    return false;
  }

  /** One "sign in again" notification at a time, however many calls failed. */
  async promptExpired(): Promise<void> {
    if (this.prompting) {
      return;
    }
    this.prompting = true;
    const label = this.connection.profile?.label ?? 'PrimeHub';
    try {
      const choice = await vscode.window.showWarningMessage(
        `${label} rejected the API token (expired or revoked).`,
        'Sign in again'
      );
      if (choice) {
        await this.signIn({ endpoint: this.connection.profile?.endpoint });
      }
    } finally {
      this.prompting = false;
    }
  }

  /** Since when PrimeHub has not answered (undefined while it answers). */
  private offlineSince?: Date;

  /** Shows the outage in the status bar (VS Code's warning colours) until PrimeHub answers again. */
  setOffline(since: Date | undefined): void {
    this.offlineSince = since;
    this.updateStatusBar();
  }

  private updateStatusBar(): void {
    const profile = this.connection.profile;
    const state = this.connection.state;
    this.statusBar.backgroundColor = undefined;
    if (profile && state === 'signedIn' && this.offlineSince) {
      this.statusBar.text = `$(debug-disconnect) ${profile.label}: offline`;
      this.statusBar.tooltip = `${profile.endpoint} does not answer since ${this.offlineSince.toLocaleTimeString()}; checking again every few seconds`;
      this.statusBar.command = 'primehub.log.show';
      this.statusBar.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      this.statusBar.show();
      return;
    }
    if (!profile || state === 'signedOut') {
      this.statusBar.text = '$(account) PrimeHub: Sign In';
      this.statusBar.tooltip = 'Sign in to PrimeHub';
      this.statusBar.command = 'primehub.auth.signIn';
    } else if (state === 'expired') {
      this.statusBar.text = `$(warning) ${profile.label}: Sign in again`;
      this.statusBar.tooltip = 'PrimeHub rejected the API token';
      this.statusBar.command = SIGN_IN_AGAIN;
    } else {
      this.statusBar.text = `$(organization) ${profile.label}: ${profile.group ?? 'no group'}`;
      this.statusBar.tooltip = `${profile.username ?? ''} at ${profile.endpoint} — click to switch group`;
      this.statusBar.command = 'primehub.group.switch';
    }
    this.statusBar.show();
  }
}
