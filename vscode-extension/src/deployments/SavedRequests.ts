import type { KeyValueStore } from '../vscode-objs/storage';
import { isRequestForm, type RequestDraft } from './requestInput';

const KEY = 'primehub.deployments.savedRequests';
/** Requests kept per deployment: the newest first, the oldest dropped beyond this. */
const MAX_SAVED = 30;
/** A request text longer than this is not kept (a pasted data set would bloat the state). */
const MAX_TEXT = 100_000;

/** A request saved by name for one deployment. */
export interface SavedRequest {
  name: string;
  draft: RequestDraft;
}

interface Entry {
  saved: SavedRequest[];
  last?: RequestDraft;
}

/**
 * Test Endpoint's saved requests and last request sent, per deployment (of a profile and group), in
 * the extension's global state: requests only, never a credential. A binData request keeps its file's
 * name, not its bytes.
 */
export class SavedRequests {
  constructor(private readonly state: KeyValueStore) {}

  /** The requests saved for `deployment` (a `<profile>/<group>/<id>` key), newest first. */
  list(deployment: string): SavedRequest[] {
    return this.entry(deployment).saved;
  }

  get(deployment: string, name: string): SavedRequest | undefined {
    return this.list(deployment).find(r => r.name === name);
  }

  /** Saves `draft` as `name` (replacing one of that name). */
  async save(deployment: string, name: string, draft: RequestDraft): Promise<void> {
    const clean = name.trim();
    if (!clean) {
      throw new Error('A saved request needs a name.');
    }
    const e = this.entry(deployment);
    e.saved = [{ name: clean, draft: keepable(draft) }, ...e.saved.filter(r => r.name !== clean)].slice(0, MAX_SAVED);
    await this.write(deployment, e);
  }

  async delete(deployment: string, name: string): Promise<void> {
    const e = this.entry(deployment);
    e.saved = e.saved.filter(r => r.name !== name);
    await this.write(deployment, e);
  }

  /** The last request sent to `deployment`. */
  last(deployment: string): RequestDraft | undefined {
    return this.entry(deployment).last;
  }

  async setLast(deployment: string, draft: RequestDraft): Promise<void> {
    const e = this.entry(deployment);
    e.last = keepable(draft);
    await this.write(deployment, e);
  }

  /** Forgets a deleted deployment's requests. */
  async forget(deployment: string): Promise<void> {
    const all = this.all();
    delete all[deployment];
    await this.state.update(KEY, all);
  }

  private all(): Record<string, Entry> {
    const v = this.state.get<Record<string, Entry>>(KEY);
    return typeof v === 'object' && v !== null ? { ...v } : {};
  }

  // what the state holds is checked: another version of the extension may have written it
  private entry(deployment: string): Entry {
    const raw = this.all()[deployment] as Partial<Entry> | undefined;
    const saved = Array.isArray(raw?.saved)
      ? raw.saved.filter((r): r is SavedRequest => typeof r?.name === 'string' && isDraft(r.draft))
      : [];
    return { saved, last: isDraft(raw?.last) ? raw.last : undefined };
  }

  private async write(deployment: string, e: Entry): Promise<void> {
    await this.state.update(KEY, { ...this.all(), [deployment]: e });
  }
}

function isDraft(x: unknown): x is RequestDraft {
  const d = x as Partial<RequestDraft> | undefined;
  return typeof d === 'object' && d !== null && isRequestForm(d.form) && typeof d.text === 'string';
}

function keepable(d: RequestDraft): RequestDraft {
  if (d.text.length > MAX_TEXT) {
    throw new Error(`A request of more than ${MAX_TEXT / 1000} kB is not kept; send it from a file (binData).`);
  }
  return {
    form: d.form,
    text: d.text,
    ...(d.names ? { names: d.names } : {}),
    ...(d.fileName ? { fileName: d.fileName } : {})
  };
}
