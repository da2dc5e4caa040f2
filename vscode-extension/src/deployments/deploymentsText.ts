import type { Deployment, DeploymentDetail, DeploymentHistoryItem, DeploymentStatus } from '@primehub-suite/client';
import { registryRef } from '@primehub-suite/client/deployments';
import { describeError } from '../errors/describeError';
import { clock, formatTime } from '../models/modelsText';
import type { DeploymentsModel } from './DeploymentsModel';

/** A registered model's numbered version a `models:/<name>/<version>` URI names (undefined for a stage or any other URI). */
export function parseModelUri(uri: string | null | undefined): { name: string; version: string } | undefined {
  const ref = registryRef(uri);
  return ref && /^\d+$/.test(ref.version) ? ref : undefined;
}

/**
 * The newer registered version a deployment could be updated to: its model URI names version N of a
 * model whose newest version (`latestOf`) is above N.
 */
export function newerVersion(
  deployment: Pick<DeploymentDetail, 'modelURI'>,
  latestOf: (name: string) => string | undefined
): { name: string; version: string } | undefined {
  const served = parseModelUri(deployment.modelURI);
  const latest = served && latestOf(served.name);
  return served && latest && Number(latest) > Number(served.version)
    ? { name: served.name, version: latest }
    : undefined;
}

/** Whether a deployment is wanted running (`stop` false) — Deploying, Deployed or Failed — rather than stopped. */
export function isStarted(d: Pick<Deployment, 'stop' | 'status'>): boolean {
  return d.stop === null ? d.status !== 'Stopped' && d.status !== 'Stopping' : !d.stop;
}

/** The codicon of a status: spinning while it changes by itself. */
export function statusIcon(status: DeploymentStatus | null): { id: string; color?: string } {
  switch (status) {
    case 'Deploying':
    case 'Stopping':
      return { id: 'loading~spin' };
    case 'Deployed':
      return { id: 'pass', color: 'testing.iconPassed' };
    case 'Failed':
      return { id: 'error', color: 'testing.iconFailed' };
    case 'Stopped':
      return { id: 'debug-stop' };
    default:
      return { id: 'question' };
  }
}

/** Available/wanted replicas ("1/1"); a stopped deployment wants none. */
export function replicasText(d: Pick<Deployment, 'availableReplicas' | 'replicas' | 'stop' | 'status'>): string {
  return `${d.availableReplicas ?? 0}/${isStarted(d) ? (d.replicas ?? 0) : 0}`;
}

/**
 * The `contextValue` of a deployment's node: `deployment.<started|stopped>.<public|private>`, with
 * `.newer` when its model has a newer version (menus match these parts with `viewItem =~`).
 */
export function deploymentContextValue(
  d: Pick<DeploymentDetail, 'stop' | 'status' | 'endpointAccessType' | 'modelURI'>,
  latestOf: (name: string) => string | undefined
): string {
  return [
    'deployment',
    isStarted(d) ? 'started' : 'stopped',
    d.endpointAccessType === 'private' ? 'private' : 'public',
    ...(newerVersion(d, latestOf) ? ['newer'] : [])
  ].join('.');
}

/** A deployment's one-line description in the view: status, replicas, model. */
export function deploymentDescription(d: DeploymentDetail): string {
  return [d.status ?? 'Unknown', `${replicasText(d)} replicas`, d.modelURI ?? undefined].filter(Boolean).join(' · ');
}

/** A deployment's previous specs as a read-only document (newest first). */
export function historyText(d: Pick<DeploymentDetail, 'id' | 'name'>, items: readonly DeploymentHistoryItem[]): string {
  const lines = [`History of deployment ${d.name ?? d.id} (${d.id}), newest first`, ''];
  if (items.length === 0) {
    lines.push('No changes recorded.');
  }
  for (const item of items) {
    const s = item.deployment;
    lines.push(`${formatTime(item.time) ?? item.time ?? 'unknown time'}`);
    if (s) {
      const spec = s as Partial<DeploymentDetail>;
      const facts: Array<[string, unknown]> = [
        ['status', s.status],
        ['stopped', s.stop],
        ['model image', s.modelImage],
        ['model URI', spec.modelURI],
        ['replicas', s.replicas],
        ['instance type', spec.instanceType?.name],
        ['endpoint access', s.endpointAccessType],
        ['clients', s.endpointClients?.map(c => c.name).join(', ')],
        ['update message', spec.updateMessage],
        ['description', s.description]
      ];
      for (const [k, v] of facts) {
        if (v !== undefined && v !== null && v !== '') {
          lines.push(`  ${k}: ${String(v)}`);
        }
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * What is wrong with a new deployment's name (undefined when it will do): PrimeHub makes the
 * deployment's id of it (`<name>-<5 hex>`, lower case, other characters as '-'), which must start
 * with a letter or digit and stay within 63 characters.
 */
export function deploymentNameProblem(name: string): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) {
    return 'A deployment needs a name.';
  }
  const base = trimmed.replace(/[\W_]/g, '-').toLowerCase();
  if (!/^[a-z0-9]/.test(base)) {
    return 'The name must start with a letter or digit (its id is made of it).';
  }
  if (base.length > 57) {
    return `At most 57 characters (its id adds 6): ${base.length} now.`;
  }
  return undefined;
}

/** The name a new deployment of a model URI is offered: the model's name, or the folder's. */
export function suggestedDeploymentName(modelUri: string): string {
  const registered = parseModelUri(modelUri);
  const raw = registered?.name ?? modelUri.replace(/\/+$/, '').split('/').pop() ?? '';
  const name = raw.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return deploymentNameProblem(name) ? 'model' : name;
}

/** The Deployments view's message: a failed refresh, with the deployments as last seen (none while they list). */
export function deploymentsViewMessage(
  m: Pick<DeploymentsModel, 'error' | 'deployments' | 'failedAt'>
): string | undefined {
  if (m.error === undefined || m.deployments.length === 0 || !m.failedAt) {
    return undefined;
  }
  return `${describeError('Refreshing the deployments', m.error).message} Deployments as last seen at ${clock(m.failedAt)}.`;
}

/** The Deployments view's description: how many of the group's deployments are deployed. */
export function deploymentsViewDescription(m: Pick<DeploymentsModel, 'deployments'>): string | undefined {
  const n = m.deployments.length;
  return n > 0 ? `${m.deployments.filter(d => d.status === 'Deployed').length} of ${n} deployed` : undefined;
}
