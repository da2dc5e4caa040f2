import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { predictionBody, type PredictInput } from '../resources/DeploymentsApi';
import { readBody, startServer, type TestServer } from '../testing/httpServer';
import { requires, venvPython } from '../testing/paths';
import { curlCommand, httpFileRequest, pythonRequestsCode, requestFormOf, TOKEN_PLACEHOLDER } from './requestSnippets';

// asynchronous: the server answering the snippets runs in this process
const run = async (file: string, args: string[]): Promise<string> =>
  (await promisify(execFile)(file, args, { cwd: dir, encoding: 'utf8' })).stdout;

const HOSTILE = `it's "quoted" $(touch /tmp/pwned) \`id\` \${HOME}\nline2 héllo 日本語 🚀 \\ \u2028`;

const INPUTS: Array<[string, PredictInput]> = [
  ['ndarray', { ndarray: [[5.1, 3.5, 1.4, 0.2]], names: ['sepal length (cm)', HOSTILE] }],
  ['tensor', { tensor: { shape: [1, 4], values: [5.1, 3.5, 1.4, 0.2] } }],
  ['strData', { strData: HOSTILE }],
  ['jsonData', { jsonData: { text: HOSTILE, n: null, ok: true, no: false, list: [1.5, -2e-7] } }]
];

let server: TestServer;
let seen: { headers: IncomingHttpHeaders; body: Buffer; url: string }[];
let dir: string;

beforeAll(async () => {
  server = await startServer(async (req, res) => {
    seen.push({ headers: req.headers, body: await readBody(req), url: req.url ?? '' });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"data":{"names":["t:0"],"ndarray":[[1]]}}');
  });
  dir = mkdtempSync(join(tmpdir(), 'snippets-'));
});

beforeEach(() => {
  seen = [];
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const endpoint = () => `${server.url}/deployment/iris-ab12c/api/v1.0/predictions`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('requestFormOf', () => {
  it('names each Seldon form', () => {
    expect(INPUTS.map(([, input]) => requestFormOf(input))).toEqual(['ndarray', 'tensor', 'strData', 'jsonData']);
    expect(requestFormOf({ binData: new Uint8Array(1) })).toBe('binData');
    expect(requestFormOf({ json: {} })).toBe('jsonData');
  });
});

describe('curlCommand, run by a real shell and curl', () => {
  it.each(INPUTS)('sends the %s body exactly, whatever text it holds', async (_form, input) => {
    const cmd = curlCommand({
      endpoint: endpoint(),
      input,
      auth: { username: `client ${HOSTILE}`, password: HOSTILE }
    });
    await run('bash', ['-c', `${cmd} --silent --show-error --fail`]);
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]!.body.toString('utf8'))).toEqual(predictionBody(input));
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(seen[0]!.headers.authorization).toBe(basic(`client ${HOSTILE}`, HOSTILE));
    expect(existsSync('/tmp/pwned')).toBe(false);
  });

  it('uploads binData as the multipart file field the Seldon microservice reads', async () => {
    writeFileSync(join(dir, 'cat.png'), Buffer.from([0, 255, 1, 2]));
    await run('bash', [
      '-c',
      `${curlCommand({ endpoint: endpoint(), input: { binData: new Uint8Array(), filename: 'cat.png' } })} -sSf`
    ]);
    expect(seen[0]!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const text = seen[0]!.body.toString('latin1');
    expect(text).toContain('name="binData"; filename="cat.png"');
    expect(seen[0]!.body.includes(Buffer.from([0, 255, 1, 2]))).toBe(true);
    expect(seen[0]!.headers.authorization).toBeUndefined();
  });

  it('writes a placeholder for a token the user has not given', () => {
    const cmd = curlCommand({ endpoint: endpoint(), input: { strData: 'x' }, auth: { username: 'client1' } });
    expect(cmd).toContain(`-u 'client1:${TOKEN_PLACEHOLDER}'`);
  });
});

