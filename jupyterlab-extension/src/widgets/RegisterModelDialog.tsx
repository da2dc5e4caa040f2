import { HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { IMlflowRun } from '../models/registryApi';
import type { RegisterModelModel } from '../models/RegisterModelModel';
import type { IPrimeHub } from '../tokens';
import { DialogFooter } from './DialogFooter';
import { ErrorText } from './ErrorText';
import { FormRow } from './FormRow';
import { formatTimestamp, MlflowUnavailable, ModelUri } from './ModelsSection';
import { TextInput } from './TextInput';
import { useSignal } from './useSignal';

/** A run as one line of the run picker: its name, metrics and state. */
export function runLabel(run: IMlflowRun): string {
  const metrics = run.metrics
    .slice(0, 3)
    .map(m => `${m.key}=${formatMetric(m.value)}`)
    .join(', ');
  return [run.runName || run.runId.slice(0, 8), metrics, run.status.toLowerCase()].filter(Boolean).join(' · ');
}

function formatMetric(value: string): string {
  const n = Number(value);
  return Number.isFinite(n) && !Number.isInteger(n) ? String(Number(n.toPrecision(4))) : value;
}

/** What registering will do, said before it is done. */
function TargetLine(props: { model: RegisterModelModel }): React.ReactElement | null {
  const { model } = props;
  if (model.nameProblem) {
    return <ErrorText text={model.nameProblem} testId="name-problem" />;
  }
  const t = model.target;
  if (!t || t.name !== model.name) {
    return null;
  }
  return (
    <div className="jp-primehub-Help" data-testid="register-target">
      {t.exists ? `Adds version ${t.version} to ${t.name}` : `Creates model ${t.name}`}
    </div>
  );
}

function Done(props: { model: RegisterModelModel; onClose: () => void }): React.ReactElement {
  const r = props.model.result!;
  return (
    <>
      <div className="jp-primehub-RegisterDialog" data-testid="registered">
        <p>
          Registered <strong>{r.name}</strong> version <strong>{r.version}</strong>. It is listed under Models in the
          PrimeHub panel; deployments take it by this URI:
        </p>
        <ModelUri uri={r.uri} />
      </div>
      <DialogFooter accept={{ label: 'Close', onClick: props.onClose }} />
    </>
  );
}

/**
 * "Register as model" for a job: its MLflow run, the run's artifact folder holding the model, and
 * the model's name (new or existing, checked as typed). Renders its RegisterModelModel.
 */
export function RegisterModelDialog(props: {
  hub: IPrimeHub;
  model: RegisterModelModel;
  onClose: () => void;
}): React.ReactElement {
  const { model } = props;
  useSignal(model.changed);

  if (model.result) {
    return <Done model={model} onClose={props.onClose} />;
  }
  const job = model.job;
  if (model.unavailable) {
    return (
      <>
        <div className="jp-primehub-RegisterDialog">
          <MlflowUnavailable hub={props.hub} group={job.groupName ?? props.hub.group} />
        </div>
        <DialogFooter reject={{ label: 'Close', onClick: props.onClose }} />
      </>
    );
  }
  const runs = model.runs ?? [];
  const run = model.run;
  const folders = model.folders;
  const models = folders?.filter(f => f.isModel) ?? [];
  return (
    <>
      <div className="jp-primehub-RegisterDialog">
        <p className="jp-primehub-Help">
          Registers a model the job&apos;s MLflow run logged as a version in the group&apos;s model registry.
        </p>
        <div className="jp-primehub-Grid">
          <FormRow label="Job">
            <span data-testid="register-job">
              {job.displayName ?? job.id} <span className="jp-primehub-JobMeta">({job.id})</span>
            </span>
          </FormRow>

          <FormRow label="Experiment" htmlFor="ph-experiment">
            <form
              className="jp-primehub-Inline"
              onSubmit={e => {
                e.preventDefault();
                void model.findRuns();
              }}
            >
              <TextInput
                id="ph-experiment"
                value={model.experiment}
                disabled={model.unavailable}
                onChange={v => model.setExperiment(v)}
              />
              <button
                type="submit"
                className="jp-Button jp-mod-styled"
                disabled={model.searching || !model.experiment.trim() || model.unavailable}
              >
                Find runs
              </button>
            </form>
          </FormRow>

          <FormRow label="Run" htmlFor="ph-run">
            {model.searching ? (
              <span className="jp-primehub-Help">Looking for the job&apos;s runs…</span>
            ) : runs.length ? (
              <HTMLSelect
                id="ph-run"
                aria-label="Run"
                value={model.runId ?? ''}
                onChange={e => void model.selectRun(e.currentTarget.value)}
              >
                {runs.map(r => (
                  <option key={r.runId} value={r.runId}>
                    {runLabel(r)}
                  </option>
                ))}
              </HTMLSelect>
            ) : (
              <span className="jp-primehub-Help">No run to register from.</span>
            )}
            {model.note && (
              <div className="jp-primehub-Help" data-testid="runs-note">
                {model.note}
              </div>
            )}
            {run && (
              <div className="jp-primehub-Help" data-testid="run-summary">
                {[
                  run.params.map(p => `${p.key}=${p.value}`).join(', '),
                  run.startTime ? `started ${formatTimestamp(run.startTime)}` : ''
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </div>
            )}
          </FormRow>

          <FormRow label="Artifact folder">
            <div role="radiogroup" aria-label="Artifact folder" className="jp-primehub-Folders">
              {run && folders === null && <span className="jp-primehub-Help">Listing the run&apos;s artifacts…</span>}
              {folders?.map(f => (
                <label key={f.path} className={f.isModel ? '' : 'jp-primehub-Disabled'} data-folder={f.path}>
                  <input
                    type="radio"
                    name="ph-folder"
                    value={f.path}
                    checked={model.folder === f.path}
                    disabled={!f.isModel}
                    onChange={() => model.selectFolder(f.path)}
                  />{' '}
                  <code>{f.path}/</code>{' '}
                  <span className="jp-primehub-JobMeta">{f.isModel ? 'MLflow model' : 'no MLmodel file'}</span>
                </label>
              ))}
              {folders && models.length === 0 && (
                <span className="jp-primehub-Help" data-testid="no-model-folder">
                  This run logged no model: none of its folders holds an MLmodel file.
                </span>
              )}
            </div>
          </FormRow>

          <FormRow label="Model name" htmlFor="ph-model-name">
            <TextInput
              id="ph-model-name"
              list="ph-model-names"
              value={model.name}
              placeholder="new or existing model"
              onChange={v => model.setName(v)}
            />
            <datalist id="ph-model-names">
              {model.existing.map(n => (
                <option key={n} value={n} />
              ))}
            </datalist>
            <TargetLine model={model} />
          </FormRow>
        </div>
        <ErrorText text={model.error} alert />
      </div>
      <DialogFooter
        reject={{ label: 'Cancel', onClick: props.onClose }}
        accept={{
          label: model.registering ? 'Registering…' : 'Register',
          disabled: !model.canRegister,
          onClick: () => void model.register()
        }}
      />
    </>
  );
}
