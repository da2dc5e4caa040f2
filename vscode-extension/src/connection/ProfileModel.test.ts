import { MemoryStore } from '../testing/fakes';
import { ProfileModel } from './ProfileModel';

describe('ProfileModel', () => {
  it('adds, replaces, activates and removes profiles', async () => {
    const model = new ProfileModel(new MemoryStore());
    let changes = 0;
    model.onDidChange(() => changes++);
    await model.upsert({ id: 'a', label: 'PrimeHub Local', endpoint: 'http://127.0.0.1:5000/api/graphql' });
    await model.upsert({ id: 'b', label: 'cluster', endpoint: 'https://hub.example.com/api/graphql', group: 'ml' });
    await model.setActive('b');
    expect(model.active?.label).toBe('cluster');
    await model.update('b', { group: 'research' });
    expect(model.get('b')?.group).toBe('research');
    expect(model.profiles).toHaveLength(2);
    await model.remove('b');
    expect(model.active).toBeUndefined();
    expect(model.profiles.map(p => p.id)).toEqual(['a']);
    expect(changes).toBe(5);
  });

  it('makes labels unique', async () => {
    const model = new ProfileModel(new MemoryStore());
    await model.upsert({ id: 'a', label: 'PrimeHub Local', endpoint: 'http://x/api/graphql' });
    expect(model.uniqueLabel('PrimeHub Local')).toBe('PrimeHub Local (2)');
    expect(model.uniqueLabel('PrimeHub Local', 'a')).toBe('PrimeHub Local');
  });

  it('ignores an active id whose profile is gone', async () => {
    const store = new MemoryStore();
    await store.update('primehub.activeProfile', 'ghost');
    expect(new ProfileModel(store).active).toBeUndefined();
  });
});
