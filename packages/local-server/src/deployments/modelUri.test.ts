import { parseModelUri } from './modelUri';

describe('parseModelUri', () => {
  test('PHFS, the registry and the group volume, as PrimeHub reads them', () => {
    expect(parseModelUri('phfs:///models/iris/', 'phusers')).toEqual({ kind: 'phfs', path: 'models/iris' });
    expect(parseModelUri('/phfs/iris', 'phusers')).toEqual({ kind: 'phfs', path: 'iris' });
    expect(parseModelUri('models:/iris/3', 'phusers')).toEqual({ kind: 'registry', name: 'iris', ref: '3' });
    expect(parseModelUri('models:/my%20model/Production', 'g')).toEqual({
      kind: 'registry',
      name: 'my model',
      ref: 'Production'
    });
    expect(parseModelUri('/project/phusers/iris', 'phusers')).toEqual({ kind: 'volume', path: 'iris' });
  });

  test('storage PrimeHub Local cannot reach, and paths that climb out or are elsewhere, are refused with a reason', () => {
    const message = (uri: string) => {
      const parsed = parseModelUri(uri, 'phusers');
      return parsed.kind === 'unreachable' ? parsed.message : `parsed as ${parsed.kind}`;
    };
    expect(message('gs://seldon-models/sklearn/iris')).toMatch(/gs:\/\/ storage is not reachable from PrimeHub Local/);
    expect(message('s3://bucket/model')).toMatch(/s3:\/\/ storage is not reachable from PrimeHub Local/);
    expect(message('phfs://iris')).toMatch(/three slashes/);
    expect(message('phfs:///a/../../etc')).toMatch(/"\.\." is not allowed/);
    expect(message('/project/other-group/iris')).toMatch(/must be on the group volume/);
    expect(message('/project/phusers-x/iris')).toMatch(/must be on the group volume/);
    expect(message('models:/iris')).toMatch(/models:\/<name>\/<version or stage>/);
    expect(message('models:/%zz/1')).toMatch(/malformed percent-encoding/);
    expect(message('  ')).toBe('the deployment has no model URI');
  });
});
