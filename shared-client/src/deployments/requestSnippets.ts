/** A prediction request written out for the user to copy: curl, Python `requests`, a `.http` file. */
import { shellQuote } from '../notebook/command';
import { predictionBody, type PredictInput } from '../resources/DeploymentsApi';

/** The Seldon input forms. */
export type RequestForm = 'ndarray' | 'tensor' | 'strData' | 'jsonData' | 'binData';

/** The form of an input (`json` inputs count as `jsonData`, the form a free JSON body mostly is). */
export function requestFormOf(input: PredictInput): RequestForm {
  if ('ndarray' in input) {
    return 'ndarray';
  }
  if ('tensor' in input) {
    return 'tensor';
  }
  if ('strData' in input) {
    return 'strData';
  }
  if ('binData' in input) {
    return 'binData';
  }
  return 'jsonData';
}

/**
 * A request to copy. For a private endpoint `auth` names the client; without its `password` the
 * token is written as a placeholder, so a copied snippet never carries a secret the user did not type.
 */
export interface EndpointRequest {
  endpoint: string;
  input: PredictInput;
  auth?: { username: string; password?: string };
}

/** Placeholder written for a client token the user has not given. */
export const TOKEN_PLACEHOLDER = '<client token>';

function fileNameOf(input: PredictInput): string {
  return 'binData' in input ? (input.filename ?? 'data') : 'data';
}

function jsonText(input: PredictInput, indent?: number): string {
  return JSON.stringify(predictionBody(input), null, indent);
}

/** A curl command line; every word shell-quoted, so any text in it is safe to paste. */
export function curlCommand(req: EndpointRequest): string {
  const words = ['curl', '-X', 'POST', shellQuote(req.endpoint)];
  if (req.auth) {
    words.push('-u', shellQuote(`${req.auth.username}:${req.auth.password ?? TOKEN_PLACEHOLDER}`));
  }
  if ('binData' in req.input) {
    words.push('-F', shellQuote(`binData=@${fileNameOf(req.input)}`));
  } else {
    words.push('-H', shellQuote('Content-Type: application/json'), '-d', shellQuote(jsonText(req.input)));
  }
  return words.join(' ');
}

/** JSON as a Python literal (`None`, `True`, `False`; JSON strings are valid Python strings). */
function pythonLiteral(value: unknown, indent: string, depth: number): string {
  if (value === null || value === undefined) {
    return 'None';
  }
  if (value === true) {
    return 'True';
  }
  if (value === false) {
    return 'False';
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? String(value) : 'None';
  }
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  const inner = indent.repeat(depth + 1);
  const outer = indent.repeat(depth);
  if (Array.isArray(value)) {
    const items = value.map(v => pythonLiteral(v, indent, depth + 1));
    const flat = `[${items.join(', ')}]`;
    return flat.length <= 80 || items.length === 0 ? flat : `[\n${inner}${items.join(`,\n${inner}`)}\n${outer}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v, indent, depth + 1)}`
  );
  const flat = `{${entries.join(', ')}}`;
  return flat.length <= 80 || entries.length === 0 ? flat : `{\n${inner}${entries.join(`,\n${inner}`)}\n${outer}}`;
}

/**
 * Python that sends the request with `requests` and prints the answer. With `askToken`, a private
 * endpoint's client token is asked for with `getpass` when the code runs, never written into it (nor
 * any password the request carries): for a notebook cell, which is saved, shared and submitted as a
 * job with its sources, where a token typed into Jupyter's password field stays in the kernel.
 */
export function pythonRequestsCode(req: EndpointRequest, opts: { askToken?: boolean } = {}): string {
  const ask = Boolean(req.auth && opts.askToken);
  const lines = [
    ...(ask ? ['import getpass', ''] : []),
    'import requests',
    '',
    `url = ${JSON.stringify(req.endpoint)}`
  ];
  const args = ['url'];
  if (req.auth) {
    const user = JSON.stringify(req.auth.username);
    if (ask) {
      const prompt = JSON.stringify(`Token of client ${req.auth.username}: `);
      lines.push(
        '# asked for when the code runs, so the token is never saved with it (PrimeHub showed it once)',
        `auth = (${user}, getpass.getpass(${prompt}))`
      );
    } else {
      lines.push(`auth = (${user}, ${JSON.stringify(req.auth.password ?? TOKEN_PLACEHOLDER)})`);
    }
  }
  if ('binData' in req.input) {
    const name = JSON.stringify(fileNameOf(req.input));
    lines.push(`files = {"binData": open(${name}, "rb")}`);
    args.push('files=files');
  } else {
    lines.push(`payload = ${pythonLiteral(predictionBody(req.input), '    ', 0)}`);
    args.push('json=payload');
  }
  if (req.auth) {
    args.push('auth=auth');
  }
  lines.push(
    '',
    `response = requests.post(${args.join(', ')}, timeout=60)`,
    'response.raise_for_status()',
    'print(response.json())'
  );
  return `${lines.join('\n')}\n`;
}

/** A request in the `.http` format (VS Code's REST Client, JetBrains' HTTP client). */
export function httpFileRequest(req: EndpointRequest): string {
  const lines = [`POST ${req.endpoint}`];
  if (req.auth) {
    lines.push(`Authorization: Basic ${req.auth.username} ${req.auth.password ?? TOKEN_PLACEHOLDER}`);
  }
  if ('binData' in req.input) {
    const boundary = 'PrimeHubBoundary';
    const name = fileNameOf(req.input).replace(/["\r\n\\]/g, '_');
    lines.push(
      `Content-Type: multipart/form-data; boundary=${boundary}`,
      '',
      `--${boundary}`,
      `Content-Disposition: form-data; name="binData"; filename="${name}"`,
      '',
      `< ./${name}`,
      `--${boundary}--`
    );
  } else {
    lines.push('Content-Type: application/json', '', jsonText(req.input, 2));
  }
  return `${lines.join('\n')}\n`;
}
