import type { GroupRow } from '../db/IdentityStore';
import { mlflowEnvironment, requireGroupMlflow, type LocalMlflow } from '../mlflow/groupMlflow';
import type { MlflowHttp } from '../mlflow/MlflowHttp';
import { MlflowRest } from '../mlflow/MlflowRest';

interface VersionInfo {
  version: string;
}

/**
 * `models:/<name>/<ref>` in the group's MLflow (its own settings, else PrimeHub Local's), pinned to one version (a number, a stage such as
 * `Production`, or `latest`), with the variables its replicas download it with (the group's
 * tracking URI and credentials). Rejects with MLflow's own error, prefixed with the URI.
 */
export async function resolveRegistryModel(
  group: GroupRow,
  local: LocalMlflow | undefined,
  http: MlflowHttp,
  name: string,
  ref: string
): Promise<{ uri: string; env: Record<string, string> }> {
  const uri = `models:/${name}/${ref}`;
  try {
    const setting = requireGroupMlflow(group, local);
    const rest = new MlflowRest(setting, http);
    let version: string | undefined;
    if (/^\d+$/.test(ref)) {
      await rest.get('model-versions/get', { name, version: ref }, `version ${ref} of registered model "${name}"`);
      version = ref;
    } else if (ref.toLowerCase() === 'latest') {
      const found = await rest.get<{ model_versions?: VersionInfo[] }>('model-versions/search', {
        filter: `name='${name.replace(/'/g, "\\'")}'`,
        max_results: 10_000
      });
      version = (found.model_versions ?? []).map(v => v.version).sort((a, b) => Number(b) - Number(a))[0];
    } else {
      const found = await rest.post<{ model_versions?: VersionInfo[] }>('registered-models/get-latest-versions', {
        name,
        stages: [ref]
      });
      version = found.model_versions?.[0]?.version;
    }
    if (!version) {
      throw new Error(`registered model "${name}" has no version ${ref === 'latest' ? 'yet' : `in stage ${ref}`}`);
    }
    return { uri: `models:/${name}/${version}`, env: mlflowEnvironment(setting) };
  } catch (err) {
    throw new Error(`model URI ${uri}: ${(err as Error).message}`, { cause: err });
  }
}
