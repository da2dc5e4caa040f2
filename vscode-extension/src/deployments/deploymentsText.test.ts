import type { DeploymentDetail } from '@primehub-suite/client';
import {
  deploymentContextValue,
  deploymentNameProblem,
  deploymentsViewDescription,
  deploymentsViewMessage,
  historyText,
  newerVersion,
  parseModelUri,
  replicasText,
  statusIcon,
  suggestedDeploymentName
} from './deploymentsText';

const d = (over: Partial<DeploymentDetail>): DeploymentDetail =>
  ({
    id: 'iris-1a2b3',
    name: 'iris',
    status: 'Deployed',
    stop: false,
    replicas: 2,
    availableReplicas: 1,
    endpointAccessType: 'public',
    modelURI: 'models:/iris/1',
    ...over
  }) as DeploymentDetail;

describe('deployment texts', () => {
  it('reads models:/ URIs', () => {
    expect(parseModelUri('models:/iris/2')).toEqual({ name: 'iris', version: '2' });
    expect(parseModelUri('models:/my%20model/10/')).toEqual({ name: 'my model', version: '10' });
    expect(parseModelUri('phfs:///jobArtifacts/j/model/')).toBeUndefined();
    expect(parseModelUri(null)).toBeUndefined();
  });

  it('offers a newer version of the served model only when there is one', () => {
    const latest = (n: string) => (n === 'iris' ? '3' : undefined);
    expect(newerVersion(d({}), latest)).toEqual({ name: 'iris', version: '3' });
    expect(newerVersion(d({ modelURI: 'models:/iris/3' }), latest)).toBeUndefined();
    expect(newerVersion(d({ modelURI: 'phfs:///m/' }), latest)).toBeUndefined();
    expect(deploymentContextValue(d({}), latest)).toBe('deployment.started.public.newer');
    expect(
      deploymentContextValue(d({ stop: true, status: 'Stopped', endpointAccessType: 'private' }), () => undefined)
    ).toBe('deployment.stopped.private');
  });

  it('spins while a deployment changes, and counts replicas a stopped one does not want', () => {
    expect(statusIcon('Deploying').id).toBe('loading~spin');
    expect(statusIcon('Stopping').id).toBe('loading~spin');
    expect(statusIcon('Deployed')).toEqual({ id: 'pass', color: 'testing.iconPassed' });
    expect(statusIcon('Failed').id).toBe('error');
    expect(replicasText(d({}))).toBe('1/2');
    expect(replicasText(d({ stop: true, status: 'Stopped', availableReplicas: 0 }))).toBe('0/0');
  });

  it('checks a new name as PrimeHub makes the id of it', () => {
    expect(deploymentNameProblem('iris')).toBeUndefined();
    expect(deploymentNameProblem('Iris classifier')).toBeUndefined();
    expect(deploymentNameProblem('  ')).toBe('A deployment needs a name.');
    expect(deploymentNameProblem('_iris')).toMatch(/start with a letter or digit/);
    expect(deploymentNameProblem('a'.repeat(58))).toMatch(/At most 57/);
    expect(suggestedDeploymentName('models:/iris/1')).toBe('iris');
    expect(suggestedDeploymentName('phfs:///jobArtifacts/job-1/model/')).toBe('model');
    expect(suggestedDeploymentName('phfs:///jobArtifacts/job-1/')).toBe('job-1');
  });

  it('writes the history newest first', () => {
    const text = historyText(d({}), [
      {
        time: '2026-01-02T03:04:05Z',
        deployment: {
          id: 'iris-1a2b3',
          name: 'iris',
          status: 'Deployed',
          stop: false,
          modelImage: 'seldonio/mlflowserver:1.17.1',
          replicas: 1,
          endpointAccessType: 'public',
          endpointClients: [],
          imagePullSecret: null,
          description: null,
          endpoint: null
        }
      }
    ]);
    expect(text).toContain('History of deployment iris (iris-1a2b3)');
    expect(text).toContain('  model image: seldonio/mlflowserver:1.17.1');
    expect(text).toContain('  replicas: 1');
    expect(historyText(d({}), [])).toContain('No changes recorded.');
  });
});

describe("the Deployments view's texts", () => {
  it('counts the deployed ones; none listed says nothing', () => {
    expect(deploymentsViewDescription({ deployments: [d({}), d({ id: 'b', status: 'Stopped' })] })).toBe(
      '1 of 2 deployed'
    );
    expect(deploymentsViewDescription({ deployments: [] })).toBeUndefined();
  });

  it('says a failed refresh with the deployments as last seen, and nothing before any was listed', () => {
    const failedAt = new Date(2026, 0, 2, 9, 5);
    const message = deploymentsViewMessage({ deployments: [d({})], error: new Error('socket hang up'), failedAt });
    expect(message).toMatch(/socket hang up/);
    expect(message).toMatch(
      /^Refreshing the deployments failed: socket hang up\. Deployments as last seen at 0?9:05( AM)?\.$/
    );
    expect(deploymentsViewMessage({ deployments: [], error: new Error('x'), failedAt })).toBeUndefined();
    expect(deploymentsViewMessage({ deployments: [d({})], error: undefined, failedAt: undefined })).toBeUndefined();
  });
});
