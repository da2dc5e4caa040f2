import type { MLflowSetting, Model, ModelVersion } from '../types';
import { defineOperation } from './defineOperation';

// Texts follow the official SDK primehub/models.py, fragments included in each document.
const MLFLOW_SETTING_INFO = 'fragment MLflowSettingInfo on MLflowSetting { trackingUri uiUrl }';
const MODEL_INFO = `fragment ModelInfo on Model { name creationTimestamp lastUpdatedTimestamp description
  latestVersions { name version } }`;
const MODEL_VERSION_INFO = `fragment ModelVersionInfo on ModelVersion { name version creationTimestamp
  lastUpdatedTimestamp deployedBy }`;
const MODEL_VERSION_INFO_WITH_SOURCE = `fragment ModelVersionInfo on ModelVersion { name version creationTimestamp
  lastUpdatedTimestamp source deployedBy }`;

export const MODELS = defineOperation<{ mlflow: MLflowSetting | null; models: Model[] | null }, { group: string }>(`
  query QueryModels($group: String!) {
    mlflow(where: { group: $group }) { ...MLflowSettingInfo }
    models(where: { group: $group }) { ...ModelInfo } }
  ${MLFLOW_SETTING_INFO} ${MODEL_INFO}
`);

/** The group's MLflow alone: it answers while MLflow itself is down. */
export const MLFLOW_SETTING = defineOperation<{ mlflow: MLflowSetting | null }, { group: string }>(`
  query QueryMLflowSetting($group: String!) { mlflow(where: { group: $group }) { ...MLflowSettingInfo } }
  ${MLFLOW_SETTING_INFO}
`);

export const MODEL = defineOperation<
  { mlflow: MLflowSetting | null; model: Model | null; modelVersions: ModelVersion[] },
  { group: string; name: string }
>(`
  query QueryModel($group: String!, $name: String!) {
    mlflow(where: { group: $group }) { ...MLflowSettingInfo }
    model(where: { group: $group, name: $name }) { ...ModelInfo }
    modelVersions(where: { group: $group, name: $name }) { ...ModelVersionInfo } }
  ${MLFLOW_SETTING_INFO} ${MODEL_INFO} ${MODEL_VERSION_INFO}
`);

export const MODEL_VERSIONS = defineOperation<{ modelVersions: ModelVersion[] }, { group: string; name: string }>(`
  query QueryModelVersions($group: String!, $name: String!) {
    modelVersions(where: { group: $group, name: $name }) { ...ModelVersionInfo } }
  ${MODEL_VERSION_INFO_WITH_SOURCE}
`);

export const MODEL_VERSION = defineOperation<
  { mlflow: MLflowSetting | null; modelVersion: ModelVersion | null },
  { group: string; name: string; version: string }
>(`
  query QueryModelVersion($group: String!, $name: String!, $version: String!) {
    mlflow(where: { group: $group }) { ...MLflowSettingInfo }
    modelVersion(where: { group: $group, name: $name, version: $version }) { ...ModelVersionInfo run } }
  ${MLFLOW_SETTING_INFO} ${MODEL_VERSION_INFO_WITH_SOURCE}
`);

export const MLFLOW_RUNS = defineOperation<
  { mlflowRuns: unknown[] | null },
  { where: { group: string; experimentName: string } }
>(`
  query MLflowRuns($where: MLflowExperimentWhereUniqueInput!) { mlflowRuns(where: $where) }
`);

export const MLFLOW_ARTIFACT = defineOperation<
  {
    mlflowArtifact: { root_uri?: string; files?: Array<{ path: string; is_dir: boolean; file_size?: number }> } | null;
  },
  { where: { group: string; runId: string; path?: string } }
>(`
  query MLflowArtifact($where: MLflowRunWhereUniqueInput!) { mlflowArtifact(where: $where) }
`);

export const MODEL_REGISTER = defineOperation<
  { registerModel: Record<string, unknown> | null },
  { where: { group: string; name: string; runId: string; path: string } }
>(`
  mutation RegisterModel($where: ModelRegisterInput!) { registerModel(where: $where) }
`);
