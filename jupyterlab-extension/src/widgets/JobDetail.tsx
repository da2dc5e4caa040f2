import { Clipboard } from '@jupyterlab/apputils';
import { HTMLSelect, ReactWidget } from '@jupyterlab/ui-components';
import { isTerminalPhase, phfsUri, type ArtifactItem, type Job } from '@primehub-suite/client/browser';
import Papa from 'papaparse';
import * as React from 'react';
import { JobModel } from '../models/JobModel';
import { displayValue, formatDuration, notebookPathsOf } from '../models/notebookJobs';
import type { IPrimeHub } from '../tokens';
import { consoleRoot } from './SignIn';
import { InfoTable } from './InfoTable';
import { useSignal } from './useSignal';
import { ErrorText } from './ErrorText';

/** What the job tab can ask the rest of JupyterLab to do. */
export interface IJobDetailActions {
  openPath(path: string): void;
  /** Writes bytes to a server path (creating folders); used for "download into workspace". */
  saveFile(path: string, data: Blob): Promise<void>;
  rerun(job: Job, edit: boolean): Promise<void>;
  /** The job was seen to end (the lists and notifications need not wait for their next poll). */
  ended(job: Job): void;
  /** Opens the Deploy dialog for a model URI (when deployments are there). */
  deploy?(request: { uri: string; name?: string }): void;
}

/** Files that make an artifact folder a model a pre-packaged server can serve. */
const MODEL_FILES = new Set(['MLmodel', 'model.joblib', 'saved_model.pb', 'model.pt', 'model.pth']);

const MAX_LOG_LINES = 5000;
const PREVIEW_BYTES = 2 * 1024 * 1024;

async function blobOf(body: AsyncIterable<Uint8Array>, type = ''): Promise<Blob> {
  const parts: BlobPart[] = [];
  for await (const chunk of body) {
    parts.push(chunk as unknown as BlobPart);
  }
  return new Blob(parts, { type });
}

function kindOf(name: string): 'image' | 'csv' | 'notebook' | 'text' | 'binary' {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  if (['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp'].includes(ext)) {
    return 'image';
  }
  if (ext === 'csv' || ext === 'tsv') {
    return 'csv';
  }
  if (ext === 'ipynb') {
    return 'notebook';
  }
  if (['txt', 'log', 'md', 'json', 'py', 'yaml', 'yml', 'out', 'err', 'html', 'xml', 'sh'].includes(ext)) {
    return 'text';
  }
  return 'binary';
}

/** The artifacts in a folder and all its subfolders. */
export function inArtifactFolder(items: ReadonlyArray<ArtifactItem>, dir: string): string[] {
  return items.filter(i => i.name.startsWith(`${dir}/`)).map(i => i.name);
}

/**
 * A job's log, followed live while the job runs. `onEnd` is called when a followed log ends, which
 * the client's stream does only once the job has ended.
 */
