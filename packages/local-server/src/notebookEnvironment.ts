import type { DataDir } from './DataDir';

/** The group a notebook server runs for, as the SDK config names it. */
export interface NotebookGroup {
  id: string;
  name: string;
}

/**
 * The environment a PrimeHub spawner gives a user's notebook server (`GROUP_*`, `PRIMEHUB_*`, …), for a
 * notebook server running on this machine beside PrimeHub Local: the group volume and PHFS are the data
 * directory's own folders. `npm start` gives it to its JupyterLab.
 */
export function notebookEnvironment(
  dirs: DataDir,
  user: string,
  group: NotebookGroup,
  spec: { instanceType?: string; image?: string } = {}
): Record<string, string> {
  return {
    GROUP_ID: group.id,
    GROUP_NAME: group.name,
    INSTANCE_TYPE: spec.instanceType ?? 'cpu-1',
    IMAGE_NAME: spec.image ?? 'base-notebook',
    JUPYTERHUB_USER: user,
    PRIMEHUB_USER: user,
    PRIMEHUB_GROUP: group.name,
    PRIMEHUB_GROUP_VOLUME_PATH: dirs.groupVolume(group.name),
    PRIMEHUB_PHFS_PATH: dirs.groupPhfs(group.name)
  };
}
