import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { DEFAULT_SETTINGS, PrimeHubSession } from '../PrimeHubSession';
import { IPrimeHub, type IPrimeHubSettings } from '../tokens';

/** The plugin id that owns the user settings (schema/plugin.json). */
export const SESSION_PLUGIN_ID = '@primehub-suite/jupyterlab:plugin';

/** The connection to PrimeHub every other plugin shares: config, sign-in, group, client. */
export const sessionPlugin: JupyterFrontEndPlugin<IPrimeHub> = {
  id: SESSION_PLUGIN_ID,
  description: 'The PrimeHub session: the server extension, sign-in state, group and API client.',
  autoStart: true,
  provides: IPrimeHub,
  optional: [ISettingRegistry],
  activate: (_app: JupyterFrontEnd, settingRegistry: ISettingRegistry | null): IPrimeHub => {
    const hub = new PrimeHubSession();
    if (settingRegistry) {
      void settingRegistry.load(SESSION_PLUGIN_ID).then(settings => {
        const apply = (): void => {
          hub.settings = { ...DEFAULT_SETTINGS, ...(settings.composite as Partial<IPrimeHubSettings>) };
        };
        apply();
        settings.changed.connect(apply);
      });
    }
    // The panel shows "Connecting…" until the config arrives, and the reason if it does not.
    void hub.connect();
    return hub;
  }
};
