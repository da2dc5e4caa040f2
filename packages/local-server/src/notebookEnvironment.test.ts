import { DataDir } from './DataDir';
import { notebookEnvironment } from './notebookEnvironment';

describe('notebookEnvironment', () => {
  test("a PrimeHub spawner's variables, with the group volume and PHFS of the data directory", () => {
    const dirs = new DataDir('/data');
    expect(notebookEnvironment(dirs, 'phuser', { id: 'g-1', name: 'Team_A' })).toEqual({
      GROUP_ID: 'g-1',
      GROUP_NAME: 'Team_A',
      INSTANCE_TYPE: 'cpu-1',
      IMAGE_NAME: 'base-notebook',
      JUPYTERHUB_USER: 'phuser',
      PRIMEHUB_USER: 'phuser',
      PRIMEHUB_GROUP: 'Team_A',
      PRIMEHUB_GROUP_VOLUME_PATH: '/data/volumes/Team_A',
      // PHFS is keyed by PrimeHub's storage path of the group.
      PRIMEHUB_PHFS_PATH: '/data/phfs/groups/team-a'
    });
    expect(
      notebookEnvironment(dirs, 'u', { id: 'g', name: 'g' }, { instanceType: 'cpu-2', image: 'tf-2' })
    ).toMatchObject({ INSTANCE_TYPE: 'cpu-2', IMAGE_NAME: 'tf-2' });
  });
});
