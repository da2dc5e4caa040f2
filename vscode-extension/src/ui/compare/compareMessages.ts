import type { SortKey } from '@primehub-suite/client/compare';

/** What the Compare webview posts: what the user did. Anything else is dropped. */
export type CompareMessage =
  | { type: 'ready' | 'refresh' | 'openMlflow' }
  | { type: 'sort'; key: SortKey }
  | { type: 'flip'; metric: string }
  | { type: 'differencesOnly'; on: boolean }
  | { type: 'chart'; axis: 'metric' | 'param'; value: string }
  | { type: 'openJob'; job: string }
  | { type: 'openRun' | 'register'; run: string };

const str = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length < 1000;

/** A message from the webview, checked: the webview is a page, and what it posts is input. */
export function parseCompareMessage(raw: unknown): CompareMessage | undefined {
  const m = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'refresh':
    case 'openMlflow':
      return { type: m.type };
    case 'sort': {
      try {
        const key = JSON.parse(String(m.key)) as { kind?: unknown; key?: unknown };
        if (key.kind === 'run' || key.kind === 'job' || key.kind === 'status') {
          return { type: 'sort', key: { kind: key.kind } };
        }
        if ((key.kind === 'param' || key.kind === 'metric') && str(key.key)) {
          return { type: 'sort', key: { kind: key.kind, key: key.key } };
        }
      } catch {
        // not a sort key
      }
      return undefined;
    }
    case 'flip':
      return str(m.metric) ? { type: 'flip', metric: m.metric } : undefined;
    case 'differencesOnly':
      return typeof m.on === 'boolean' ? { type: 'differencesOnly', on: m.on } : undefined;
    case 'chart':
      return (m.axis === 'metric' || m.axis === 'param') && str(m.value)
        ? { type: 'chart', axis: m.axis, value: m.value }
        : undefined;
    case 'openJob':
      return str(m.job) ? { type: 'openJob', job: m.job } : undefined;
    case 'openRun':
    case 'register':
      return str(m.run) ? { type: m.type, run: m.run } : undefined;
    default:
      return undefined;
  }
}
