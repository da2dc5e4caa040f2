import { isRequestForm, type RequestDraft } from '../../deployments/requestInput';

/** How a request is copied. */
export type CopyFormat = 'curl' | 'python' | 'http';

/** What the Test Endpoint webview posts: what the user did. Anything else is dropped. */
export type TesterMessage =
  | { type: 'ready' | 'pickFile' | 'refresh' }
  | { type: 'send'; draft: RequestDraft }
  | { type: 'copy'; format: CopyFormat; draft: RequestDraft }
  | { type: 'save'; name: string; draft: RequestDraft }
  | { type: 'load' | 'deleteSaved'; name: string };

/** A request's text is at most this long (a data set belongs in a file: binData). */
const MAX_TEXT = 5_000_000;

const str = (x: unknown, max = 200): x is string => typeof x === 'string' && x.length > 0 && x.length <= max;

function draftOf(x: unknown): RequestDraft | undefined {
  const d = (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>;
  if (!isRequestForm(d.form) || typeof d.text !== 'string' || d.text.length > MAX_TEXT) {
    return undefined;
  }
  return {
    form: d.form,
    text: d.text,
    ...(typeof d.names === 'string' && d.names.length <= 10_000 ? { names: d.names } : {}),
    ...(str(d.fileName, 1000) ? { fileName: d.fileName } : {})
  };
}

/** A message from the webview, checked: the webview is a page, and what it posts is input. */
export function parseTesterMessage(raw: unknown): TesterMessage | undefined {
  const m = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'pickFile':
    case 'refresh':
      return { type: m.type };
    case 'send': {
      const draft = draftOf(m.draft);
      return draft && { type: 'send', draft };
    }
    case 'copy': {
      const draft = draftOf(m.draft);
      const format = m.format;
      return draft && (format === 'curl' || format === 'python' || format === 'http')
        ? { type: 'copy', format, draft }
        : undefined;
    }
    case 'save': {
      const draft = draftOf(m.draft);
      return draft && str(m.name) && m.name.trim() ? { type: 'save', name: m.name.trim(), draft } : undefined;
    }
    case 'load':
    case 'deleteSaved':
      return str(m.name) ? { type: m.type, name: m.name } : undefined;
    default:
      return undefined;
  }
}
