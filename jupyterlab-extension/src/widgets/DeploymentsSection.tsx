import { addIcon, refreshIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import * as React from 'react';
import { confirmDanger } from '../dialogs';
import type { DeploymentsModel, IDeploymentRow } from '../models/DeploymentsModel';
import { CopyButton } from './CopyButton';
import { useSignal } from './useSignal';
import { ErrorText } from './ErrorText';

/** What a deployment row can open elsewhere (the deployments plugin's commands). */
export interface IDeploymentActions {
  /** Opens the Deploy dialog (`uri` prefilled when given). */
  deploy(request?: { uri?: string; name?: string }): void;
  /** Opens the deployment's tab: its endpoint tester, or its pod log. */
  open(id: string, view: 'try' | 'log'): void;
}

/** An endpoint URL with a Copy button. */
export function Endpoint(props: { url: string }): React.ReactElement {
  return (
    <span className="jp-primehub-Endpoint">
      <code className="jp-primehub-Mono" data-testid="endpoint">
        {props.url}
      </code>
      <CopyButton text={props.url} tooltip="Copy the endpoint URL" labelled />
    </span>
  );
}

/** A deployment's status as the job rows show a phase. */
export function DeploymentStatus(props: { status: string | null }): React.ReactElement {
  const status = props.status ?? 'Unknown';
  return <span className={`jp-primehub-Phase jp-primehub-Phase-${status}`}>{status}</span>;
}

function DeploymentRow(props: {
  model: DeploymentsModel;
  item: IDeploymentRow;
  actions: IDeploymentActions;
}): React.ReactElement {
  const { model, item: d, actions } = props;
  const busy = model.isBusy(d.id);
  const name = d.name ?? d.id;
  const stopped = d.stop === true;
  const remove = async (): Promise<void> => {
    const yes = await confirmDanger(
      'Delete deployment?',
      `"${name}" (${d.id}) stops serving and is removed with its history and clients; its endpoint stops answering. The model itself is kept.`,
      'Delete'
    );
    if (yes) {
      await model.deleteDeployment(d);
    }
  };
  return (
    <li
      className={`jp-primehub-DeploymentRow${model.highlight === d.id ? ' jp-mod-selected' : ''}`}
      data-deployment-id={d.id}
      data-status={d.status ?? ''}
    >
      <div className="jp-primehub-DeploymentHead">
        <DeploymentStatus status={d.status} />
        <span className="jp-primehub-JobName" title={d.id}>
          {name}
        </span>
        <span className="jp-primehub-JobMeta" data-testid="replicas" title="Replicas available / wanted">
          {d.availableReplicas ?? 0}/{d.replicas ?? 0} replica{d.replicas === 1 ? '' : 's'}
          {d.endpointAccessType === 'private' ? ' · private' : ''}
        </span>
      </div>
      {d.status === 'Failed' && d.message && <ErrorText text={d.message} testId="deployment-message" />}
      {d.endpoint && <Endpoint url={d.endpoint} />}
      {d.modelURI && (
        <span className="jp-primehub-JobParams" data-testid="model-uri" title="Model URI">
          {d.modelURI}
        </span>
      )}
      <span className="jp-primehub-RowActions">
        <button
          className="jp-Button jp-mod-minimal"
          disabled={d.status !== 'Deployed'}
          title="Send requests to the endpoint and see the answers"
          onClick={() => actions.open(d.id, 'try')}
        >
          Try it
        </button>
        <button
          className="jp-Button jp-mod-minimal"
          title="The model server's log"
          onClick={() => actions.open(d.id, 'log')}
        >
          Log
        </button>
        {stopped ? (
          <button className="jp-Button jp-mod-minimal" disabled={busy} onClick={() => void model.startDeployment(d)}>
            Start
          </button>
        ) : (
          <button className="jp-Button jp-mod-minimal" disabled={busy} onClick={() => void model.stopDeployment(d)}>
            Stop
          </button>
        )}
        <button className="jp-Button jp-mod-minimal" disabled={busy} onClick={() => void remove()}>
          Delete
        </button>
      </span>
    </li>
  );
}

/**
 * The side panel's Deployments section: the group's deployments with their status, endpoint,
 * replicas and model, and Start, Stop, Delete, Try it and Log on each. Renders its DeploymentsModel.
 */
export function DeploymentsSection(props: {
  model: DeploymentsModel;
  actions: IDeploymentActions;
}): React.ReactElement {
  const { model, actions } = props;
  useSignal(model.changed);
  const items = model.items;
  return (
    <div className="jp-primehub-Deployments">
      <div className="jp-primehub-ModelsBar">
        <ToolbarButtonComponent
          icon={addIcon}
          label="Deploy…"
          tooltip="Deploy a model by its URI (models:/… or phfs:///…)"
          onClick={() => actions.deploy()}
        />
        <ToolbarButtonComponent icon={refreshIcon} tooltip="Refresh" onClick={() => void model.refresh()} />
      </div>
      <ErrorText text={model.error} alert />
      {model.note && <div className="jp-primehub-Help">{model.note}</div>}
      {items && items.length === 0 && (
        <div className="jp-primehub-Empty" data-testid="no-deployments">
          <p>No deployments in this group yet.</p>
          <p>
            Deploy a model version from <em>Models</em> (its version page), a job&apos;s artifact folder from the
            job&apos;s <em>Artifacts</em>, or any model URI with <em>Deploy…</em>.
          </p>
        </div>
      )}
      {items && items.length > 0 && (
        <ul className="jp-primehub-JobList" aria-label="Deployments">
          {items.map(d => (
            <DeploymentRow key={d.id} model={model} item={d} actions={actions} />
          ))}
        </ul>
      )}
      {!items && !model.error && <div className="jp-primehub-Empty">Loading…</div>}
    </div>
  );
}
