import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';
import type { PredictInput, PredictionResult } from '@primehub-suite/client/browser';
import {
  exampleRequest,
  inspectModel,
  predictionTable,
  requestFormOf,
  type EndpointRequest,
  type PredictionTable,
  type RequestForm
} from '@primehub-suite/client/deployments';
import type { IPrimeHub } from '../tokens';

/** The request forms, in the order the tester offers them. */
export const REQUEST_FORMS: ReadonlyArray<{ form: RequestForm; label: string }> = [
  { form: 'ndarray', label: 'ndarray' },
  { form: 'tensor', label: 'tensor' },
  { form: 'strData', label: 'strData' },
  { form: 'jsonData', label: 'jsonData' },
  { form: 'binData', label: 'binData (file)' }
];

/** The forms whose data can carry column `names`. */
const NAMED: ReadonlyArray<RequestForm> = ['ndarray', 'tensor'];

/** Requests sent in this page, by deployment id: what the tester prefills when the model says nothing. */
const lastSent = new Map<string, PredictInput>();

/**
 * A binData input as Seldon's JSON form (`{"binData": "<base64>"}`, which model servers decode as
 * they do a multipart file): a browser cannot stream the client's multipart body over HTTP/1.1.
 */
export async function asJsonBinData(input: PredictInput): Promise<PredictInput> {
  if (!('binData' in input)) {
    return input;
  }
  const data = input.binData;
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(await data.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return { json: { binData: btoa(binary) } };
}

/** Where the request shown came from. */
export type PrefillSource = 'signature' | 'last' | 'none';

/** One form's text as the tester shows an input. */
function textOf(input: PredictInput): string {
  if ('ndarray' in input) {
    return JSON.stringify(input.ndarray);
  }
  if ('tensor' in input) {
    return JSON.stringify(input.tensor);
  }
  if ('strData' in input) {
    return input.strData;
  }
  if ('jsonData' in input) {
    return JSON.stringify(input.jsonData, null, 2);
  }
  if ('json' in input) {
    return JSON.stringify(input.json, null, 2);
  }
  return '';
}

function parseJson(text: string, what: string): { value?: unknown; problem?: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { problem: `${what} is not valid JSON: ${(err as Error).message}` };
  }
}

/**
 * A form's text (and file) as a prediction input, or the problem that keeps it from being one:
 * ndarray a JSON list, tensor `{"shape": […], "values": […]}` whose shape holds the values,
 * jsonData any JSON, strData any text, binData a file.
 */
export function inputOf(
  form: RequestForm,
  text: string,
  names: string,
  file: File | null
): { input?: PredictInput; problem?: string } {
  const named = names
    .split(',')
    .map(n => n.trim())
    .filter(Boolean);
  const withNames = named.length ? { names: named } : {};
  switch (form) {
    case 'ndarray': {
      const { value, problem } = parseJson(text, 'The ndarray');
      if (problem) {
        return { problem };
      }
      return Array.isArray(value)
        ? { input: { ndarray: value, ...withNames } }
        : { problem: 'The ndarray is a JSON list, e.g. [[5.1, 3.5, 1.4, 0.2]].' };
    }
    case 'tensor': {
      const { value, problem } = parseJson(text, 'The tensor');
      if (problem) {
        return { problem };
      }
      const t = value as { shape?: unknown; values?: unknown } | null;
      const numbers = (v: unknown): v is number[] => Array.isArray(v) && v.every(n => typeof n === 'number');
      if (!t || typeof t !== 'object' || !numbers(t.shape) || !numbers(t.values)) {
        return { problem: 'The tensor is {"shape": [1, 4], "values": [5.1, 3.5, 1.4, 0.2]}: numbers only.' };
      }
      const size = t.shape.reduce((a, b) => a * b, 1);
      if (size !== t.values.length) {
        return { problem: `The tensor's shape [${t.shape.join(', ')}] holds ${size} values, not ${t.values.length}.` };
      }
      return { input: { tensor: { shape: t.shape, values: t.values }, ...withNames } };
    }
    case 'strData':
      return { input: { strData: text } };
    case 'jsonData': {
      const { value, problem } = parseJson(text, 'The jsonData');
      return problem ? { problem } : { input: { jsonData: value } };
    }
    case 'binData':
      return file
        ? { input: { binData: file, filename: file.name, ...(file.type ? { contentType: file.type } : {}) } }
        : { problem: 'Choose the file to send.' };
  }
}

/**
 * The endpoint tester of one deployment: the request in any Seldon form, prefilled from the
 * model's input example or signature (else the last request sent to it), the client credentials
 * of a private endpoint (the token kept in this object only), and the last answer as a table,
 * its latency and, when it failed, why.
 */
