import { HTMLSelect, ReactWidget } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import type { Schedule } from '@primehub-suite/client/browser';
import { sweepIdOf } from '@primehub-suite/client/compare';
import { useVirtualizer } from '@tanstack/react-virtual';
import * as React from 'react';
import { serverExtension } from '../api';
import { confirmDanger } from '../dialogs';
import { JobsListModel } from '../models/JobsListModel';
import { DeploymentsModel } from '../models/DeploymentsModel';
import { ModelsModel } from '../models/ModelsModel';
import { formatDuration, formatParameters, jobParameters } from '../models/notebookJobs';
import { SchedulesModel } from '../models/SchedulesModel';
import { SshModel } from '../models/SshModel';
import type { ICompareRequest, IPrimeHub } from '../tokens';
import { DeploymentsSection, type IDeploymentActions } from './DeploymentsSection';
import { ModelsSection } from './ModelsSection';
import { SignInForm, tokenFileOf } from './SignIn';
import { SshSection } from './SshSection';
import { useSignal } from './useSignal';
import { ErrorText } from './ErrorText';

/** The panel's sections. */
export type PanelTab = 'jobs' | 'recurring' | 'models' | 'deployments' | 'ssh';

export interface ISidePanelActions {
  openJob(id: string): void;
  deleteSchedule(schedule: Schedule): Promise<void>;
  /** Opens a Compare tab (undefined when the compare command is not there). */
  compare?(request: ICompareRequest): void;
  /** Opens the Authorize an SSH key dialog. */
  addSshKey(): void;
  /** Opens the Deploy dialog and a deployment's tab. */
  deployments: IDeploymentActions;
}

/** A row's estimated height (px) before it is measured. */
const ROW_ESTIMATE = 58;

