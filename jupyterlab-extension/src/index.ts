/**
 * PrimeHub in JupyterLab, as three plugins (the way jupyterlab-git splits its own): the session
 * (`IPrimeHub`: server extension, sign-in, group, client), the side panel with job tabs and
 * notifications (`IPrimeHubJobs`), and "Submit notebook as job" with reruns.
 */
import { panelPlugin } from './plugins/panel';
import { sessionPlugin } from './plugins/session';
import { submitPlugin } from './plugins/submit';

export default [sessionPlugin, panelPlugin, submitPlugin];
export { CommandIDs } from './commandIds';
export { primehubIcon } from './icons';
export { IPrimeHub, IPrimeHubJobs } from './tokens';