describe('pythonRequestsCode, run by the real Python and requests', () => {
  const python = venvPython();

  it.each(INPUTS)('sends the %s body exactly', async (_form, input) => {
    requires(existsSync(python), `the project's virtualenv (${python})`);
    // requests sends Basic credentials in latin-1, so the token here is hostile ASCII (client tokens are ASCII)
    const password = `it's "q" \\ $(touch /tmp/pwned) \``;
    const code = pythonRequestsCode({ endpoint: endpoint(), input, auth: { username: 'client1', password } });
    const out = await run(python, ['-c', code]);
    expect(out.trim()).toBe("{'data': {'names': ['t:0'], 'ndarray': [[1]]}}");
    expect(JSON.parse(seen[0]!.body.toString('utf8'))).toEqual(predictionBody(input));
    expect(seen[0]!.headers.authorization).toBe(basic('client1', password));
  });

  it('uploads binData from the named file', async () => {
    requires(existsSync(python), `the project's virtualenv (${python})`);
    writeFileSync(join(dir, 'digit.bin'), Buffer.from([9, 8, 7]));
    const code = pythonRequestsCode({
      endpoint: endpoint(),
      input: { binData: new Uint8Array(), filename: 'digit.bin' }
    });
    await run(python, ['-c', code]);
    expect(seen[0]!.body.toString('latin1')).toContain('name="binData"; filename="digit.bin"');
    expect(seen[0]!.body.includes(Buffer.from([9, 8, 7]))).toBe(true);
  });

  it('asks for the client token with getpass when told to, never writing it (the token typed on standard input)', async () => {
    requires(existsSync(python), `the project's virtualenv (${python})`);
    const request = { endpoint: endpoint(), input: { strData: 'x' }, auth: { username: 'nb "1"', password: 's3cret' } };
    const code = pythonRequestsCode(request, { askToken: true });
    expect(code.startsWith('import getpass\n\nimport requests\n')).toBe(true);
    expect(code).toContain('auth = ("nb \\"1\\"", getpass.getpass("Token of client nb \\"1\\": "))');
    expect(code).not.toContain('s3cret');
    expect(code).not.toContain(TOKEN_PLACEHOLDER);
    // no terminal here: getpass reads the line from standard input
    const child = execFile(python, ['-c', code], { cwd: dir });
    child.stdin!.end('typed-token\n');
    await new Promise((resolve, reject) =>
      child.once('exit', c => (c === 0 ? resolve(c) : reject(new Error(`exit ${c}`))))
    );
    expect(seen[0]!.headers.authorization).toBe(basic('nb "1"', 'typed-token'));
    // a public endpoint has nothing to ask
    expect(pythonRequestsCode({ endpoint: endpoint(), input: { strData: 'x' } }, { askToken: true })).not.toContain(
      'getpass'
    );
  });

  it('reads as a user would write it: a payload literal, a timeout, no PrimeHub token', () => {
    const code = pythonRequestsCode({
      endpoint: 'https://hub.example/deployment/d/api/v1.0/predictions',
      input: { ndarray: [[5.1, 3.5, 1.4, 0.2]] }
    });
    expect(code).toContain('payload = {"data": {"ndarray": [[5.1, 3.5, 1.4, 0.2]]}}');
    expect(code).toContain('response = requests.post(url, json=payload, timeout=60)');
    expect(code).not.toContain('auth');
  });
});

describe('httpFileRequest', () => {
  it('writes a REST Client request with the JSON body and Basic credentials', () => {
    const text = httpFileRequest({
      endpoint: 'https://hub.example/p',
      input: { strData: 'hi' },
      auth: { username: 'c' }
    });
    expect(text).toBe(
      `POST https://hub.example/p\nAuthorization: Basic c ${TOKEN_PLACEHOLDER}\nContent-Type: application/json\n\n{\n  "strData": "hi"\n}\n`
    );
  });

  it('references a binData file by name in a multipart body', () => {
    const text = httpFileRequest({
      endpoint: 'https://hub.example/p',
      input: { binData: new Uint8Array(), filename: 'a.png' }
    });
    expect(text).toContain('Content-Disposition: form-data; name="binData"; filename="a.png"');
    expect(text).toContain('< ./a.png');
  });
});
