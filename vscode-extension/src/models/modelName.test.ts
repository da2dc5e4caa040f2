import type { Model } from '@primehub-suite/client';
import { latestVersion, MODEL_NAME_PATTERN, modelNameProblem, registerActionText } from './modelName';

function model(name: string, versions: string[]): Model {
  return {
    name,
    creationTimestamp: null,
    lastUpdatedTimestamp: null,
    description: null,
    latestVersions: versions.map(version => ({ name, version }))
  };
}

describe('model names', () => {
  it.each(['iris', 'Iris-2', 'a', 'my_model.v1', '0day', 'x'.repeat(256)])('accepts %s', name => {
    expect(modelNameProblem(name)).toBeUndefined();
    expect(MODEL_NAME_PATTERN.test(name)).toBe(true);
  });

  it.each([
    ['my model', /cannot hold a space/],
    ['modèle', /"è"/],
    ['team/iris', /a slash/],
    ['-iris', /starts with a letter or a digit/],
    ['.hidden', /starts with a letter or a digit/],
    ['', /needs a name/],
    ['x'.repeat(257), /at most 256/]
  ])('flags %j as it is typed', (name, problem) => {
    expect(modelNameProblem(name)).toMatch(problem);
    expect(MODEL_NAME_PATTERN.test(name)).toBe(false);
  });
});

describe('what registering does', () => {
  const models = [model('iris', ['2', '1']), model('empty', []), model('staged', ['4', '7'])];

  it('says "Creates model" for a new name and "Adds version N" for an existing one', () => {
    expect(registerActionText('wine', models)).toBe('Creates model wine');
    expect(registerActionText('iris', models)).toBe('Adds version 3 to iris');
    // latest versions are per stage: the newest of them is the model's newest
    expect(registerActionText('staged', models)).toBe('Adds version 8 to staged');
    expect(registerActionText('empty', models)).toBe('Adds a version to empty');
  });

  it('reads the newest version of a listed model', () => {
    expect(latestVersion(models[0])).toBe(2);
    expect(latestVersion(models[1])).toBeUndefined();
  });
});
