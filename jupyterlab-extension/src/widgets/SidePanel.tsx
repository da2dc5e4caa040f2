import { ReactWidget } from '@jupyterlab/ui-components';
import type { GroupRef, Job, Schedule } from '@primehub-suite/client/browser';
import type { Message } from '@lumino/messaging';
import { useVirtualizer } from '@tanstack/react-virtual';
import * as React from 'react';
import { formatDuration, formatParameters, jobParameters } from '../models/notebookJobs';
import type { IPrimeHub } from '../tokens';
import { SignInForm } from './SignIn';

export interface ISidePanelActions {
  openJob(id: string): void;
  deleteSchedule(schedule: Schedule): Promise<void>;
}

/** Calls `tick` every `intervalMs` while `active`, doubling the wait after each failure (up to 5 min). */
function usePolling(active: boolean, intervalMs: number, tick: () => Promise<boolean>, deps: unknown[]): void {
  React.useEffect(() => {
    if (!active) {
      return;
    }
    let stopped = false;
    let failures = 0;
    let timer: number | undefined;
    const run = async (): Promise<void> => {
      const ok = await tick();
      failures = ok ? 0 : failures + 1;
      if (!stopped) {
        timer = window.setTimeout(() => void run(), Math.min(intervalMs * 2 ** failures, 300_000));
      }
    };
    void run();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [active, intervalMs, ...deps]);
}

/** Jobs per page of `jobs.list` (the server's numbered pages). */
const PAGE_SIZE = 10;
/** A row's estimated height (px) before it is measured. */
const ROW_ESTIMATE = 58;

/** The jobs the list holds: the server's numbered pages fetched so far, and how many pages there are. */
interface JobPages {
  pages: ReadonlyMap<number, Job[]>;
  totalPage: number;
}

/** Rows of the list: every page but the last has PAGE_SIZE jobs; the last one's size is known once fetched. */
function rowCount(data: JobPages): number {
  const last = data.pages.get(data.totalPage);
  return data.totalPage === 0 ? 0 : (data.totalPage - 1) * PAGE_SIZE + (last ? last.length : PAGE_SIZE);
}

function JobRow(props: { job: Job | undefined; actions: ISidePanelActions }): React.ReactElement {
  const { job } = props;
  if (!job) {
    return <div className="jp-primehub-JobRow jp-primehub-JobRow-loading">Loading…</div>;
  }
  const params = formatParameters(jobParameters(job), 60);
  return (
    <div
      className="jp-primehub-JobRow"
      data-job-id={job.id}
      data-phase={job.phase ?? ''}
      onClick={() => props.actions.openJob(job.id)}
      title={`${job.id} — open details`}
    >
      <span className={`jp-primehub-Phase jp-primehub-Phase-${job.phase ?? 'Unknown'}`}>{job.phase}</span>
      <span className="jp-primehub-JobName">{job.displayName ?? job.id}</span>
      <span className="jp-primehub-JobMeta">
        {job.userName} · {formatDuration(job)}
      </span>
      {params && <span className="jp-primehub-JobParams">{params}</span>}
    </div>
  );
}

/**
 * The group's jobs as one windowed list: only the rows in view are rendered, and only the
 * server's pages behind them are fetched (and refreshed while the panel is visible), so
 * thousands of jobs scroll like ten.
 */
function JobsList(props: { hub: IPrimeHub; visible: boolean; actions: ISidePanelActions }): React.ReactElement {
  const { hub } = props;
  const [mine, setMine] = React.useState(false);
  const [search, setSearch] = React.useState('');
  const [query, setQuery] = React.useState('');
  const [data, setData] = React.useState<JobPages>({ pages: new Map(), totalPage: 0 });
  const [loaded, setLoaded] = React.useState(false);
  const [error, setError] = React.useState('');
  const [wanted, setWanted] = React.useState({ first: 1, last: 1 });
  const scroller = React.useRef<HTMLDivElement>(null);
  // Answers to an earlier filter that arrive late are dropped.
  const filterKey = `${mine}\u0000${query}\u0000${hub.group}`;
  const currentFilter = React.useRef(filterKey);
  currentFilter.current = filterKey;

  React.useEffect(() => {
    const t = window.setTimeout(() => setQuery(search.trim()), 300);
    return () => window.clearTimeout(t);
  }, [search]);

  // Another filter or group: a new list, from the top.
  React.useEffect(() => {
    setData({ pages: new Map(), totalPage: 0 });
    setLoaded(false);
    setWanted({ first: 1, last: 1 });
    scroller.current?.scrollTo({ top: 0 });
  }, [mine, query, hub.group]);

  const virtualizer = useVirtualizer({
    count: rowCount(data),
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_ESTIMATE,
    overscan: 5
  });
  const rows = virtualizer.getVirtualItems();
  const firstRow = rows.length ? rows[0].index : 0;
  const lastRow = rows.length ? rows[rows.length - 1].index : 0;

  // The pages behind the rows in view, once scrolling settles.
  React.useEffect(() => {
    const t = window.setTimeout(() => {
      const first = Math.floor(firstRow / PAGE_SIZE) + 1;
      const last = Math.max(first, Math.floor(lastRow / PAGE_SIZE) + 1);
      setWanted(w => (w.first === first && w.last === last ? w : { first, last }));
    }, 100);
    return () => window.clearTimeout(t);
  }, [firstRow, lastRow]);

  usePolling(
    props.visible,
    hub.settings.pollIntervalSeconds * 1000,
    async () => {
      try {
        const numbers = Array.from({ length: wanted.last - wanted.first + 1 }, (_, i) => wanted.first + i);
        const fetched = await Promise.all(
          numbers.map(page => hub.client.jobs.list({ page, mine, search: query || undefined }))
        );
        if (currentFilter.current !== filterKey) {
          return true;
        }
        performance.mark('primehub-jobs-data');
        setData(old => {
          const pages = new Map(old.pages);
          for (const p of fetched) {
            pages.set(p.currentPage, p.items);
          }
          const totalPage = fetched[fetched.length - 1].totalPage;
          for (const n of pages.keys()) {
            if (n > totalPage) {
              pages.delete(n);
            }
          }
          const empty = totalPage <= 1 && (pages.get(1)?.length ?? 0) === 0;
          return { pages, totalPage: empty ? 0 : totalPage };
        });
        setLoaded(true);
        setError('');
        return true;
      } catch (err) {
        setError(hub.handleError(err));
        return false;
      }
    },
    [mine, query, hub.group, wanted.first, wanted.last]
  );

  // How long a fetched update takes to reach the DOM (read by test/bench/jupyterlab-jobs-list.mjs).
  React.useLayoutEffect(() => {
    if (performance.getEntriesByName('primehub-jobs-data', 'mark').length) {
      performance.measure('primehub-jobs-update', 'primehub-jobs-data');
      performance.clearMarks('primehub-jobs-data');
    }
  }, [data]);

  const count = rowCount(data);
  return (
    <div className="jp-primehub-Jobs">
      <div className="jp-primehub-Toolbar">
        <input
          className="jp-mod-styled"
          placeholder="Search jobs"
          aria-label="Search jobs"
          value={search}
          onChange={e => setSearch(e.target.value)}
        />
        <label title="Only jobs I submitted">
          <input type="checkbox" checked={mine} onChange={e => setMine(e.target.checked)} /> Mine
        </label>
      </div>
      {error && (
        <div className="jp-primehub-Error" role="alert">
          {error}
        </div>
      )}
      {loaded && (
        <div className="jp-primehub-Help jp-primehub-JobCount">
          {count === 0 ? 'No jobs' : `${count.toLocaleString()} job${count === 1 ? '' : 's'}`}
        </div>
      )}
      <div className="jp-primehub-JobScroller" ref={scroller}>
        <div
          className="jp-primehub-JobList"
          role="list"
          aria-label="Jobs"
          style={{ height: virtualizer.getTotalSize() }}
        >
          {rows.map(row => (
            <div
              key={row.key}
              role="listitem"
              data-index={row.index}
              ref={virtualizer.measureElement}
              className="jp-primehub-JobSlot"
              style={{ transform: `translateY(${row.start}px)` }}
            >
              <JobRow
                job={data.pages.get(Math.floor(row.index / PAGE_SIZE) + 1)?.[row.index % PAGE_SIZE]}
                actions={props.actions}
              />
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}

function SchedulesList(props: { hub: IPrimeHub; visible: boolean; actions: ISidePanelActions }): React.ReactElement {
  const { hub } = props;
  const [items, setItems] = React.useState<Schedule[] | null>(null);
  const [error, setError] = React.useState('');
  const [note, setNote] = React.useState('');
  const [version, setVersion] = React.useState(0);

  usePolling(
    props.visible,
    hub.settings.pollIntervalSeconds * 2000,
    async () => {
      try {
        setItems((await hub.client.schedules.list({})).items);
        setError('');
        return true;
      } catch (err) {
        setError(hub.handleError(err));
        return false;
      }
    },
    [hub.group, version]
  );

  const act = async (what: () => Promise<string>): Promise<void> => {
    try {
      setNote(await what());
      setError('');
    } catch (err) {
      setError(hub.handleError(err));
    }
    setVersion(v => v + 1);
  };

  return (
    <div className="jp-primehub-Schedules">
      {error && (
        <div className="jp-primehub-Error" role="alert">
          {error}
        </div>
      )}
      {note && <div className="jp-primehub-Help">{note}</div>}
      <ul className="jp-primehub-JobList" aria-label="Recurring jobs">
        {items?.map(s => (
          <li key={s.id} className="jp-primehub-ScheduleRow" data-schedule-id={s.id}>
            <span className="jp-primehub-JobName">{s.displayName ?? s.id}</span>
            <span className="jp-primehub-JobMeta">
              {s.recurrence?.type === 'inactive' ? 'on demand / paused' : (s.recurrence?.cron ?? s.recurrence?.type)}
              {s.nextRunTime ? ` · next ${new Date(s.nextRunTime).toLocaleString()}` : ''}
            </span>
            <span className="jp-primehub-RowActions">
              <button
                className="jp-Button jp-mod-minimal"
                onClick={() =>
                  void act(async () => {
                    const { jobId } = await hub.client.schedules.run(s.id);
                    if (jobId) {
                      props.actions.openJob(jobId);
                    }
                    return `Triggered ${s.displayName}: job ${jobId ?? '(starting)'}`;
                  })
                }
              >
                Trigger now
              </button>
              {s.recurrence?.type !== 'inactive' && (
                <button
                  className="jp-Button jp-mod-minimal"
                  onClick={() =>
                    void act(async () => {
                      await hub.client.schedules.update(s.id, { recurrence: { type: 'inactive' } });
                      return `Paused ${s.displayName}`;
                    })
                  }
                >
                  Pause
                </button>
              )}
              <button
                className="jp-Button jp-mod-minimal"
                onClick={() =>
                  void act(async () => {
                    await props.actions.deleteSchedule(s);
                    return `Deleted ${s.displayName}`;
                  })
                }
              >
                Delete
              </button>
            </span>
          </li>
        ))}
        {items && items.length === 0 && <li className="jp-primehub-Empty">No recurring jobs</li>}
      </ul>
    </div>
  );
}

function GroupSwitcher(props: { hub: IPrimeHub }): React.ReactElement | null {
  const { hub } = props;
  const [groups, setGroups] = React.useState<GroupRef[]>([]);
  React.useEffect(() => {
    hub.client.groups
      .list()
      .then(setGroups)
      .catch(err => hub.handleError(err));
  }, [hub.signedIn]);
  return (
    <label className="jp-primehub-Group">
      Group{' '}
      <select
        className="jp-mod-styled"
        aria-label="Group"
        value={hub.group ?? ''}
        onChange={e => hub.setGroup(e.target.value)}
      >
        {groups.length === 0 && <option value={hub.group ?? ''}>{hub.group}</option>}
        {groups.map(g => (
          <option key={g.name} value={g.name}>
            {g.displayName || g.name}
          </option>
        ))}
      </select>
    </label>
  );
}

function Panel(props: { hub: IPrimeHub; visible: boolean; actions: ISidePanelActions }): React.ReactElement {
  const { hub } = props;
  const [, setTick] = React.useState(0);
  const [tab, setTab] = React.useState<'jobs' | 'recurring'>('jobs');
  React.useEffect(() => {
    const onChange = (): void => setTick(t => t + 1);
    hub.changed.connect(onChange);
    return () => void hub.changed.disconnect(onChange);
  }, [hub]);

  if (!hub.config) {
    return <div className="jp-primehub-Empty">Connecting to the PrimeHub server extension…</div>;
  }
  if (!hub.signedIn) {
    return (
      <div className="jp-primehub-Panel">
        <h2 className="jp-primehub-Title">Connect to PrimeHub</h2>
        <SignInForm hub={hub} />
      </div>
    );
  }
  return (
    <div className="jp-primehub-Panel">
      <div className="jp-primehub-Header">
        <h2 className="jp-primehub-Title">PrimeHub</h2>
        <GroupSwitcher hub={hub} />
      </div>
      <div className="jp-primehub-Tabs" role="tablist">
        <button role="tab" aria-selected={tab === 'jobs'} onClick={() => setTab('jobs')}>
          Jobs
        </button>
        <button role="tab" aria-selected={tab === 'recurring'} onClick={() => setTab('recurring')}>
          Recurring jobs
        </button>
      </div>
      {tab === 'jobs' ? (
        <JobsList hub={hub} visible={props.visible} actions={props.actions} />
      ) : (
        <SchedulesList hub={hub} visible={props.visible} actions={props.actions} />
      )}
      <div className="jp-primehub-Footer">
        <button className="jp-Button jp-mod-minimal" onClick={() => void hub.signOut()}>
          Sign out
        </button>
      </div>
    </div>
  );
}

/** The left-area PrimeHub panel; lists are polled only while it is visible. */
export class SidePanel extends ReactWidget {
  constructor(
    private readonly hub: IPrimeHub,
    private readonly actions: ISidePanelActions
  ) {
    super();
    this.addClass('jp-primehub-SidePanel');
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.update();
  }

  protected override onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.update();
  }

  render(): React.ReactElement {
    return <Panel hub={this.hub} visible={this.isVisible} actions={this.actions} />;
  }
}
