import type { Job, Page } from '@primehub-suite/client/browser';
import type { IPrimeHub } from '../tokens';
import { PolledModel } from './PolledModel';

/** Jobs per page of `jobs.list` (the server's numbered pages). */
export const PAGE_SIZE = 10;

/** Which jobs the list shows. */
export interface IJobsFilter {
  mine: boolean;
  /** Substring of a job's id or name ('' for all). */
  search: string;
}

/**
 * The group's jobs as the panel's windowed list needs them: the server's numbered pages behind
 * the rows in view (`setWindow`) and the last page (so the total is exact before the list is
 * scrolled to its end), refreshed by the model's poll.
 */
export class JobsListModel extends PolledModel {
  private _filter: IJobsFilter = { mine: false, search: '' };
  private _pages = new Map<number, Job[]>();
  private _totalPage = 0;
  private _loaded = false;
  private _window = { first: 1, last: 1 };
  private _group: string | null;
  /** Bumped by every filter or group change: answers to an earlier one are dropped. */
  private _generation = 0;
  /** The jobs picked (Ctrl- and Shift-click), in the order picked; `_anchor` is the row a Shift-click extends from. */
  private _selected: string[] = [];
  private _anchor: number | null = null;

  constructor(hub: IPrimeHub) {
    super(hub, 'jobs');
    this._group = hub.group;
    hub.changed.connect(this.onHubChanged, this);
  }

  get filter(): IJobsFilter {
    return this._filter;
  }

  set filter(value: IJobsFilter) {
    if (value.mine === this._filter.mine && value.search === this._filter.search) {
      return;
    }
    this._filter = { ...value };
    this.reset();
  }

  /** Whether the first answer for the current filter has arrived. */
  get loaded(): boolean {
    return this._loaded;
  }

  /** How many jobs match: every page but the last holds PAGE_SIZE. */
  get total(): number {
    if (this._totalPage === 0) {
      return 0;
    }
    const last = this._pages.get(this._totalPage);
    return (this._totalPage - 1) * PAGE_SIZE + (last ? last.length : PAGE_SIZE);
  }

  /** The job of a row (0-based), or undefined while its page is not fetched. */
  jobAt(index: number): Job | undefined {
    return this._pages.get(Math.floor(index / PAGE_SIZE) + 1)?.[index % PAGE_SIZE];
  }

  /** The ids of the jobs picked, in the order they were picked. */
  get selected(): ReadonlyArray<string> {
    return this._selected;
  }

  isSelected(id: string): boolean {
    return this._selected.includes(id);
  }

  /**
   * A row clicked with a modifier: `toggle` (Ctrl/Cmd) adds or removes its job, `range` (Shift) picks
   * the rows from the last one picked to it (those fetched).
   */
  select(index: number, how: 'toggle' | 'range'): void {
    const job = this.jobAt(index);
    if (!job) {
      return;
    }
    if (how === 'range' && this._anchor !== null) {
      const [from, to] = this._anchor < index ? [this._anchor, index] : [index, this._anchor];
      const ids: string[] = [];
      for (let i = from; i <= to; i++) {
        const id = this.jobAt(i)?.id;
        if (id && !this._selected.includes(id)) {
          ids.push(id);
        }
      }
      this._selected = [...this._selected, ...ids];
    } else {
      this._selected = this._selected.includes(job.id)
        ? this._selected.filter(id => id !== job.id)
        : [...this._selected, job.id];
      this._anchor = index;
    }
    this.emitChanged();
  }

  clearSelection(): void {
    if (this._selected.length) {
      this._selected = [];
      this._anchor = null;
      this.emitChanged();
    }
  }

  /** The rows in view (0-based, inclusive): their pages are fetched now and on every poll. */
  setWindow(firstRow: number, lastRow: number): void {
    const first = Math.floor(firstRow / PAGE_SIZE) + 1;
    const last = Math.max(first, Math.floor(lastRow / PAGE_SIZE) + 1);
    if (first === this._window.first && last === this._window.last) {
      return;
    }
    this._window = { first, last };
    if ([...this.pageNumbers()].some(n => !this._pages.has(n))) {
      void this.poll.refresh();
    }
  }

  override dispose(): void {
    this.hub.changed.disconnect(this.onHubChanged, this);
    super.dispose();
  }

  protected what(): string {
    return 'Listing jobs';
  }

  protected async fetch(): Promise<void> {
    const generation = this._generation;
    const { mine, search } = this._filter;
    const list = (page: number): Promise<Page<Job>> =>
      this.hub.client.jobs.list({ page, mine, search: search || undefined });
    const fetched = await Promise.all([...this.pageNumbers()].map(list));
    const totalPage = fetched[fetched.length - 1].totalPage;
    // The last page tells the exact total; fetched too when the rows in view are elsewhere.
    if (totalPage > 1 && !fetched.some(p => p.currentPage === totalPage)) {
      fetched.push(await list(totalPage));
    }
    if (generation !== this._generation) {
      return;
    }
    if (typeof performance !== 'undefined') {
      // How long an update takes to reach the DOM (read by test/bench/jupyterlab-jobs-list.mjs).
      performance.mark('primehub-jobs-data');
    }
    for (const p of fetched) {
      this._pages.set(p.currentPage, p.items);
    }
    const latestTotal = fetched.reduce((n, p) => Math.max(n, p.totalPage), 0);
    for (const n of [...this._pages.keys()]) {
      if (n > latestTotal) {
        this._pages.delete(n);
      }
    }
    const empty = latestTotal <= 1 && (this._pages.get(1)?.length ?? 0) === 0;
    this._totalPage = empty ? 0 : latestTotal;
    this._loaded = true;
    this.emitChanged();
  }

  private *pageNumbers(): Iterable<number> {
    for (let n = this._window.first; n <= this._window.last; n++) {
      yield n;
    }
  }

  /** Another filter or group: a new list, from the top. */
  private reset(): void {
    this._generation++;
    // the jobs picked stay picked across searches; the rows are others now
    this._anchor = null;
    this._pages = new Map();
    this._totalPage = 0;
    this._loaded = false;
    this._window = { first: 1, last: 1 };
    this.emitChanged();
    void this.poll.refresh();
  }

  private onHubChanged(): void {
    if (this.hub.group !== this._group) {
      this._group = this.hub.group;
      this._selected = [];
      this.reset();
    }
  }
}
