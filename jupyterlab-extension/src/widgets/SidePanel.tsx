import { ReactWidget } from '@jupyterlab/ui-components';
import type { GroupRef, Job, Page, Schedule } from '@primehub-suite/client/browser';
import type { Message } from '@lumino/messaging';
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

function JobsList(props: { hub: IPrimeHub; visible: boolean; actions: ISidePanelActions }): React.ReactElement {
  const { hub } = props;
  const [page, setPage] = React.useState(1);
  const [mine, setMine] = React.useState(false);
  const [search, setSearch] = React.useState('');
  const [query, setQuery] = React.useState('');
  const [data, setData] = React.useState<Page<Job> | null>(null);
  const [error, setError] = React.useState('');

  React.useEffect(() => {
    const t = window.setTimeout(() => {
      setQuery(search.trim());
      setPage(1);
    }, 300);
    return () => window.clearTimeout(t);
  }, [search]);

  usePolling(
    props.visible,
    hub.settings.pollIntervalSeconds * 1000,
    async () => {
      try {
        setData(await hub.client.jobs.list({ page, mine, search: query || undefined }));
        setError('');
        return true;
      } catch (err) {
        setError(hub.handleError(err));
        return false;
      }
    },
    [page, mine, query, hub.group]
  );

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
          <input
            type="checkbox"
            checked={mine}
            onChange={e => {
              setMine(e.target.checked);
              setPage(1);
            }}
          />{' '}
          Mine
        </label>
      </div>
      {error && (
        <div className="jp-primehub-Error" role="alert">
          {error}
        </div>
      )}
      <ul className="jp-primehub-JobList" aria-label="Jobs">
        {data?.items.map(job => {
          const params = formatParameters(jobParameters(job), 60);
          return (
            <li
              key={job.id}
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
            </li>
          );
        })}
        {data && data.items.length === 0 && <li className="jp-primehub-Empty">No jobs</li>}
      </ul>
      {data && data.totalPage > 1 && (
        <div className="jp-primehub-Pager">
          <button className="jp-Button jp-mod-minimal" disabled={page <= 1} onClick={() => setPage(p => p - 1)}>
            ‹ Prev
          </button>
          <span>
            Page {data.currentPage} of {data.totalPage}
          </span>
          <button
            className="jp-Button jp-mod-minimal"
            disabled={page >= data.totalPage}
            onClick={() => setPage(p => p + 1)}
          >
            Next ›
          </button>
        </div>
      )}
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
