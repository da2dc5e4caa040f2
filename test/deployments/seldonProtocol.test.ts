/**
 * Seldon v1 REST through PrimeHub's prediction endpoint, against real model servers: every input form
 * (ndarray, tensor, strData, jsonData, multipart binData and strData, the `json` form field) and the error
 * bodies seldon-core answers (MICROSERVICE_BAD_DATA, MICROSERVICE_INTERNAL_ERROR); then parity with the real
 * seldon-core 1.17.1 microservice (`.venv-seldon-core`, made by the test bootstrap) serving the same models:
 * the same status and body for every request.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalServerProcess } from '../kit/localServer';
import {
  answerOf,
  classes,
  Deployments,
  freePort,
  IRIS_ROWS,
  MLFLOW_IMAGE,
  requirePython,
  SeldonMicroservice,
  SKLEARN_IMAGE,
  trainModels
} from './support';

/** seldon-core's error body. */
const seldonError = (info: string, reason = 'MICROSERVICE_BAD_DATA') => ({
  status: { status: 1, info, code: -1, reason }
});
/** SKLEARN_SERVER's answer to input its model cannot take (the model's error is in the log only). */
const UNKNOWN_PAYLOAD = seldonError('Unknown data type returned as payload (must be list or np array):None');

/** 256 bytes, every value once. */
const BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

/** A multipart body of `fields`: a Uint8Array is a file, a string a text field. */
function multipart(fields: Record<string, Uint8Array | string>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') {
      form.append(name, value);
    } else {
      form.append(name, new Blob([Buffer.from(value)]), `${name}.bin`);
    }
  }
  return form;
}

const json = (body: unknown): RequestInit => ({
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body)
});

/** A request in every form the microservice reads, right or wrong; `path` after the deployment's prefix. */
interface Case {
  name: string;
  init: () => RequestInit;
  path?: string;
}

const IRIS_MESSAGE = { data: { ndarray: [IRIS_ROWS[0]] } };
const CASES: Case[] = [
  { name: 'ndarray', init: () => json({ data: { ndarray: IRIS_ROWS } }) },
  {
    name: 'ndarray with names, puid and tags',
    init: () =>
      json({
        data: { names: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], ndarray: IRIS_ROWS },
        meta: { puid: 'puid-1', tags: { source: 'test' } }
      })
  },
  { name: 'tensor', init: () => json({ data: { tensor: { shape: [3, 4], values: IRIS_ROWS.flat() } } }) },
  { name: 'jsonData list', init: () => json({ jsonData: IRIS_ROWS }) },
  { name: 'jsonData object', init: () => json({ jsonData: { b: 1, a: [2] } }) },
  { name: 'strData', init: () => json({ strData: 'hello seldon' }) },
  { name: 'binData in JSON (base64)', init: () => json({ binData: Buffer.from(BYTES).toString('base64') }) },
  { name: 'multipart binData file', init: () => ({ body: multipart({ binData: BYTES }) }) },
  { name: 'multipart strData field', init: () => ({ body: multipart({ strData: 'hello form' }) }) },
  {
    name: 'multipart strData file',
    init: () => ({ body: multipart({ strData: new TextEncoder().encode('hi file') }) })
  },
  {
    name: 'the json form field',
    init: () => ({ body: new URLSearchParams({ json: JSON.stringify(IRIS_MESSAGE) }) })
  },
  {
    name: 'GET /predict?json=',
    init: () => ({ method: 'GET' }),
    path: `predict?json=${encodeURIComponent(JSON.stringify(IRIS_MESSAGE))}`
  },
  { name: 'a wrong shape', init: () => json({ data: { ndarray: [[1, 2, 3]] } }) },
  {
    name: 'a tensor whose values do not fill its shape',
    init: () => json({ data: { tensor: { shape: [1, 4], values: [1, 2] } } })
  },
  { name: 'no data in data', init: () => json({ data: {} }) },
  { name: 'malformed JSON', init: () => json('{"data": {"ndarray": [[1, 2') },
  { name: 'an empty body', init: () => json('') },
  {
    name: 'JSON not declared JSON',
    init: () => ({ headers: { 'content-type': 'text/plain' }, body: '{"strData": "x"}' })
  },
  { name: 'an unknown field', init: () => json({ foo: 1 }) },
  { name: 'a JSON list', init: () => json([1, 2]) }
];

