import { deploymentNameProblem, modelUriProblem, nameFromUri } from './DeployModel';

it('a deployment name PrimeHub can make an id from, or what to change', () => {
  expect(deploymentNameProblem('iris')).toBe('');
  expect(deploymentNameProblem('Iris prod 2')).toBe('');
  expect(deploymentNameProblem('  ')).toBe('Give the deployment a name.');
  expect(deploymentNameProblem('-iris')).toBe('Start the name with a letter or a digit.');
  expect(deploymentNameProblem('a'.repeat(58))).toBe('Use at most 57 characters.');
});

it('the name a URI suggests: the registered model, or the folder', () => {
  expect(nameFromUri('models:/iris/3')).toBe('iris');
  expect(nameFromUri('models:/My%20Model/1')).toBe('my-model');
  expect(nameFromUri('phfs:///jobArtifacts/job-1/model/')).toBe('model');
  expect(nameFromUri('phfs:///models/Iris_v2')).toBe('iris-v2');
});

it('a model URI as typed: a registered version or a PHFS folder, with the slip named', () => {
  expect(modelUriProblem('models:/iris/3')).toBe('');
  expect(modelUriProblem('phfs:///models/iris')).toBe('');
  expect(modelUriProblem('')).toBe('Give the model URI: models:/<name>/<version> or phfs:///<folder>.');
  expect(modelUriProblem('phfs://models/iris')).toBe('A PHFS URI has three slashes: phfs:///<folder>.');
  expect(modelUriProblem('models:/iris')).toBe('A registered model is models:/<name>/<version>.');
  // PrimeHub itself says what it cannot reach (gs://, s3:// on PrimeHub Local)
  expect(modelUriProblem('gs://seldon-models/sklearn/iris')).toBe('');
});
