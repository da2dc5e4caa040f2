import type { PredictInput } from '@primehub-suite/client';
import { requestFormOf, type RequestForm } from '@primehub-suite/client/deployments';

/** A request as the Test Endpoint editor holds it: its form, the text typed for it, and the `names`. */
export interface RequestDraft {
  form: RequestForm;
  /** ndarray/tensor/jsonData: JSON; strData: the text; binData: unused (the file is picked). */
  text: string;
  /** Column names of ndarray and tensor requests, comma-separated (empty: none). */
  names?: string;
  /** binData: the picked file's name (its bytes stay in the extension host). */
  fileName?: string;
}

/** A file picked for a binData request. */
export interface PickedFile {
  name: string;
  bytes: Uint8Array;
}

/** A request that cannot be sent as typed, with what is wrong in a sentence. */
export class RequestInputError extends Error {
  override name = 'RequestInputError';
}

/** The forms the editor offers, in its order. */
export const REQUEST_FORMS: readonly RequestForm[] = ['ndarray', 'tensor', 'strData', 'jsonData', 'binData'];

export function isRequestForm(x: unknown): x is RequestForm {
  return typeof x === 'string' && (REQUEST_FORMS as readonly string[]).includes(x);
}

function parseJson(text: string, what: string): unknown {
  if (!text.trim()) {
    throw new RequestInputError(`The ${what} is empty.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new RequestInputError(`The ${what} is not valid JSON: ${(e as Error).message}`);
  }
}

function parseNames(names: string | undefined): string[] | undefined {
  const list = (names ?? '')
    .split(',')
    .map(n => n.trim())
    .filter(Boolean);
  return list.length > 0 ? list : undefined;
}

/** The shape of a nested array of numbers (undefined when it is ragged or holds anything else). */
function shapeOf(x: unknown): number[] | undefined {
  if (!Array.isArray(x)) {
    return typeof x === 'number' && Number.isFinite(x) ? [] : undefined;
  }
  if (x.length === 0) {
    return [0];
  }
  const inner = x.map(shapeOf);
  const first = inner[0];
  if (!first || inner.some(s => !s || s.join() !== first.join())) {
    return undefined;
  }
  return [x.length, ...first];
}

/** An nd-array of numbers as a Seldon tensor (shape and flattened values), undefined when it is not one. */
export function arrayToTensor(x: unknown): { shape: number[]; values: number[] } | undefined {
  const shape = shapeOf(x);
  if (!shape || shape.length === 0) {
    return undefined;
  }
  return { shape, values: (x as unknown[]).flat(Infinity) as number[] };
}

/** A tensor as a nested array (undefined when its values do not fill its shape). */
export function tensorToArray(t: { shape: number[]; values: number[] }): unknown[] | undefined {
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (t.shape.length === 0 || size !== t.values.length) {
    return undefined;
  }
  const build = (dims: number[], offset: number): unknown[] => {
    const [n, ...rest] = dims;
    const step = rest.reduce((a, b) => a * b, 1);
    return Array.from({ length: n }, (_, i) =>
      rest.length === 0 ? t.values[offset + i] : build(rest, offset + i * step)
    );
  };
  return build(t.shape, 0);
}

/**
 * The request to send for a draft; a binData draft needs the picked file. Throws a
 * RequestInputError that says what to fix (the draft itself is left as typed).
 */
export function draftToInput(draft: RequestDraft, file?: PickedFile): PredictInput {
  const names = parseNames(draft.names);
  switch (draft.form) {
    case 'ndarray': {
      const value = parseJson(draft.text, 'ndarray');
      if (!Array.isArray(value)) {
        throw new RequestInputError('An ndarray is a JSON array, one inner array per instance: [[5.1, 3.5, 1.4, 0.2]]');
      }
      return { ndarray: value, ...(names ? { names } : {}) };
    }
    case 'tensor': {
      const value = parseJson(draft.text, 'tensor');
      // a nested array of numbers is taken as the tensor it spells
      const fromArray = arrayToTensor(value);
      if (fromArray) {
        return { tensor: fromArray, ...(names ? { names } : {}) };
      }
      const t = value as { shape?: unknown; values?: unknown };
      const isNums = (a: unknown): a is number[] => Array.isArray(a) && a.every(n => typeof n === 'number');
      if (typeof value !== 'object' || value === null || !isNums(t.shape) || !isNums(t.values)) {
        throw new RequestInputError(
          'A tensor is {"shape": [1, 4], "values": [5.1, 3.5, 1.4, 0.2]}, or a nested array of numbers.'
        );
      }
      const size = t.shape.reduce((a, b) => a * b, 1);
      if (size !== t.values.length) {
        throw new RequestInputError(
          `The tensor's shape [${t.shape.join(', ')}] holds ${size} values, but ${t.values.length} are given.`
        );
      }
      return { tensor: { shape: t.shape, values: t.values }, ...(names ? { names } : {}) };
    }
    case 'strData':
      return { strData: draft.text };
    case 'jsonData':
      return { jsonData: parseJson(draft.text, 'jsonData') };
    case 'binData':
      if (!file) {
        throw new RequestInputError('Choose the file to send as binData.');
      }
      return { binData: file.bytes, filename: file.name };
  }
}

/** The draft that shows a request (an example, a saved or last request) in the editor. */
export function inputToDraft(input: PredictInput): RequestDraft {
  const form = requestFormOf(input);
  const names = 'names' in input && input.names ? input.names.join(', ') : '';
  if ('ndarray' in input) {
    return { form, text: JSON.stringify(input.ndarray), names };
  }
  if ('tensor' in input) {
    return { form, text: JSON.stringify(input.tensor), names };
  }
  if ('strData' in input) {
    return { form, text: input.strData };
  }
  if ('jsonData' in input) {
    return { form, text: JSON.stringify(input.jsonData, null, 2) };
  }
  if ('binData' in input) {
    return { form, text: '', fileName: input.filename };
  }
  return { form: 'jsonData', text: JSON.stringify(input.json, null, 2) };
}