function JobRow(props: { model: JobsListModel; index: number; openJob: (id: string) => void }): React.ReactElement {
  const job = props.model.jobAt(props.index);
  if (!job) {
    return <div className="jp-primehub-JobRow jp-primehub-JobRow-loading">Loading…</div>;
  }
  const params = formatParameters(jobParameters(job), 60);
  const selected = props.model.isSelected(job.id);
  const sweep = sweepIdOf(job);
  return (
    <div
      className={`jp-primehub-JobRow${selected ? ' jp-mod-selected' : ''}`}
      data-job-id={job.id}
      data-phase={job.phase ?? ''}
      {...(sweep ? { 'data-sweep-id': sweep } : {})}
      aria-selected={selected}
      onClick={e => {
        if (e.ctrlKey || e.metaKey || e.shiftKey) {
          e.preventDefault();
          props.model.select(props.index, e.shiftKey ? 'range' : 'toggle');
        } else {
          props.openJob(job.id);
        }
      }}
      title={`${job.id} — open details (Ctrl-click or Shift-click to pick several and compare their runs)`}
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

/** How to make a first job, where "No jobs" would say nothing. */
function NoJobs(props: { filtered: boolean }): React.ReactElement {
  if (props.filtered) {
    return <div className="jp-primehub-Empty">No jobs match.</div>;
  }
  return (
    <div className="jp-primehub-Empty jp-primehub-FirstJob" data-testid="no-jobs">
      <p>No jobs in this group yet.</p>
      <p>
        To run a notebook as a job, open it and press the PrimeHub button in its toolbar, or right-click it in the file
        browser and choose <em>Submit Notebook as PrimeHub Job…</em>. Tag a cell <code>parameters</code> to get a form
        for its values.
      </p>
    </div>
  );
}

/**
 * The group's jobs as one windowed list: only the rows in view are rendered, and only the
 * server's pages behind them are fetched (by the model's poll), so thousands of jobs scroll like ten.
 */
/** The jobs picked in the list: how many, Compare, and Clear. */
function SelectionBar(props: {
  model: JobsListModel;
  compare?: (request: ICompareRequest) => void;
}): React.ReactElement | null {
  const { model, compare } = props;
  const n = model.selected.length;
  if (n === 0) {
    return null;
  }
  return (
    <div className="jp-primehub-SelectionBar" data-testid="job-selection">
      <span>
        {n} job{n === 1 ? '' : 's'} selected
      </span>
      {compare && (
        <button
          className="jp-Button jp-mod-styled jp-mod-accept"
          onClick={() => compare({ jobIds: [...model.selected] })}
          title="Compare the MLflow runs of the jobs selected"
        >
          Compare runs
        </button>
      )}
      <button className="jp-Button jp-mod-minimal" onClick={() => model.clearSelection()}>
        Clear
      </button>
    </div>
  );
}

function JobsList(props: {
  model: JobsListModel;
  openJob: (id: string) => void;
  compare?: (request: ICompareRequest) => void;
}): React.ReactElement {
  const { model } = props;
  useSignal(model.changed);
  const [search, setSearch] = React.useState(model.filter.search);
  const scroller = React.useRef<HTMLDivElement>(null);

  React.useEffect(() => {
    const t = window.setTimeout(() => (model.filter = { ...model.filter, search: search.trim() }), 300);
    return () => window.clearTimeout(t);
  }, [search]);

  const count = model.total;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_ESTIMATE,
    overscan: 5
  });
  const rows = virtualizer.getVirtualItems();
  const firstRow = rows.length ? rows[0].index : 0;
  const lastRow = rows.length ? rows[rows.length - 1].index : 0;

  // The pages behind the rows in view, once scrolling settles.
  React.useEffect(() => {
    const t = window.setTimeout(() => model.setWindow(firstRow, lastRow), 100);
    return () => window.clearTimeout(t);
  }, [firstRow, lastRow]);

  // A new filter or group starts from the top.
  React.useEffect(() => {
    if (!model.loaded) {
      scroller.current?.scrollTo({ top: 0 });
    }
  }, [model.loaded]);

  // How long a fetched update takes to reach the DOM (read by test/bench/jupyterlab-jobs-list.mjs).
  React.useLayoutEffect(() => {
    if (performance.getEntriesByName('primehub-jobs-data', 'mark').length) {
      performance.measure('primehub-jobs-update', 'primehub-jobs-data');
      performance.clearMarks('primehub-jobs-data');
    }
  });

  const filtered = model.filter.mine || model.filter.search !== '';
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
            checked={model.filter.mine}
            onChange={e => (model.filter = { ...model.filter, mine: e.target.checked })}
          />{' '}
          Mine
        </label>
      </div>
      <ErrorText text={model.error} alert />
      {model.loaded && (
        <div className="jp-primehub-Help jp-primehub-JobCount">
          {count === 0 ? 'No jobs' : `${count.toLocaleString()} job${count === 1 ? '' : 's'}`}
        </div>
      )}
      <SelectionBar model={model} compare={props.compare} />
      {model.loaded && count === 0 && <NoJobs filtered={filtered} />}
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
              <JobRow model={model} index={row.index} openJob={props.openJob} />
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}

function recurrenceText(s: Schedule): string {
  const r = s.recurrence;
  if (!r || r.type === 'inactive') {
    return r?.cron ? `paused (${r.cron})` : 'on demand';
  }
  return r.cron ?? r.type ?? '';
}