function LogView(props: { hub: IPrimeHub; job: Job; onEnd: () => void }): React.ReactElement {
  const { hub, job, onEnd } = props;
  const [lines, setLines] = React.useState<string[]>([]);
  const [follow, setFollow] = React.useState(!isTerminalPhase(job.phase));
  const [tail, setTail] = React.useState(2000);
  const [error, setError] = React.useState('');
  const pre = React.useRef<HTMLPreElement>(null);

  React.useEffect(() => {
    const ac = new AbortController();
    setLines([]);
    setError('');
    void (async () => {
      const buffer: string[] = [];
      let flush: number | undefined;
      try {
        for await (const line of hub.client.jobs.logs(job.id, {
          follow,
          tail: tail > 0 ? tail : undefined,
          signal: ac.signal
        })) {
          buffer.push(line);
          flush ??= window.setTimeout(() => {
            flush = undefined;
            const add = buffer.splice(0);
            setLines(l => [...l, ...add].slice(-MAX_LOG_LINES));
          }, 100);
        }
        window.clearTimeout(flush);
        const add = buffer.splice(0);
        setLines(l => [...l, ...add].slice(-MAX_LOG_LINES));
        if (follow && !ac.signal.aborted) {
          onEnd();
        }
      } catch (err) {
        if (!ac.signal.aborted) {
          setError(hub.describe('Reading the log', err));
        }
      }
    })();
    return () => ac.abort();
  }, [job.id, follow, tail]);

  React.useEffect(() => {
    if (follow && pre.current) {
      pre.current.scrollTop = pre.current.scrollHeight;
    }
  }, [lines]);

  const download = async (): Promise<void> => {
    try {
      const all: string[] = [];
      for await (const line of hub.client.jobs.logs(job.id)) {
        all.push(line);
      }
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([all.join('\n') + '\n'], { type: 'text/plain' }));
      a.download = `${job.id}.log`;
      a.click();
      URL.revokeObjectURL(a.href);
    } catch (err) {
      setError(hub.describe('Downloading the log', err));
    }
  };

  return (
    <div className="jp-primehub-Log">
      <div className="jp-primehub-Toolbar">
        <label>
          <input type="checkbox" checked={follow} onChange={e => setFollow(e.target.checked)} /> Follow
        </label>
        <label>
          Last{' '}
          <HTMLSelect aria-label="Log lines" value={tail} onChange={e => setTail(Number(e.currentTarget.value))}>
            <option value={100}>100 lines</option>
            <option value={2000}>2000 lines</option>
            <option value={0}>all lines</option>
          </HTMLSelect>
        </label>
        <button
          className="jp-Button jp-mod-minimal"
          title="Scroll to the last line (where an error usually is)"
          onClick={() => {
            if (pre.current) {
              pre.current.scrollTop = pre.current.scrollHeight;
            }
          }}
        >
          Jump to end
        </button>
        <button className="jp-Button jp-mod-minimal" onClick={() => void download()}>
          Download log
        </button>
      </div>
      <ErrorText text={error} />
      <pre ref={pre} className="jp-primehub-LogText" data-testid="job-log">
        {lines.length === 0 ? (isTerminalPhase(job.phase) ? '(no log)' : '(waiting for output…)') : lines.join('\n')}
      </pre>
    </div>
  );
}