/** Whether two JSON values are equal, numbers within 1e-9 relative (two numpy builds round the last bit differently). */
function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return (
      sameJson(ka, kb) && ka.every(k => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

describe('Seldon v1 REST through the prediction endpoint', () => {
  let server: LocalServerProcess;
  let deployments: Deployments;
  let irisDir: string;
  let echoDir: string;
  const seldon: Record<string, SeldonMicroservice> = {};

  beforeAll(async () => {
    requirePython();
    server = await LocalServerProcess.start();
    deployments = new Deployments(server);
    irisDir = join(server.dataDir, 'volumes', server.groupName, 'iris');
    echoDir = join(server.dataDir, 'phfs', 'groups', server.groupName, 'echo');
    mkdirSync(irisDir, { recursive: true });
    mkdirSync(join(echoDir, '..'), { recursive: true });
    trainModels({ iris: irisDir, echo: echoDir });
    await deployments.createOk({ id: 'iris', modelURI: `/project/${server.groupName}/iris` });
    await deployments.createOk({ id: 'echo', modelURI: 'phfs:///echo', modelImage: MLFLOW_IMAGE });
  });

  afterAll(async () => {
    await Promise.all(Object.values(seldon).map(s => s.stop()));
    await server?.dispose();
  });

  test("the iris model: jsonData in gives a tensor; strData, binData, a wrong shape and malformed JSON get seldon-core's errors", async () => {
    await deployments.waitStatus('iris', 'Deployed');
    const requestPath = { model: SKLEARN_IMAGE };

    const fromJson = await answerOf(await deployments.send('iris', json({ jsonData: IRIS_ROWS })));
    expect(fromJson.status).toBe(200);
    const data = (fromJson.body as any).data;
    expect(data.names).toEqual(['t:0', 't:1', 't:2']);
    expect(data.tensor.shape).toEqual([3, 3]);
    const values = data.tensor.values as number[];
    expect(classes([values.slice(0, 3), values.slice(3, 6), values.slice(6)])).toEqual([0, 1, 2]);
    expect((fromJson.body as any).meta).toEqual({ requestPath });

    const expectations: [string, RequestInit, number, unknown][] = [
      ['strData', json({ strData: '5.1,3.5,1.4,0.2' }), 400, UNKNOWN_PAYLOAD],
      ['multipart binData', { body: multipart({ binData: BYTES }) }, 400, UNKNOWN_PAYLOAD],
      ['a wrong shape', json({ data: { ndarray: [[1, 2, 3]] } }), 400, UNKNOWN_PAYLOAD],
      ['malformed JSON', json('{"data": {"ndarray": [[1, 2'), 400, seldonError("Can't find JSON in data")],
      ['an unknown field', json({ foo: 1 }), 400, seldonError("Invalid request data type: {'foo': 1}")],
      [
        'a tensor short of its shape',
        json({ data: { tensor: { shape: [1, 4], values: [1, 2] } } }),
        500,
        seldonError('cannot reshape array of size 2 into shape (1,4)', 'MICROSERVICE_INTERNAL_ERROR')
      ]
    ];
    for (const [what, init, status, body] of expectations) {
      const answer = await answerOf(await deployments.send('iris', init));
      expect({ what, ...answer }).toEqual({ what, status, body });
    }
  });

  test('an MLflow pyfunc model takes strData, jsonData and multipart binData and strData', async () => {
    await deployments.waitStatus('echo', 'Deployed');
    const meta = { requestPath: { model: MLFLOW_IMAGE } };
    const sha256 = createHash('sha256').update(BYTES).digest('hex');
    const expectations: [string, RequestInit, unknown][] = [
      ['strData', json({ strData: 'hello seldon' }), { strData: 'HELLO SELDON', meta }],
      [
        'jsonData',
        json({ jsonData: { b: 1, a: [2] }, meta: { puid: 'p-7' } }),
        { jsonData: { keys: ['a', 'b'] }, meta: { ...meta, puid: 'p-7' } }
      ],
      ['multipart binData', { body: multipart({ binData: BYTES }) }, { jsonData: { bytes: 256, sha256 }, meta }],
      ['multipart strData', { body: multipart({ strData: 'from a form' }) }, { strData: 'FROM A FORM', meta }],
      [
        'tensor',
        json({ data: { tensor: { shape: [2, 2], values: [1, 2, 3, 4] } } }),
        { data: { names: ['t:0', 't:1'], tensor: { shape: [2, 2], values: [2, 4, 6, 8] } }, meta }
      ],
      ['ndarray', json({ data: { ndarray: [[1, 2]] } }), { data: { names: ['t:0', 't:1'], ndarray: [[2, 4]] }, meta }]
    ];
    for (const [what, init, body] of expectations) {
      const answer = await answerOf(await deployments.send('echo', init));
      expect({ what, ...answer }).toEqual({ what, status: 200, body });
    }
  });

  test('parity: seldon-core 1.17.1 serving the same models answers every request with the same status and body', async () => {
    const ports = async (): Promise<[number, number, number]> => [await freePort(), await freePort(), await freePort()];
    const [irisPorts, echoPorts] = [await ports(), await ports()];
    // as Seldon's operator names the model container, so both put the same meta.requestPath in
    [seldon.iris, seldon.echo] = await Promise.all([
      SeldonMicroservice.start('SKLearnServer', irisPorts, {
        PREDICTIVE_UNIT_PARAMETERS: JSON.stringify([{ name: 'model_uri', value: irisDir, type: 'STRING' }]),
        PREDICTIVE_UNIT_ID: 'model',
        PREDICTIVE_UNIT_IMAGE: SKLEARN_IMAGE
      }),
      SeldonMicroservice.start('EchoServer', echoPorts, {
        PREDICTIVE_UNIT_ID: 'model',
        PREDICTIVE_UNIT_IMAGE: MLFLOW_IMAGE
      })
    ]);
    await deployments.waitStatus('iris', 'Deployed');
    await deployments.waitStatus('echo', 'Deployed');
    const differences: string[] = [];
    let compared = 0;
    for (const id of ['iris', 'echo']) {
      for (const c of CASES) {
        const expected = await answerOf(await seldon[id].send(c.init(), c.path));
        const actual = await answerOf(await deployments.send(id, c.init(), c.path));
        compared++;
        if (expected.status !== actual.status || !sameJson(expected.body, actual.body)) {
          differences.push(
            `${id}, ${c.name}:\n  seldon-core ${JSON.stringify(expected)}\n  PrimeHub Local ${JSON.stringify(actual)}`
          );
        }
      }
      for (const path of ['health/ping', 'health/status']) {
        const expected = await answerOf(await seldon[id].send({ method: 'GET' }, path));
        const actual = await answerOf(await deployments.send(id, { method: 'GET' }, path));
        compared++;
        if (expected.status !== actual.status || !sameJson(expected.body, actual.body)) {
          differences.push(
            `${id}, GET ${path}:\n  seldon-core ${JSON.stringify(expected)}\n  PrimeHub Local ${JSON.stringify(actual)}`
          );
        }
      }
    }
    expect(differences).toEqual([]);
    expect(compared).toBe(2 * (CASES.length + 2));
  });
});
