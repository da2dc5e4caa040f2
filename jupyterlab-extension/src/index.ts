/**
 * PrimeHub in JupyterLab, as four plugins (the way jupyterlab-git splits its own): the session
 * (`IPrimeHub`: server extension, sign-in, group, client), the side panel with job tabs and
 * notifications (`IPrimeHubJobs`), "Submit notebook as job" with reruns, and "Register as model".
 */
import { modelsPlugin } from './plugins/models';
import { panelPlugin } from './plugins/panel';
import { sessionPlugin } from './plugins/session';
import { submitPlugin } from './plugins/submit';

export default [sessionPlugin, panelPlugin, submitPlugin, modelsPlugin];
export { CommandIDs } from './commandIds';
export { primehubIcon } from './icons';
export { IPrimeHub, IPrimeHubJobs } from './tokens';