export class TesterModel implements IDisposable {
  private readonly _changed = new Signal<this, void>(this);
  private _disposed = false;
  private _form: RequestForm = 'ndarray';
  private readonly _texts: Record<RequestForm, string> = {
    ndarray: '',
    tensor: '',
    strData: '',
    jsonData: '',
    binData: ''
  };
  private _names = '';
  private _file: File | null = null;
  private _username = '';
  private _password = '';
  private _prefill: PrefillSource = 'none';
  private _sending = false;
  private _result: PredictionResult | null = null;
  private _table: PredictionTable | undefined;
  private _error = '';

  constructor(
    private readonly hub: IPrimeHub,
    readonly deploymentId: string
  ) {}

  /** Emitted whenever what the tester shows has changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  get form(): RequestForm {
    return this._form;
  }

  /** The current form's text. */
  get text(): string {
    return this._texts[this._form];
  }

  /** Column names (comma-separated) for ndarray and tensor data. */
  get names(): string {
    return this._names;
  }

  get namesApply(): boolean {
    return NAMED.includes(this._form);
  }

  get file(): File | null {
    return this._file;
  }

  /** The client name for a private endpoint. */
  get username(): string {
    return this._username;
  }

  /** The client token for a private endpoint (kept here only: never stored or logged). */
  get password(): string {
    return this._password;
  }

  get prefill(): PrefillSource {
    return this._prefill;
  }

  get sending(): boolean {
    return this._sending;
  }

  /** The last answer (null before one). */
  get result(): PredictionResult | null {
    return this._result;
  }

  /** The last answer as a table (undefined when it is not tabular). */
  get table(): PredictionTable | undefined {
    return this._table;
  }

  /** Why the request could not be sent, or the last call failed, in a sentence ('' when fine). */
  get error(): string {
    return this._error;
  }

  /** The request as typed, or the problem that keeps it from being one. */
  get parsed(): { input?: PredictInput; problem?: string } {
    return inputOf(this._form, this.text, this._names, this._file);
  }

  /**
   * Prefills the request: from the model's input example or signature, else the last request
   * sent to this deployment in this page, else an empty ndarray row.
   */
  async start(modelUri: string | null): Promise<void> {
    let input: PredictInput | undefined;
    if (modelUri) {
      try {
        const info = await inspectModel(this.hub.client, modelUri);
        input = info ? exampleRequest(info.signatureInputs, info.inputExample) : undefined;
      } catch {
        // a model that cannot be looked into leaves the last request, or an empty one
      }
    }
    if (this._disposed || this._prefill !== 'none' || this.text) {
      // typed into meanwhile: the user's text stays
      return;
    }
    if (input) {
      this.show(input, 'signature');
    } else if (lastSent.has(this.deploymentId)) {
      this.show(lastSent.get(this.deploymentId)!, 'last');
    } else {
      this._texts.ndarray = '[[]]';
      this.emit();
    }
  }

  setForm(form: RequestForm): void {
    this._form = form;
    this.emit();
  }

  setText(text: string): void {
    this._texts[this._form] = text;
    this.emit();
  }

  setNames(names: string): void {
    this._names = names;
    this.emit();
  }

  setFile(file: File | null): void {
    this._file = file;
    this.emit();
  }

  setCredentials(username: string, password: string): void {
    this._username = username;
    this._password = password;
    this.emit();
  }

  /** The request to write out for copying: a private endpoint's client name, never its token. */
  request(endpoint: string, isPrivate: boolean): EndpointRequest | null {
    const { input } = this.parsed;
    if (!input) {
      return null;
    }
    return { endpoint, input, ...(isPrivate ? { auth: { username: this._username || '<client name>' } } : {}) };
  }

  /** Sends the request to the endpoint; the answer, whatever its status, is shown. */
  async send(endpoint: string, isPrivate: boolean): Promise<void> {
    const { input, problem } = this.parsed;
    if (!input) {
      this._error = problem ?? '';
      this.emit();
      return;
    }
    this._sending = true;
    this._error = '';
    this.emit();
    try {
      // without both, sent as it is: the endpoint's own refusal (401) says what it takes
      const auth = isPrivate && this._username.trim() && this._password;
      const result = await this.hub.client.deployments.send(endpoint, await asJsonBinData(input), {
        ...(auth ? { auth: { username: this._username.trim(), password: this._password } } : {})
      });
      this._result = result;
      this._table = result.ok ? predictionTable(result.body) : undefined;
      lastSent.set(this.deploymentId, input);
    } catch (err) {
      this._result = null;
      this._table = undefined;
      this._error = this.hub.describe('Sending the request', err);
    } finally {
      this._sending = false;
      this.emit();
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._password = '';
    Signal.clearData(this);
  }

  private show(input: PredictInput, source: PrefillSource): void {
    const form = requestFormOf(input);
    this._form = form;
    this._texts[form] = textOf(input);
    this._names = 'names' in input && input.names ? input.names.join(', ') : '';
    this._prefill = source;
    this.emit();
  }

  private emit(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }
}
