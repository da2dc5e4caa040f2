/**
 * `@primehub-suite/client/deployments`: what deploy forms and endpoint testers share — what a model URI
 * holds, the model server it calls for, sample requests, requests written out to copy, answers read.
 */
export {
  MLFLOW_SERVER,
  MODEL_SERVERS,
  PYTORCH_SERVER,
  SKLEARN_SERVER,
  suggestModelServer,
  TENSORFLOW2_SERVER
} from './modelServers';
export type { ModelServer, ModelServerSuggestion } from './modelServers';
export {
  artifactPathOf,
  inspectModel,
  loggedModel,
  modelHints,
  phfsPathOf,
  readMlmodel,
  registryRef,
  runModelFolders
} from './modelSource';
export type { ModelSource, RunModelFolder } from './modelSource';
export { describePredictionFailure, predictionTable } from './predictionResult';
export type { PredictionTable } from './predictionResult';
export { exampleRequest } from './requestExample';
export { curlCommand, httpFileRequest, pythonRequestsCode, requestFormOf, TOKEN_PLACEHOLDER } from './requestSnippets';
export type { EndpointRequest, RequestForm } from './requestSnippets';
export type { PredictInput, PredictionResult } from '../resources/DeploymentsApi';
