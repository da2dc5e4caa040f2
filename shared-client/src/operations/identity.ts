import type { GroupRef, GroupWithQuota, Image, InstanceType, License, User, Volume } from '../types';
import { defineOperation } from './defineOperation';

// Texts follow the official SDK (primehub/me.py, config.py, groups.py, instancetypes.py,
// images.py, volumes.py) with an operation name added.

/** `me` (sdk me.py). */
export const ME = defineOperation<{ me: User | null }>(`
  query Me { me { id username firstName lastName email isAdmin } }
`);

/** Group name → id resolution (sdk config.py `_fetch_group_info`). */
export const EFFECTIVE_GROUPS = defineOperation<{ me: { effectiveGroups: GroupRef[] | null } | null }>(`
  query EffectiveGroups { me { effectiveGroups { id name displayName } } }
`);

/** Groups with user and group quotas (sdk groups.py list). */
export const GROUPS = defineOperation<{ me: { effectiveGroups: GroupWithQuota[] | null } | null }>(`
  query Groups { me { effectiveGroups { id name displayName
    quotaCpu quotaGpu quotaMemory
    projectQuotaCpu projectQuotaGpu projectQuotaMemory } } }
`);

/** Instance types of every effective group (sdk instancetypes.py; filtered client-side). */
export const INSTANCE_TYPES = defineOperation<{
  me: { effectiveGroups: Array<{ name: string; instanceTypes: InstanceType[] | null }> | null } | null;
}>(`
  query InstanceTypes { me { effectiveGroups { name instanceTypes { name displayName description
    cpuRequest cpuLimit memoryRequest memoryLimit gpuLimit global } } } }
`);

/** Images of every effective group (sdk images.py). */
export const IMAGES = defineOperation<{
  me: { effectiveGroups: Array<{ name: string; images: Image[] | null }> | null } | null;
}>(`
  query Images { me { effectiveGroups { name images { id name displayName description useImagePullSecret spec } } } }
`);

/** Volumes (legacy datasets) of every effective group (sdk volumes.py). */
export const VOLUMES = defineOperation<{
  me: { effectiveGroups: Array<{ name: string; datasets: Volume[] | null }> | null } | null;
}>(`
  query Volumes { me { effectiveGroups { name datasets { id name displayName description type } } } }
`);

/** EE probe: fails validation (HTTP 400) on a CE server. */
export const LICENSE = defineOperation<{ license: License | null }>(`
  query License { license { licensedTo licenseStatus startedAt expiredAt maxUser maxGroup maxNode maxModelDeploy
    usage { maxUser maxGroup maxNode maxModelDeploy } } }
`);
