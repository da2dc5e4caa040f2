import { Clipboard } from '@jupyterlab/apputils';
import { deleteIcon, HTMLSelect, ReactWidget, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import { curlCommand, pythonRequestsCode, type RequestForm } from '@primehub-suite/client/deployments';
import * as React from 'react';
import { confirmDanger } from '../dialogs';
import { DeploymentModel } from '../models/DeploymentModel';
import { REQUEST_FORMS, TesterModel } from '../models/TesterModel';
import type { IPrimeHub } from '../tokens';
import { CopyButton } from './CopyButton';
import { ErrorText } from './ErrorText';
import { FormRow } from './FormRow';
import { InfoTable } from './InfoTable';
import { DeploymentStatus, Endpoint } from './DeploymentsSection';
import { TextInput } from './TextInput';
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
      <ErrorText text={error} />
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
      <ErrorText text={result.error} testId="answer-error" alert />
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

/** The client a private endpoint's request goes as (rows of the tester's form): a name of its clients and its token. */
function Credentials(props: { tester: TesterModel; clients: string[] }): React.ReactElement {
  const { tester } = props;
  return (
    <>
      <FormRow label="Client name" htmlFor="ph-try-client">
        <TextInput
          id="ph-try-client"
          list="ph-try-clients"
          value={tester.username}
          placeholder="none: sent without credentials"
          onChange={v => tester.setCredentials(v, tester.password)}
        />
        <datalist id="ph-try-clients">
          {props.clients.map(c => (
            <option key={c} value={c} />
          ))}
        </datalist>
      </FormRow>
      <FormRow label="Client token" htmlFor="ph-try-token">
        <TextInput
          id="ph-try-token"
          type="password"
          value={tester.password}
          onChange={v => tester.setCredentials(tester.username, v)}
        />
        <div className="jp-primehub-Help">
          Kept in this tab only; a request cell asks for it when it runs, a copied curl carries a placeholder.
        </div>
      </FormRow>
    </>
  );
}

/** The token of a client just added, shown this once with Copy. */
function NewClientToken(props: { model: DeploymentModel }): React.ReactElement | null {
  const { model } = props;
  const made = model.newClient;
  if (!made) {
    return null;
  }
  return (
    <div className="jp-primehub-Callout jp-primehub-Callout-warn" role="status" data-testid="new-client">
      <div>
        The token of client <strong>{made.name}</strong>, shown only now: PrimeHub keeps a hash of it, so copy it to
        where the caller reads it. Try it below uses it in this tab.
      </div>
      <div className="jp-primehub-Endpoint">
        <code className="jp-primehub-Mono jp-primehub-Token" data-testid="client-token">
          {made.token}
        </code>
        <CopyButton text={made.token} tooltip="Copy the client token" labelled />
        <button className="jp-Button jp-mod-minimal" onClick={() => model.dismissNewClient()}>
          Hide
        </button>
      </div>
    </div>
  );
}

/** A private endpoint's clients: each with Delete, and Add client (its token shown once). */
function Clients(props: { model: DeploymentModel; tester: TesterModel }): React.ReactElement {
  const { model, tester } = props;
  const [name, setName] = React.useState('');
  const clients = model.clients;
  const add = async (): Promise<void> => {
    const made = await model.addClient(name);
    if (made) {
      setName('');
      tester.setCredentials(made.name, made.token);
    }
  };
  const remove = async (client: string): Promise<void> => {
    const yes = await confirmDanger(
      'Delete client?',
      `"${client}" can no longer call this endpoint: requests with its token are refused (HTTP 401).`,
      'Delete'
    );
    if (yes) {
      // the tester keeps the credentials: sent again, the endpoint's refusal shows the client is gone
      await model.deleteClient(client);
    }
  };
  return (
    <div className="jp-primehub-Clients" data-testid="clients">
      <div className="jp-primehub-Section">Clients</div>
      <div className="jp-primehub-Help">Callers of this private endpoint send a client&apos;s name and token.</div>
      <ErrorText text={model.clientsError} testId="clients-error" alert />
      <ul className="jp-primehub-JobList" aria-label="Clients">
        {clients.map(c => (
          <li key={c} className="jp-primehub-ClientRow" data-client={c}>
            <span className="jp-primehub-Mono">{c}</span>
            <ToolbarButtonComponent
              icon={deleteIcon}
              tooltip={`Delete client ${c}`}
              enabled={!model.changingClients}
              onClick={() => void remove(c)}
            />
          </li>
        ))}
        {clients.length === 0 && (
          <li className="jp-primehub-Empty" data-testid="no-clients">
            No clients yet: add one to call the endpoint.
          </li>
        )}
      </ul>
      <NewClientToken model={model} />
      <form
        className="jp-primehub-Inline"
        onSubmit={e => {
          e.preventDefault();
          void add();
        }}
      >
        <TextInput aria-label="New client name" placeholder="new client name" value={name} onChange={setName} />
        <button type="submit" className="jp-Button jp-mod-styled" disabled={!name.trim() || model.changingClients}>
          Add client
        </button>
      </form>
      {clients.includes(name.trim()) && (
        <div className="jp-primehub-Help" data-testid="client-exists">
          &quot;{name.trim()}&quot; exists: adding it again gives it a new token, and its old one is refused.
        </div>
      )}
    </div>
  );
}

/** The endpoint tester: the request in one of Seldon's forms, Send, and the answer. */
function TryIt(props: {
  tester: TesterModel;
  endpoint: string;
  /** A private endpoint's client names; null for a public one. */
  clients: string[] | null;
  actions: IDeploymentViewActions;
}): React.ReactElement {
  const { tester, endpoint, clients } = props;
  const isPrivate = clients !== null;
  useSignal(tester.changed);
  const [note, setNote] = React.useState('');
  const { problem } = tester.parsed;
  const request = tester.request(endpoint, isPrivate);
  return (
    <div className="jp-primehub-TryIt">
      <div className="jp-primehub-Grid">
        <FormRow label="Request" htmlFor="ph-try-form">
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
        </FormRow>
        {tester.namesApply && (
          <FormRow label="Names" htmlFor="ph-try-names">
            <TextInput
              id="ph-try-names"
              value={tester.names}
              placeholder="optional column names, comma-separated"
              onChange={v => tester.setNames(v)}
            />
          </FormRow>
        )}
        <FormRow label={tester.form === 'binData' ? 'File' : 'Data'} htmlFor="ph-try-data">
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
        </FormRow>
        {clients && <Credentials tester={tester} clients={clients} />}
      </div>
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
          title={`Add a cell that sends this request with Python's requests below the active cell of the current notebook${isPrivate ? " (it asks for the client's token when it runs)" : ''}`}
          onClick={() => request && props.actions.insertCell(pythonRequestsCode(request, { askToken: true }))}
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
      <ErrorText text={tester.error} testId="send-error" alert />
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
      <ErrorText text={model.error} alert />
      <InfoTable rows={rows} />
      {model.isPrivate && <Clients model={model} tester={props.tester} />}
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
          <TryIt
            tester={props.tester}
            endpoint={d.endpoint}
            clients={model.isPrivate ? model.clients : null}
            actions={props.actions}
          />
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
