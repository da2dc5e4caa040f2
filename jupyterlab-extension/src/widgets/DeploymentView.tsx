import { Clipboard } from '@jupyterlab/apputils';
import { HTMLSelect, ReactWidget } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import { curlCommand, pythonRequestsCode, type RequestForm } from '@primehub-suite/client/deployments';
import * as React from 'react';
import { DeploymentModel } from '../models/DeploymentModel';
import { REQUEST_FORMS, TesterModel } from '../models/TesterModel';
import type { IPrimeHub } from '../tokens';
import { InfoTable } from './InfoTable';
import { DeploymentStatus, Endpoint } from './DeploymentsSection';
import { useSignal } from './useSignal';

/** Lines of a pod log kept in view. */
const LOG_LINES = 2000;

/** What a deployment tab does outside itself. */
export interface IDeploymentViewActions {
  /** Adds a code cell with `code` below the active cell of the current notebook. */
  insertCell(code: string): void;
}

/** The model server's log (the deployment's first pod), read again on Refresh. */
function PodLog(props: { hub: IPrimeHub; id: string; status: string | null }): React.ReactElement {
  const { hub, id } = props;
  const [lines, setLines] = React.useState<string[] | null>(null);
  const [error, setError] = React.useState('');
  const [generation, setGeneration] = React.useState(0);
  React.useEffect(() => {
    const ac = new AbortController();
    void (async () => {
      const read: string[] = [];
      try {
        for await (const line of hub.client.deployments.logs(id, { tail: LOG_LINES, signal: ac.signal })) {
          read.push(line);
        }
        setLines(read);
        setError('');
      } catch (err) {
        if (!ac.signal.aborted) {
          setLines(read);
          setError(hub.describe('Reading the model server log', err));
        }
      }
    })();
    return () => ac.abort();
  }, [id, generation, props.status]);
  return (
    <div className="jp-primehub-Log">
      <div className="jp-primehub-Toolbar">
        <button className="jp-Button jp-mod-minimal" onClick={() => setGeneration(g => g + 1)}>
          Refresh
        </button>
      </div>
      {error && <div className="jp-primehub-Error">{error}</div>}
      <pre className="jp-primehub-LogText" data-testid="deployment-log">
        {lines === null ? 'Loading…' : lines.length ? lines.join('\n') : '(no log lines yet)'}
      </pre>
    </div>
  );
}

