import { MemoryStore } from '../testing/fakes';
import { SavedRequests } from './SavedRequests';

describe('SavedRequests', () => {
  it('keeps named requests per deployment, newest first, replacing one of the same name', async () => {
    const store = new MemoryStore();
    const saved = new SavedRequests(store);
    await saved.save('p/g/a', 'setosa', { form: 'ndarray', text: '[[5.1,3.5,1.4,0.2]]' });
    await saved.save('p/g/a', 'virginica', { form: 'ndarray', text: '[[6.7,3,5.2,2.3]]' });
    await saved.save('p/g/a', 'setosa', { form: 'tensor', text: '[[5.1,3.5,1.4,0.2]]', names: 'a' });
    await saved.save('p/g/b', 'other', { form: 'strData', text: 'hi' });
    expect(saved.list('p/g/a').map(r => r.name)).toEqual(['setosa', 'virginica']);
    expect(saved.get('p/g/a', 'setosa')?.draft).toEqual({ form: 'tensor', text: '[[5.1,3.5,1.4,0.2]]', names: 'a' });
    await saved.delete('p/g/a', 'setosa');
    expect(saved.list('p/g/a').map(r => r.name)).toEqual(['virginica']);
    expect(saved.list('p/g/b').map(r => r.name)).toEqual(['other']);
    await expect(saved.save('p/g/a', ' ', { form: 'strData', text: '' })).rejects.toThrow('needs a name');
  });

  it('remembers the last request sent, and forgets a deleted deployment', async () => {
    const saved = new SavedRequests(new MemoryStore());
    await saved.setLast('k', { form: 'binData', text: '', fileName: 'cat.png' });
    expect(saved.last('k')).toEqual({ form: 'binData', text: '', fileName: 'cat.png' });
    await saved.forget('k');
    expect(saved.last('k')).toBeUndefined();
  });

  it('drops what another version wrote that it cannot read', () => {
    const store = new MemoryStore();
    store.data.set('primehub.deployments.savedRequests', {
      k: {
        saved: [
          { name: 'ok', draft: { form: 'strData', text: 'x' } },
          { name: 'bad', draft: { form: 'xml' } }
        ],
        last: 3
      }
    });
    const saved = new SavedRequests(store);
    expect(saved.list('k').map(r => r.name)).toEqual(['ok']);
    expect(saved.last('k')).toBeUndefined();
  });
});