function SchedulesList(props: {
  model: SchedulesModel;
  openJob: (id: string) => void;
  compare?: (request: ICompareRequest) => void;
}): React.ReactElement {
  const compare = props.compare;
  const { model } = props;
  useSignal(model.changed);
  const paused = (s: Schedule): boolean => s.recurrence?.type === 'inactive';
  return (
    <div className="jp-primehub-Schedules">
      <ErrorText text={model.error} alert />
      {model.note && <div className="jp-primehub-Help">{model.note}</div>}
      <ul className="jp-primehub-JobList" aria-label="Recurring jobs">
        {model.items?.map(s => (
          <li key={s.id} className="jp-primehub-ScheduleRow" data-schedule-id={s.id}>
            <span className="jp-primehub-JobName">{s.displayName ?? s.id}</span>
            <span className="jp-primehub-JobMeta">
              {recurrenceText(s)}
              {s.nextRunTime && !paused(s) ? ` · next ${new Date(s.nextRunTime).toLocaleString()}` : ''}
            </span>
            <span className="jp-primehub-RowActions">
              <button
                className="jp-Button jp-mod-minimal"
                onClick={() =>
                  void model.trigger(s).then(id => {
                    if (id) {
                      props.openJob(id);
                    }
                  })
                }
              >
                Trigger now
              </button>
              {paused(s) ? (
                s.recurrence?.cron && (
                  <button className="jp-Button jp-mod-minimal" onClick={() => void model.resume(s)}>
                    Resume
                  </button>
                )
              ) : (
                <button className="jp-Button jp-mod-minimal" onClick={() => void model.pause(s)}>
                  Pause
                </button>
              )}
              {compare && (
                <button
                  className="jp-Button jp-mod-minimal"
                  title="Compare the MLflow runs of the jobs it ran"
                  onClick={() => compare({ scheduleId: s.id, label: s.displayName ?? s.id })}
                >
                  Compare runs
                </button>
              )}
              <button
                className="jp-Button jp-mod-minimal"
                onClick={() =>
                  void confirmDanger(
                    'Delete recurring job?',
                    `"${s.displayName ?? s.id}" will not run again. Jobs it already ran are kept.`,
                    'Delete'
                  ).then(yes => (yes ? model.delete(s) : undefined))
                }
              >
                Delete
              </button>
            </span>
          </li>
        ))}
        {model.items && model.items.length === 0 && (
          <li className="jp-primehub-Empty">
            No recurring jobs. Choose <em>Recurring</em> under <em>Run</em> when you submit a notebook.
          </li>
        )}
      </ul>
    </div>
  );
}

function GroupSwitcher(props: { hub: IPrimeHub }): React.ReactElement {
  const { hub } = props;
  const groups = hub.groups;
  return (
    <label className="jp-primehub-Group">
      Group{' '}
      <HTMLSelect aria-label="Group" value={hub.group ?? ''} onChange={e => hub.setGroup(e.currentTarget.value)}>
        {groups.length === 0 && <option value={hub.group ?? ''}>{hub.group}</option>}
        {groups.map(g => (
          <option key={g.name} value={g.name}>
            {g.displayName || g.name}
          </option>
        ))}
      </HTMLSelect>
    </label>
  );
}

async function signOut(hub: IPrimeHub, setError: (e: string) => void): Promise<void> {
  const file = tokenFileOf(hub.config);
  const yes = await confirmDanger(
    'Sign out of PrimeHub?',
    `This JupyterLab stops using your API token until you paste one again: it is removed from ${file}, whose other settings are kept.${
      hub.config?.isLocal ? " PrimeHub Local's own config.json is not touched." : ''
    }`,
    'Sign out'
  );
  if (yes) {
    try {
      await hub.signOut();
    } catch (err) {
      setError(hub.describe('Signing out', err));
    }
  }
}

