/**
 * Starts PrimeHub Local (fresh data directory) and a JupyterLab whose root is laid out like a
 * PrimeHub notebook's home (`<group>/` = the group volume, `phfs/`), with a spawner's env and a
 * PrimeHub config file without a token (the tests sign in). Details go to the workers via env.
 */
import { freePort } from '../../scripts/machine.cjs';
import { CLI, stackCli, startLabStack } from './labStack';
import { uiPort } from './playwright.config';

export default async function globalSetup(): Promise<void> {
  // no MLflow: only the models spec uses it, with a PrimeHub Local and a Lab of its own (it would
  // hold 500 MiB and a core for seconds through every other test)
  const stack = await startLabStack({ labPort: uiPort(), mlflow: false, signedIn: false });
  Object.assign(process.env, {
    PHJL_UI_WORK: stack.work,
    PHJL_UI_DATA_DIR: stack.dataDir,
    PHJL_UI_HOME: stack.home,
    PHJL_UI_GROUP: stack.group.name,
    PHJL_UI_GROUP_ID: stack.group.id,
    PHJL_UI_VOLUME: stack.volume,
    PHJL_UI_CONFIG: stack.configFile,
    PHJL_UI_TOKEN: stack.token,
    PHJL_UI_PIDS: stack.pids.join(','),
    PHJL_UI_CLI: CLI,
    // the models spec's own Lab (started by the spec, where the workers can take the port as their baseURL)
    PHJL_UI_MODELS_PORT: String(await freePort()),
    // the SSH spec's own (its PrimeHub Local runs phuser's notebook SSH beside it)
    PHJL_UI_SSH_PORT: String(await freePort()),
    // the deployments spec's own (its model servers are its own to start and stop)
    PHJL_UI_DEPLOYMENTS_PORT: String(await freePort())
  });
  // Fail early with the reason if PrimeHub Local cannot issue tokens (the expired-token test needs it).
  if (!stackCli(stack.dataDir, 'token', '--user', 'phuser')) {
    throw new Error('primehub-local token printed nothing');
  }
}
