import type { DeploymentDetail } from '@primehub-suite/client';
import { DeploymentsModel } from './DeploymentsModel';

const d = (id: string, over: Partial<DeploymentDetail> = {}): DeploymentDetail =>
  ({ id, name: id, status: 'Deployed', endpointClients: [], ...over }) as unknown as DeploymentDetail;

describe('the deployments as listed', () => {
  it('keeps a deployment read on its own while a listing was read over what that listing says', () => {
    const model = new DeploymentsModel();
    model.setListing([d('iris'), d('echo')]);
    const mark = model.mark();
    // a client added (and the deployment read again) while the list is read
    model.put(d('iris', { endpointClients: [{ name: 'tester' }] } as Partial<DeploymentDetail>));
    model.setListing([d('iris'), d('echo')], new Map(), mark);
    expect(model.get('iris')?.endpointClients).toEqual([{ name: 'tester' }]);
    // a listing begun later says what is so
    model.setListing([d('iris')], new Map(), model.mark());
    expect(model.get('iris')?.endpointClients).toEqual([]);
    expect(model.get('echo')).toBeUndefined();
  });

  it('keeps a deployment removed while a listing was read removed, and one created meanwhile listed', () => {
    const model = new DeploymentsModel();
    model.setListing([d('iris'), d('echo')]);
    const mark = model.mark();
    model.remove('echo');
    model.put(d('new'));
    model.setListing([d('iris'), d('echo')], new Map(), mark);
    expect(model.deployments.map(x => x.id)).toEqual(['iris', 'new']);
  });
});
