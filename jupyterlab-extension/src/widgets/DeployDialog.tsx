import { HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { DeployModel } from '../models/DeployModel';
import { resources } from './SubmitDialog';
import { useSignal } from './useSignal';

function Problem(props: { text: string; testId: string }): React.ReactElement | null {
  return props.text ? (
    <div className="jp-primehub-Error" data-testid={props.testId}>
      {props.text}
    </div>
  ) : null;
}

/**
 * "Deploy a model": the deployment's name, model URI, model server (suggested from the model),
 * instance type, replicas and endpoint access. Renders its DeployModel; `onDeployed` is told the
 * new deployment's id (the dialog then closes and the Deployments section follows it).
 */
export function DeployDialog(props: {
  model: DeployModel;
  onClose: () => void;
  onDeployed: (id: string) => void;
}): React.ReactElement {
  const { model } = props;
  useSignal(model.changed);
  const [touched, setTouched] = React.useState(false);
  const types = model.instanceTypes;
  const deploy = async (): Promise<void> => {
    setTouched(true);
    const d = await model.deploy();
    if (d) {
      props.onDeployed(d.id);
      props.onClose();
    }
  };
  return (
    <>
      <form
        className="jp-primehub-RegisterDialog jp-primehub-DeployDialog"
        onSubmit={e => {
          e.preventDefault();
          void deploy();
        }}
      >
        <p className="jp-primehub-Help">
          Serves the model behind an HTTP endpoint (Seldon&apos;s protocol), followed under <em>Deployments</em> in the
          PrimeHub panel.
        </p>
        <div className="jp-primehub-Grid">
          <label className="jp-primehub-GridLabel" htmlFor="ph-deploy-name">
            Name
          </label>
          <div>
            <input
              id="ph-deploy-name"
              className="jp-mod-styled"
              value={model.name}
              spellCheck={false}
              autoComplete="off"
              onChange={e => model.setName(e.target.value)}
            />
            {(touched || model.name) && <Problem text={model.nameProblem} testId="deploy-name-problem" />}
          </div>

          <label className="jp-primehub-GridLabel" htmlFor="ph-deploy-uri">
            Model URI
          </label>
          <div>
            <input
              id="ph-deploy-uri"
              className="jp-mod-styled jp-primehub-Mono"
              value={model.uri}
              placeholder="models:/<name>/<version> or phfs:///<folder>"
              spellCheck={false}
              autoComplete="off"
              onChange={e => model.setUri(e.target.value)}
            />
            {(touched || model.uri) && <Problem text={model.uriProblem} testId="deploy-uri-problem" />}
          </div>

          <label className="jp-primehub-GridLabel" htmlFor="ph-deploy-server">
            Model server
          </label>
          <div>
            <HTMLSelect
              id="ph-deploy-server"
              aria-label="Model server"
              value={model.image}
              onChange={e => model.setImage(e.currentTarget.value)}
            >
              {model.servers.map(s => (
                <option key={s.image} value={s.image}>
                  {s.label} — {s.image}
                </option>
              ))}
            </HTMLSelect>
            <div className="jp-primehub-Help" data-testid="deploy-server-reason">
              {model.inspecting ? 'Looking into the model…' : model.reason}
            </div>
            <Problem text={model.serverNote} testId="deploy-server-note" />
          </div>

          <label className="jp-primehub-GridLabel" htmlFor="ph-deploy-instance-type">
            Instance type
          </label>
          <HTMLSelect
            id="ph-deploy-instance-type"
            aria-label="Instance type"
            value={model.instanceType}
            onChange={e => model.setInstanceType(e.currentTarget.value)}
          >
            {(types === null || types.length === 0) && (
              <option value={model.instanceType}>{model.instanceType || '…'}</option>
            )}
            {types?.map(t => (
              <option key={t.name} value={t.name}>
                {resources(t)}
              </option>
            ))}
          </HTMLSelect>

          <label className="jp-primehub-GridLabel" htmlFor="ph-deploy-replicas">
            Replicas
          </label>
          <div>
            <input
              id="ph-deploy-replicas"
              className="jp-mod-styled"
              type="number"
              min={1}
              max={20}
              value={model.replicas}
              onChange={e => model.setReplicas(e.target.value)}
            />
            <Problem text={model.replicasProblem} testId="deploy-replicas-problem" />
          </div>

          <span className="jp-primehub-GridLabel">Endpoint</span>
          <div role="radiogroup" aria-label="Endpoint access" className="jp-primehub-Folders">
            <label>
              <input
                type="radio"
                name="ph-deploy-access"
                checked={model.access === 'public'}
                onChange={() => model.setAccess('public')}
              />{' '}
              Public <span className="jp-primehub-JobMeta">anyone who reaches the URL can call it</span>
            </label>
            <label>
              <input
                type="radio"
                name="ph-deploy-access"
                checked={model.access === 'private'}
                onChange={() => model.setAccess('private')}
              />{' '}
              Private <span className="jp-primehub-JobMeta">callers send a client name and token (HTTP Basic)</span>
            </label>
          </div>
        </div>
        {model.error && (
          <div className="jp-primehub-Error" role="alert">
            {model.error}
          </div>
        )}
        {/* Enter in a field deploys */}
        <button type="submit" hidden />
      </form>
      <div className="jp-Dialog-footer">
        <button className="jp-Dialog-button jp-mod-reject jp-mod-styled" onClick={props.onClose}>
          <div className="jp-Dialog-buttonLabel">Cancel</div>
        </button>
        <button
          className="jp-Dialog-button jp-mod-accept jp-mod-styled"
          disabled={!model.canDeploy}
          onClick={() => void deploy()}
        >
          <div className="jp-Dialog-buttonLabel">{model.deploying ? 'Deploying…' : 'Deploy'}</div>
        </button>
      </div>
    </>
  );
}