function Preview(props: { name: string; blob: Blob }): React.ReactElement {
  const kind = kindOf(props.name);
  const [text, setText] = React.useState<string | null>(null);
  const url = React.useMemo(() => (kind === 'image' ? URL.createObjectURL(props.blob) : ''), [props.blob]);
  React.useEffect(() => {
    if (kind !== 'image') {
      void props.blob.text().then(setText);
    }
    return () => {
      if (url) {
        URL.revokeObjectURL(url);
      }
    };
  }, [props.blob]);
  if (kind === 'image') {
    return <img className="jp-primehub-PreviewImage" src={url} alt={props.name} />;
  }
  if (text === null) {
    return <div>Loading…</div>;
  }
  if (kind === 'csv') {
    const rows = Papa.parse<string[]>(text.trim(), { skipEmptyLines: true }).data.slice(0, 201);
    return (
      <table className="jp-primehub-CsvTable">
        <thead>
          <tr>
            {(rows[0] ?? []).map((c, i) => (
              <th key={i}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(1).map((r, i) => (
            <tr key={i}>
              {r.map((c, j) => (
                <td key={j}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  if (kind === 'notebook') {
    let cells: Array<{ cell_type: string; source: string | string[] }> = [];
    try {
      cells = JSON.parse(text).cells ?? [];
    } catch {
      return <pre className="jp-primehub-PreviewText">{text}</pre>;
    }
    return (
      <div className="jp-primehub-PreviewNotebook">
        {cells.map((c, i) => (
          <pre key={i} className={`jp-primehub-PreviewCell jp-primehub-PreviewCell-${c.cell_type}`}>
            {Array.isArray(c.source) ? c.source.join('') : c.source}
          </pre>
        ))}
      </div>
    );
  }
  return <pre className="jp-primehub-PreviewText">{text}</pre>;
}

function Artifacts(props: {
  hub: IPrimeHub;
  job: Job;
  actions: IJobDetailActions;
  target: string;
}): React.ReactElement {
  const { hub, job } = props;
  const [items, setItems] = React.useState<ArtifactItem[] | null>(null);
  const [preview, setPreview] = React.useState<{ name: string; blob: Blob } | null>(null);
  const [status, setStatus] = React.useState('');
  const [error, setError] = React.useState('');

  const load = React.useCallback(async () => {
    try {
      setItems((await hub.client.jobs.artifacts(job.id)).filter(i => !i.name.startsWith('.metadata/')));
      setError('');
    } catch (err) {
      setError(hub.describe('Listing artifacts', err));
    }
  }, [job.id]);
  React.useEffect(() => void load(), [load, job.phase]);

  const fetchBlob = async (name: string): Promise<Blob> => {
    const dl = await hub.client.jobs.downloadArtifact(job.id, name);
    return blobOf(dl.body);
  };

  const show = async (item: ArtifactItem): Promise<void> => {
    if ((item.size ?? 0) > PREVIEW_BYTES || kindOf(item.name) === 'binary') {
      setPreview(null);
      setStatus(`${item.name}: no preview (${kindOf(item.name) === 'binary' ? 'binary file' : 'over 2 MB'})`);
      return;
    }
    try {
      setPreview({ name: item.name, blob: await fetchBlob(item.name) });
      setStatus('');
    } catch (err) {
      setError(hub.describe(`Opening ${item.name}`, err));
    }
  };

  const download = async (names: string[]): Promise<void> => {
    try {
      for (const [i, name] of names.entries()) {
        setStatus(`Downloading ${i + 1} of ${names.length}: ${name}`);
        await props.actions.saveFile(`${props.target}/${name}`, await fetchBlob(name));
      }
      setStatus(`Downloaded ${names.length} file${names.length === 1 ? '' : 's'} into ${props.target}/`);
    } catch (err) {
      setError(hub.describe('Downloading artifacts', err));
    }
  };

  const folders = new Map<string, ArtifactItem[]>();
  for (const item of items ?? []) {
    const dir = item.name.includes('/') ? item.name.slice(0, item.name.lastIndexOf('/')) : '';
    folders.set(dir, [...(folders.get(dir) ?? []), item]);
  }
  // a folder holding a model, deployed from PHFS where PrimeHub keeps the job's artifacts
  const deploy = props.actions.deploy;
  const deployButton = (dir: string, files: ArtifactItem[]): React.ReactNode =>
    deploy &&
    files.some(f => MODEL_FILES.has(f.name.split('/').pop() ?? '')) && (
      <button
        className="jp-Button jp-mod-minimal"
        title="Serve the model in this folder behind an endpoint"
        data-deploy-folder={dir}
        onClick={() =>
          deploy({
            uri: phfsUri(hub.client.jobs.artifactPath(job.id, dir)).replace(/\/+$/, ''),
            ...(dir ? {} : { name: job.displayName ?? job.id })
          })
        }
      >
        Deploy…
      </button>
    );

  return (
    <div className="jp-primehub-Artifacts">
      <div className="jp-primehub-Toolbar">
        <button className="jp-Button jp-mod-minimal" onClick={() => void load()}>
          Refresh
        </button>
        {items && items.length > 0 && (
          <button className="jp-Button jp-mod-minimal" onClick={() => void download(items.map(i => i.name))}>
            Download all into {props.target}/
          </button>
        )}
      </div>
      <p className="jp-primehub-Help">
        Artifacts are what the job wrote to <code>$HOME/artifacts/</code> (not the notebook's folder); PrimeHub keeps
        them 7 days, at most 100 MB / 1000 files.
      </p>
      <ErrorText text={error} />
      {status && <div className="jp-primehub-Help">{status}</div>}
      {items && items.length === 0 && <div className="jp-primehub-Empty">No artifacts</div>}
      <ul className="jp-primehub-ArtifactTree" aria-label="Artifacts">
        {[...folders.entries()].map(([dir, files]) => (
          <li key={dir}>
            {dir ? (
              <span className="jp-primehub-Folder">
                {dir}/{' '}
                <button
                  className="jp-Button jp-mod-minimal"
                  title="Download this folder with its subfolders"
                  onClick={() => void download(inArtifactFolder(items ?? [], dir))}
                >
                  Download folder
                </button>
                {deployButton(dir, files)}
              </span>
            ) : (
              deployButton(dir, files) && (
                <span className="jp-primehub-Folder">artifacts/ {deployButton(dir, files)}</span>
              )
            )}
            <ul>
              {files.map(f => (
                <li key={f.name} className="jp-primehub-Artifact" data-artifact={f.name}>
                  <a href="#" onClick={e => (e.preventDefault(), void show(f))}>
                    {dir ? f.name.slice(dir.length + 1) : f.name}
                  </a>{' '}
                  <span className="jp-primehub-JobMeta">{f.size ?? '?'} B</span>{' '}
                  <button className="jp-Button jp-mod-minimal" onClick={() => void download([f.name])}>
                    Download
                  </button>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      {preview && (
        <div className="jp-primehub-Preview" data-testid="artifact-preview">
          <div className="jp-primehub-Section">{preview.name}</div>
          <Preview name={preview.name} blob={preview.blob} />
        </div>
      )}
    </div>
  );
}

/** A parameter's value as typed; a long one is cut to a few lines, the whole of it a click away. */
function ParameterValue(props: { value: string }): React.ReactElement {
  const [open, setOpen] = React.useState(false);
  const long = props.value.length > 300 || props.value.split('\n').length > 6;
  return (
    <div className={`jp-primehub-ParamValue${long && !open ? ' jp-primehub-ParamValue-clipped' : ''}`}>
      <pre>{props.value}</pre>
      {long && (
        <button className="jp-Button jp-mod-minimal jp-primehub-More" onClick={() => setOpen(o => !o)}>
          {open ? 'Show less' : `Show all ${props.value.length.toLocaleString()} characters`}
        </button>
      )}
    </div>
  );
}

function Detail(props: { hub: IPrimeHub; model: JobModel; actions: IJobDetailActions }): React.ReactElement {
  const { hub, model } = props;
  useSignal(model.changed);
  const job = model.job;
  const [actionError, setActionError] = React.useState('');
  const [tab, setTab] = React.useState<'log' | 'artifacts'>('log');
  const [note, setNote] = React.useState('');
  const error = actionError || model.error;

  if (!job) {
    return <div className="jp-primehub-Detail">{error || 'Loading…'}</div>;
  }
  const config = hub.config;
  const nb = notebookPathsOf(job, config?.groupVolume ?? null);
  const output = nb?.output ?? null;
  const act = async (what: string, label: string, action: () => Promise<unknown>): Promise<void> => {
    try {
      await action();
      setNote(label);
      setActionError('');
    } catch (err) {
      setActionError(hub.describe(what, err));
    }
  };
  const rows: Array<[string, React.ReactNode]> = [
    ['Status', <span className={`jp-primehub-Phase jp-primehub-Phase-${job.phase}`}>{job.phase}</span>],
    [
      'Message',
      <span className="jp-primehub-Message" data-testid="job-message">
        {model.failure && model.failure !== job.message ? model.failure : (job.message ?? '')}
      </span>
    ],
    ['Job ID', job.id],
    ['User', job.userName ?? ''],
    ['Group', job.groupName ?? ''],
    ['Instance type', job.instanceType?.displayName ?? job.instanceType?.name ?? ''],
    ['Image', job.image ?? ''],
    ['Created', job.createTime ? new Date(job.createTime).toLocaleString() : ''],
    ['Duration', formatDuration(job)],
    ['Recurring job', job.schedule ?? '–']
  ];
  const target = `${config?.groupVolume ? `${config.groupVolume}/` : ''}job-artifacts/${job.id}`;

  return (
    <div className="jp-primehub-Detail">
      <div className="jp-primehub-Header">
        <h2 className="jp-primehub-Title">{job.displayName ?? job.id}</h2>
        <div className="jp-primehub-RowActions">
          {!isTerminalPhase(job.phase) && (
            <button
              className="jp-Button jp-mod-styled jp-mod-warn"
              onClick={() => void model.cancel().then(ok => setNote(ok ? 'Cancelled' : ''))}
            >
              Cancel
            </button>
          )}
          <button
            className="jp-Button jp-mod-styled"
            onClick={() => void act('Rerunning the job', 'Rerun submitted', () => props.actions.rerun(job, false))}
          >
            Rerun
          </button>
          {nb?.input && (
            <button
              className="jp-Button jp-mod-styled"
              onClick={() => void act('Rerunning the job', '', () => props.actions.rerun(job, true))}
            >
              Rerun with edited parameters
            </button>
          )}
          {output && job.phase !== 'Pending' && (
            <button className="jp-Button jp-mod-styled jp-mod-accept" onClick={() => props.actions.openPath(output)}>
              Open output notebook
            </button>
          )}
          {!config?.isLocal && (
            <a
              className="jp-Button jp-mod-styled"
              href={`${consoleRoot(config)}/g/${encodeURIComponent(job.groupName ?? hub.group ?? '')}/job/${job.id}`}
              target="_blank"
              rel="noreferrer"
            >
              Open in PrimeHub
            </a>
          )}
          <button
            className="jp-Button jp-mod-minimal"
            onClick={() => (Clipboard.copyToSystem(job.id), setNote('Copied the job id'))}
          >
            Copy id
          </button>
        </div>
      </div>
      <ErrorText text={error} alert />
      {note && <div className="jp-primehub-Help">{note}</div>}
      <InfoTable rows={rows} />
      {nb && (
        <>
          <div className="jp-primehub-Section">Parameters</div>
          <table className="jp-primehub-Info" data-testid="job-parameters">
            <tbody>
              {Object.entries(nb.parameters).map(([k, v]) => (
                <tr key={k}>
                  <th>{k}</th>
                  <td data-param={k}>
                    <ParameterValue value={displayValue(v)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {!nb && job.command && <pre className="jp-primehub-PreviewText">{job.command}</pre>}
      <div className="jp-primehub-Tabs" role="tablist">
        <button role="tab" aria-selected={tab === 'log'} onClick={() => setTab('log')}>
          Log
        </button>
        <button role="tab" aria-selected={tab === 'artifacts'} onClick={() => setTab('artifacts')}>
          Artifacts
        </button>
      </div>
      {tab === 'log' ? (
        <LogView hub={hub} job={job} onEnd={() => void model.refresh()} />
      ) : (
        <Artifacts hub={hub} job={job} actions={props.actions} target={target} />
      )}
    </div>
  );
}

/** A job's main-area tab: renders its JobModel, which polls until the job ends. */
export class JobDetail extends ReactWidget {
  readonly model: JobModel;

  constructor(
    private readonly hub: IPrimeHub,
    readonly jobId: string,
    private readonly actions: IJobDetailActions
  ) {
    super();
    this.addClass('jp-primehub-JobDetail');
    this.model = new JobModel(hub, jobId);
    this.model.changed.connect(this.onModelChanged, this);
    this.model.start();
  }

  private onModelChanged(): void {
    const job = this.model.job;
    if (job && this.model.ended) {
      this.model.changed.disconnect(this.onModelChanged, this);
      this.actions.ended(job);
    }
  }

  override dispose(): void {
    this.model.dispose();
    super.dispose();
  }

  render(): React.ReactElement {
    return <Detail hub={this.hub} model={this.model} actions={this.actions} />;
  }
}
