import type { IdentityStore } from './db/IdentityStore';

/** The default organisation created on first start. */
export const DEFAULT_USER = 'phuser';
export const DEFAULT_ADMIN = 'phadmin';
export const DEFAULT_GROUP = 'phusers';

/** Seeds users, group, instance types and images into an empty database. */
export function seedDefaults(identity: IdentityStore): void {
  identity.addGroup({ name: DEFAULT_GROUP, displayName: 'PrimeHub Users' });
  identity.addUser(DEFAULT_USER, [DEFAULT_GROUP]);
  identity.addUser(DEFAULT_ADMIN, [DEFAULT_GROUP], true);
  identity.addInstanceType({
    name: 'cpu-1',
    display_name: 'CPU 1',
    description: '1 CPU / 1 GB',
    cpu_limit: 1,
    memory_limit: 1,
    gpu_limit: 0
  });
  identity.addInstanceType({
    name: 'cpu-2',
    display_name: 'CPU 2',
    description: '2 CPU / 2 GB',
    cpu_limit: 2,
    memory_limit: 2,
    gpu_limit: 0
  });
  identity.addInstanceType({
    name: 'gpu-1',
    display_name: 'GPU 1',
    description: '1 CPU / 2 GB / 1 GPU (not schedulable on PrimeHub Local)',
    cpu_limit: 1,
    memory_limit: 2,
    gpu_limit: 1
  });
  identity.addImage({
    name: 'base-notebook',
    display_name: 'base-notebook',
    description: 'Jupyter base notebook',
    type: 'both',
    url: 'infuseai/docker-stacks:base-notebook'
  });
  identity.addImage({
    name: 'pytorch-1',
    display_name: 'PyTorch 1',
    description: 'PyTorch',
    type: 'both',
    url: 'infuseai/docker-stacks:pytorch-notebook'
  });
  identity.addImage({
    name: 'tf-2',
    display_name: 'TensorFlow 2',
    description: 'TensorFlow 2',
    type: 'both',
    url: 'infuseai/docker-stacks:tensorflow-notebook'
  });
}