/** An answer's body: a names → values table when it is tabular, else its JSON or text. */
function Answer(props: { tester: TesterModel }): React.ReactElement | null {
  const { result, table } = props.tester;
  if (!result) {
    return null;
  }
  return (
    <div className="jp-primehub-Answer" data-testid="answer" data-status={result.status}>
      <div className="jp-primehub-Help" data-testid="answer-status">
        HTTP {result.status} · {result.latencyMs} ms
      </div>
      {result.error && (
        <div className="jp-primehub-Error" role="alert" data-testid="answer-error">
          {result.error}
        </div>
      )}
      {table ? (
        <table className="jp-primehub-Info jp-primehub-Prediction" data-testid="prediction-table">
          <thead>
            <tr>
              <th>#</th>
              {table.columns.map(c => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row, i) => (
              <tr key={i}>
                <th>{i}</th>
                {row.map((v, j) => (
                  <td key={j} data-column={table.columns[j]}>
                    {typeof v === 'number' ? String(Number(v.toPrecision(6))) : JSON.stringify(v)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <pre className="jp-primehub-PreviewText" data-testid="answer-body">
          {typeof result.body === 'string' ? result.body : JSON.stringify(result.body, null, 2)}
        </pre>
      )}
    </div>
  );
}

/** A private endpoint's client credentials: typed in, or a client made here (its token shown once). */
function Credentials(props: { tester: TesterModel }): React.ReactElement {
  const { tester } = props;
  return (
    <div className="jp-primehub-Grid" data-testid="credentials">
      <label className="jp-primehub-GridLabel" htmlFor="ph-try-client">
        Client name
      </label>
      <div className="jp-primehub-Inline">
        <input
          id="ph-try-client"
          className="jp-mod-styled"
          value={tester.username}
          autoComplete="off"
          spellCheck={false}
          onChange={e => tester.setCredentials(e.target.value, tester.password)}
        />
        <button
          className="jp-Button jp-mod-styled"
          disabled={!tester.username.trim() || tester.creatingClient}
          title="Create a client of this name; PrimeHub shows its token once, kept in this tab only"
          onClick={() => void tester.createClient(tester.username)}
        >
          Create client
        </button>
      </div>
      <label className="jp-primehub-GridLabel" htmlFor="ph-try-token">
        Client token
      </label>
      <div>
        <input
          id="ph-try-token"
          className="jp-mod-styled"
          type="password"
          value={tester.password}
          autoComplete="off"
          onChange={e => tester.setCredentials(tester.username, e.target.value)}
        />
        <div className="jp-primehub-Help">Kept in this tab only; copied snippets carry a placeholder instead.</div>
      </div>
    </div>
  );
}

/** The endpoint tester: the request in one of Seldon's forms, Send, and the answer. */
function TryIt(props: {
  tester: TesterModel;
  endpoint: string;
  isPrivate: boolean;
  actions: IDeploymentViewActions;
}): React.ReactElement {
  const { tester, endpoint, isPrivate } = props;
  useSignal(tester.changed);
  const [note, setNote] = React.useState('');
  const { problem } = tester.parsed;
  const request = tester.request(endpoint, isPrivate);
  return (
    <div className="jp-primehub-TryIt">
      <div className="jp-primehub-Grid">
        <label className="jp-primehub-GridLabel" htmlFor="ph-try-form">
          Request
        </label>
        <div>
          <HTMLSelect
            id="ph-try-form"
            aria-label="Request form"
            value={tester.form}
            onChange={e => tester.setForm(e.currentTarget.value as RequestForm)}
          >
            {REQUEST_FORMS.map(f => (
              <option key={f.form} value={f.form}>
                {f.label}
              </option>
            ))}
          </HTMLSelect>
          {tester.prefill !== 'none' && (
            <span className="jp-primehub-Help" data-testid="prefill">
              {' '}
              {tester.prefill === 'signature'
                ? "Prefilled from the model's input example or signature"
                : 'The last request sent'}
            </span>
          )}
        </div>
        {tester.namesApply && (
          <>
            <label className="jp-primehub-GridLabel" htmlFor="ph-try-names">
              Names
            </label>
            <input
              id="ph-try-names"
              className="jp-mod-styled"
              value={tester.names}
              placeholder="optional column names, comma-separated"
              spellCheck={false}
              onChange={e => tester.setNames(e.target.value)}
            />
          </>
        )}
        <label className="jp-primehub-GridLabel" htmlFor="ph-try-data">
          {tester.form === 'binData' ? 'File' : 'Data'}
        </label>
        {tester.form === 'binData' ? (
          <input
            id="ph-try-data"
            type="file"
            aria-label="File to send"
            onChange={e => tester.setFile(e.target.files?.[0] ?? null)}
          />
        ) : (
          <textarea
            id="ph-try-data"
            className="jp-mod-styled jp-primehub-Mono jp-primehub-RequestText"
            aria-label="Request data"
            spellCheck={false}
            rows={6}
            value={tester.text}
            onChange={e => tester.setText(e.target.value)}
          />
        )}
      </div>
      {isPrivate && <Credentials tester={tester} />}
      {problem && tester.text && (
        <div className="jp-primehub-Help" data-testid="request-problem">
          {problem}
        </div>
      )}
      <div className="jp-primehub-Toolbar">
        <button
          className="jp-Button jp-mod-styled jp-mod-accept"
          disabled={tester.sending || !!problem}
          onClick={() => void tester.send(endpoint, isPrivate)}
        >
          {tester.sending ? 'Sending…' : 'Send'}
        </button>
        <button
          className="jp-Button jp-mod-styled"
          disabled={!request}
          title="Add a cell that sends this request with Python's requests below the active cell of the current notebook"
          onClick={() => request && props.actions.insertCell(pythonRequestsCode(request))}
        >
          Insert request cell
        </button>
        <button
          className="jp-Button jp-mod-minimal"
          disabled={!request}
          onClick={() => {
            if (request) {
              Clipboard.copyToSystem(curlCommand(request));
              setNote('Copied the curl command');
            }
          }}
        >
          Copy as curl
        </button>
        {note && <span className="jp-primehub-Help">{note}</span>}
      </div>
      {tester.error && (
        <div className="jp-primehub-Error" role="alert" data-testid="send-error">
          {tester.error}
        </div>
      )}
      <Answer tester={tester} />
    </div>
  );
}

function Detail(props: {
  hub: IPrimeHub;
  model: DeploymentModel;
  tester: TesterModel;
  view: 'try' | 'log';
  setView: (view: 'try' | 'log') => void;
  actions: IDeploymentViewActions;
}): React.ReactElement {
  const { hub, model, view } = props;
  useSignal(model.changed);
  const d = model.detail;
  if (!d) {
    return <div className="jp-primehub-Detail">{model.error || 'Loading…'}</div>;
  }
  const rows: Array<[string, React.ReactNode]> = [
    ['Status', <DeploymentStatus status={d.status} />],
    [
      'Message',
      <span className="jp-primehub-Message" data-testid="deployment-message">
        {d.message ?? ''}
      </span>
    ],
    ['Endpoint', d.endpoint ? <Endpoint url={d.endpoint} /> : ''],
    ['Access', d.endpointAccessType === 'private' ? 'Private (client name and token)' : 'Public'],
    ['Replicas', `${d.availableReplicas ?? 0} available of ${d.replicas ?? 0}`],
    ['Model URI', <span className="jp-primehub-Mono">{d.modelURI ?? ''}</span>],
    ['Model server', <span className="jp-primehub-Mono">{d.modelImage ?? ''}</span>],
    ['Instance type', d.instanceType?.name ?? ''],
    ['Deployment ID', d.id]
  ];
  return (
    <div className="jp-primehub-Detail">
      <div className="jp-primehub-Header">
        <h2 className="jp-primehub-Title">{d.name ?? d.id}</h2>
      </div>
      {model.error && (
        <div className="jp-primehub-Error" role="alert">
          {model.error}
        </div>
      )}
      <InfoTable rows={rows} />
      <div className="jp-primehub-Tabs" role="tablist">
        <button role="tab" aria-selected={view === 'try'} onClick={() => props.setView('try')}>
          Try it
        </button>
        <button role="tab" aria-selected={view === 'log'} onClick={() => props.setView('log')}>
          Log
        </button>
      </div>
      {view === 'try' ? (
        d.endpoint && d.status === 'Deployed' ? (
          <TryIt tester={props.tester} endpoint={d.endpoint} isPrivate={model.isPrivate} actions={props.actions} />
        ) : (
          <div className="jp-primehub-Empty">The endpoint answers once the deployment is Deployed.</div>
        )
      ) : (
        <PodLog hub={hub} id={d.id} status={d.status} />
      )}
    </div>
  );
}

/** A deployment's main-area tab: its record (polled), the endpoint tester and the model server's log. */
export class DeploymentView extends ReactWidget {
  readonly model: DeploymentModel;
  readonly tester: TesterModel;
  private view: 'try' | 'log';

  constructor(
    private readonly hub: IPrimeHub,
    readonly deploymentId: string,
    view: 'try' | 'log',
    private readonly actions: IDeploymentViewActions
  ) {
    super();
    this.addClass('jp-primehub-DeploymentView');
    this.view = view;
    this.model = new DeploymentModel(hub, deploymentId);
    this.tester = new TesterModel(hub, deploymentId);
    this.model.start();
    void this.model.refresh().then(() => this.tester.start(this.model.detail?.modelURI ?? null));
  }

  /** Shows the tester or the log. */
  showView(view: 'try' | 'log'): void {
    this.view = view;
    this.update();
  }

  override dispose(): void {
    this.model.dispose();
    this.tester.dispose();
    super.dispose();
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.active = true;
  }

  protected override onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    // a tab behind another is not polled
    this.model.active = false;
  }

  render(): React.ReactElement {
    return (
      <Detail
        hub={this.hub}
        model={this.model}
        tester={this.tester}
        view={this.view}
        setView={view => this.showView(view)}
        actions={this.actions}
      />
    );
  }
}