function Panel(props: {
  hub: IPrimeHub;
  jobs: JobsListModel;
  schedules: SchedulesModel;
  models: ModelsModel;
  deployments: DeploymentsModel;
  ssh: SshModel;
  tab: PanelTab;
  setTab: (tab: PanelTab) => void;
  actions: ISidePanelActions;
}): React.ReactElement {
  const { hub, tab } = props;
  const [error, setError] = React.useState('');
  useSignal(hub.changed);

  if (!hub.config) {
    return hub.connectError ? (
      <div className="jp-primehub-Panel">
        <ErrorText text={hub.connectError} alert />
        <button className="jp-Button jp-mod-styled" onClick={() => void hub.connect()}>
          Try again
        </button>
      </div>
    ) : (
      <div className="jp-primehub-Empty">Connecting to the PrimeHub server extension…</div>
    );
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
        <button role="tab" aria-selected={tab === 'jobs'} onClick={() => props.setTab('jobs')}>
          Jobs
        </button>
        <button role="tab" aria-selected={tab === 'recurring'} onClick={() => props.setTab('recurring')}>
          Recurring jobs
        </button>
        <button role="tab" aria-selected={tab === 'models'} onClick={() => props.setTab('models')}>
          Models
        </button>
        <button role="tab" aria-selected={tab === 'deployments'} onClick={() => props.setTab('deployments')}>
          Deployments
        </button>
        <button role="tab" aria-selected={tab === 'ssh'} onClick={() => props.setTab('ssh')}>
          SSH
        </button>
      </div>
      {tab === 'jobs' && (
        <JobsList model={props.jobs} openJob={props.actions.openJob} compare={props.actions.compare} />
      )}
      {tab === 'recurring' && (
        <SchedulesList model={props.schedules} openJob={props.actions.openJob} compare={props.actions.compare} />
      )}
      {tab === 'models' && <ModelsSection hub={hub} model={props.models} deploy={props.actions.deployments.deploy} />}
      {tab === 'deployments' && <DeploymentsSection model={props.deployments} actions={props.actions.deployments} />}
      {tab === 'ssh' && <SshSection hub={hub} model={props.ssh} addKey={props.actions.addSshKey} />}
      <ErrorText text={error} alert />
      <div className="jp-primehub-Footer">
        <button className="jp-Button jp-mod-minimal" onClick={() => void signOut(hub, setError)}>
          Sign out
        </button>
      </div>
    </div>
  );
}

/** The left-area PrimeHub panel; its lists are polled only while it shows them. */
export class SidePanel extends ReactWidget {
  readonly jobs: JobsListModel;
  readonly schedules: SchedulesModel;
  readonly models: ModelsModel;
  readonly deployments: DeploymentsModel;
  readonly ssh: SshModel;
  private tab: PanelTab = 'jobs';

  constructor(
    private readonly hub: IPrimeHub,
    private readonly actions: ISidePanelActions
  ) {
    super();
    this.addClass('jp-primehub-SidePanel');
    this.jobs = new JobsListModel(hub);
    this.schedules = new SchedulesModel(hub, actions.deleteSchedule);
    this.models = new ModelsModel(hub);
    this.deployments = new DeploymentsModel(hub);
    this.ssh = new SshModel(hub, serverExtension);
    this.syncActive();
    this.jobs.start();
    this.schedules.start();
    this.models.start();
    this.deployments.start();
    this.ssh.start();
  }

  /** Shows one of the panel's sections. */
  showTab(tab: PanelTab): void {
    this.tab = tab;
    this.syncActive();
    this.update();
  }

  override dispose(): void {
    this.jobs.dispose();
    this.schedules.dispose();
    this.models.dispose();
    this.deployments.dispose();
    this.ssh.dispose();
    super.dispose();
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.syncActive();
  }

  protected override onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.syncActive();
  }

  render(): React.ReactElement {
    return (
      <Panel
        hub={this.hub}
        jobs={this.jobs}
        schedules={this.schedules}
        models={this.models}
        deployments={this.deployments}
        ssh={this.ssh}
        tab={this.tab}
        setTab={tab => this.showTab(tab)}
        actions={this.actions}
      />
    );
  }

  /** Only the list in view polls, and only while the panel is visible. */
  private syncActive(): void {
    this.jobs.active = this.isVisible && this.tab === 'jobs';
    this.schedules.active = this.isVisible && this.tab === 'recurring';
    this.models.active = this.isVisible && this.tab === 'models';
    this.deployments.active = this.isVisible && this.tab === 'deployments';
    this.ssh.active = this.isVisible && this.tab === 'ssh';
  }
}
