import { HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { DeployModel, EndpointAccess } from '../models/DeployModel';
import { DialogFooter } from './DialogFooter';
import { ErrorText } from './ErrorText';
import { FormRow } from './FormRow';
import { resources } from './SubmitDialog';
import { TextInput } from './TextInput';
import { useSignal } from './useSignal';

/** The endpoint's access types, as the dialog offers them. */
const ACCESS: ReadonlyArray<{ access: EndpointAccess; label: string; note: string }> = [
  { access: 'public', label: 'Public', note: 'anyone who reaches the URL can call it' },
  { access: 'private', label: 'Private', note: 'callers send a client name and token (HTTP Basic)' }
];

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
          <FormRow label="Name" htmlFor="ph-deploy-name">
            <TextInput id="ph-deploy-name" value={model.name} onChange={v => model.setName(v)} />
            {(touched || model.name) && <ErrorText text={model.nameProblem} testId="deploy-name-problem" />}
          </FormRow>

          <FormRow label="Model URI" htmlFor="ph-deploy-uri">
            <TextInput
              id="ph-deploy-uri"
              className="jp-primehub-Mono"
              value={model.uri}
              placeholder="models:/<name>/<version> or phfs:///<folder>"
              onChange={v => model.setUri(v)}
            />
            {(touched || model.uri) && <ErrorText text={model.uriProblem} testId="deploy-uri-problem" />}
          </FormRow>

          <FormRow label="Model server" htmlFor="ph-deploy-server">
            <HTMLSelect id="ph-deploy-server" value={model.image} onChange={e => model.setImage(e.currentTarget.value)}>
              {model.servers.map(s => (
                <option key={s.image} value={s.image}>
                  {s.label} — {s.image}
                </option>
              ))}
            </HTMLSelect>
            <div className="jp-primehub-Help" data-testid="deploy-server-reason">
              {model.inspecting ? 'Looking into the model…' : model.reason}
            </div>
            <ErrorText text={model.serverNote} testId="deploy-server-note" />
          </FormRow>

          <FormRow label="Instance type" htmlFor="ph-deploy-instance-type">
            <HTMLSelect
              id="ph-deploy-instance-type"
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
          </FormRow>

          <FormRow label="Replicas" htmlFor="ph-deploy-replicas">
            <TextInput
              id="ph-deploy-replicas"
              type="number"
              min={1}
              max={20}
              value={model.replicas}
              onChange={v => model.setReplicas(v)}
            />
            <ErrorText text={model.replicasProblem} testId="deploy-replicas-problem" />
          </FormRow>

          <FormRow label="Endpoint">
            <div role="radiogroup" aria-label="Endpoint access" className="jp-primehub-Folders">
              {ACCESS.map(a => (
                <label key={a.access}>
                  <input
                    type="radio"
                    name="ph-deploy-access"
                    checked={model.access === a.access}
                    onChange={() => model.setAccess(a.access)}
                  />{' '}
                  {a.label} <span className="jp-primehub-JobMeta">{a.note}</span>
                </label>
              ))}
            </div>
          </FormRow>
        </div>
        <ErrorText text={model.error} alert />
        {/* Enter in a field deploys */}
        <button type="submit" hidden />
      </form>
      <DialogFooter
        reject={{ label: 'Cancel', onClick: props.onClose }}
        accept={{
          label: model.deploying ? 'Deploying…' : 'Deploy',
          disabled: !model.canDeploy,
          onClick: () => void deploy()
        }}
      />
    </>
  );
}
