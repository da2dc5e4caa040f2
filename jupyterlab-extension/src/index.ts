/**
 * PrimeHub in JupyterLab, as six plugins (the way jupyterlab-git splits its own): the session
 * (`IPrimeHub`: server extension, sign-in, group, client), the side panel with job tabs and
 * notifications (`IPrimeHubJobs`), "Submit notebook as job" with reruns, "Register as model",
 * Compare (the MLflow runs of a sweep, a recurring job or jobs picked, side by side), and
 * Deployments (deploy a model, test its endpoint, insert a request cell).
 */
import { comparePlugin } from './plugins/compare';
import { deploymentsPlugin } from './plugins/deployments';
import { modelsPlugin } from './plugins/models';
import { panelPlugin } from './plugins/panel';
import { sessionPlugin } from './plugins/session';
import { submitPlugin } from './plugins/submit';

export default [sessionPlugin, panelPlugin, submitPlugin, modelsPlugin, comparePlugin, deploymentsPlugin];
export { CommandIDs } from './commandIds';
export { primehubIcon } from './icons';
export { IPrimeHub, IPrimeHubJobs } from './tokens';
