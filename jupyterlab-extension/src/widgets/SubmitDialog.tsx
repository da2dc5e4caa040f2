import { HTMLSelect } from '@jupyterlab/ui-components';
import { cronNextRuns, PartialSubmissionError, type Image, type InstanceType } from '@primehub-suite/client/browser';
import type { JsonValue } from '@primehub-suite/client/notebook';
import * as React from 'react';
import { isAuthFailure } from '../PrimeHubSession';
import {
  cellSyntaxErrors,
  defaultJobName,
  formFromNotebook,
  jobCount,
  MAX_SWEEP_JOBS,
  readForm,
  type IParameterField
} from '../models/parameterForm';
import { cronOf, RECURRENCE_LABELS, recurrenceSpec, type RecurrenceChoice } from '../models/recurrence';
import { submitNotebook, type ISubmitResult, type ISubmittedJob } from '../submitNotebook';
import type { IPrimeHub } from '../tokens';
import { DialogFooter } from './DialogFooter';
import { SignInForm } from './SignIn';
import { ErrorText } from './ErrorText';

export interface ISubmitDialogProps {
  hub: IPrimeHub;
  /** Server path of the notebook. */
  path: string;
  /** The group the job runs in (shown; checked by the submit flow). */
  group: string;
  /** The notebook's JSON (its `parameters` cell makes the form). */
  notebook: string | object;
  /** Values of a rerun with edited parameters, and the job's settings. */
  prefill?: { parameters: Record<string, JsonValue>; instanceType?: string; image?: string; name?: string };
  /** `label`: the name the user gave (a sweep's notification is named after it). */
  onSubmitted(result: ISubmitResult, label?: string): void;
  onClose(): void;
}

function groupLabel(hub: IPrimeHub, name: string): string {
  const g = hub.groups.find(x => x.name === name);
  return g?.displayName && g.displayName !== name ? `${g.displayName} (${name})` : name;
}

/** An instance type as its picker lists it: name and limits. */
export function resources(t: InstanceType): string {
  const parts = [`${t.cpuLimit ?? '?'} CPU`, `${t.memoryLimit ?? '?'} GB`];
  if (t.gpuLimit) {
    parts.push(`${t.gpuLimit} GPU`);
  }
  return `${t.displayName || t.name} (${parts.join(' / ')})`;
}

/** The "Submit notebook as job" form. */
export function SubmitDialog(props: ISubmitDialogProps): React.ReactElement {
  const { hub } = props;
  const initial = React.useMemo(() => formFromNotebook(props.notebook, props.prefill?.parameters), []);
  const [fields, setFields] = React.useState<IParameterField[]>(initial.fields);
  const [instanceTypes, setInstanceTypes] = React.useState<InstanceType[]>([]);
  const [images, setImages] = React.useState<Image[]>([]);
  const [instanceType, setInstanceType] = React.useState(props.prefill?.instanceType ?? hub.config?.instanceType ?? '');
  const [image, setImage] = React.useState(props.prefill?.image ?? hub.config?.image ?? '');
  const [name, setName] = React.useState(props.prefill?.name ?? defaultJobName(props.path));
  const [timeout, setTimeoutText] = React.useState(String(hub.settings.defaultTimeoutMinutes));
  const [mode, setMode] = React.useState<'now' | 'recurring'>('now');
  const [choice, setChoice] = React.useState<RecurrenceChoice>('daily');
  const [cron, setCron] = React.useState('0 4 * * *');
  const [error, setError] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const [needsSignIn, setNeedsSignIn] = React.useState(!hub.signedIn);
  const [showErrors, setShowErrors] = React.useState(false);

  const loadChoices = React.useCallback(async () => {
    try {
      const [types, imgs] = await Promise.all([
        hub.client.groups.instanceTypes({ group: props.group }),
        hub.client.groups.images({ group: props.group })
      ]);
      setInstanceTypes(types);
      setImages(imgs);
      setInstanceType(cur => (types.some(t => t.name === cur) ? cur : (types[0]?.name ?? cur)));
      setImage(cur => (imgs.some(i => i.name === cur) ? cur : (imgs[0]?.name ?? cur)));
    } catch (err) {
      if (isAuthFailure(err)) {
        setNeedsSignIn(true);
      }
      setError(hub.describe(`Listing the instance types and images of ${props.group}`, err));
    }
  }, [hub]);

  React.useEffect(() => {
    if (!needsSignIn) {
      void loadChoices();
    }
  }, [needsSignIn]);

  const form = readForm(fields);
  const count = jobCount(form);
  const timeoutMinutes = timeout.trim() === '' ? null : Number(timeout);
  const problems: string[] = [];
  if (!name.trim()) {
    problems.push('The job name cannot be empty.');
  }
  if (timeoutMinutes !== null && !(Number.isFinite(timeoutMinutes) && timeoutMinutes > 0)) {
    problems.push('The timeout must be a positive number of minutes.');
  }
  if (Object.keys(form.errors).length > 0) {
    problems.push('Fix the parameters marked in red.');
  }
  const syntaxErrors = cellSyntaxErrors(initial.diagnostics);
  if (syntaxErrors.length > 0) {
    problems.push(
      `The notebook's parameters cell is not valid Python (${syntaxErrors.join('; ')}): papermill would fail on it. Fix the cell, save, and submit again.`
    );
  }
  const cronLine = cronOf(choice, cron);
  const runs = mode === 'recurring' && cronLine ? cronNextRuns(cronLine) : null;
  if (runs && !runs.ok) {
    problems.push(`Cron: ${runs.message}`);
  }
  // Shown before Submit is pressed: these are not typing slips a user is still making.
  const standing = syntaxErrors.length > 0;
  if (count > MAX_SWEEP_JOBS) {
    problems.push(`A sweep submits at most ${MAX_SWEEP_JOBS} jobs; this one would submit ${count}. Remove values.`);
  }
  if (mode === 'recurring' && count > 1) {
    problems.push('A recurring job runs one set of parameters: turn the sweep off.');
  }

  const update = (i: number, patch: Partial<IParameterField>): void =>
    setFields(fs => fs.map((f, j) => (j === i ? { ...f, ...patch } : f)));

  const submit = async (): Promise<void> => {
    setShowErrors(true);
    if (problems.length > 0) {
      return;
    }
    setBusy(true);
    setError('');
    try {
      const result = await submitNotebook(hub, {
        path: props.path,
        group: props.group,
        instanceType,
        image,
        timeoutMinutes,
        name: name.trim(),
        parameters: form.values,
        sweep: form.sweep,
        declared: fields.map(f => ({ name: f.name, type: f.type })),
        recurrence: mode === 'recurring' ? recurrenceSpec(choice, cron) : undefined
      });
      props.onSubmitted(result, name.trim());
      props.onClose();
    } catch (err) {
      if (err instanceof PartialSubmissionError && err.submitted.length > 0) {
        // The jobs that exist are followed like any other; the dialog stays to say what stopped.
        props.onSubmitted({ jobs: err.submitted as ISubmittedJob[] }, name.trim());
      }
      if (isAuthFailure(err)) {
        setNeedsSignIn(true);
      }
      setError(hub.describe(mode === 'recurring' ? 'Creating the recurring job' : 'Submitting the job', err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div className="jp-Dialog-body jp-primehub-SubmitDialog">
        {needsSignIn && (
          <div className="jp-primehub-Callout jp-primehub-Callout-warn">
            <p>Your PrimeHub session has ended. Sign in again; everything below is kept.</p>
            <SignInForm
              hub={hub}
              onSignedIn={() => {
                setNeedsSignIn(false);
                setError('');
              }}
            />
          </div>
        )}
        <div className="jp-primehub-Grid">
          <span className="jp-primehub-GridLabel">Group</span>
          <span className="jp-primehub-TargetGroup" data-testid="target-group" title="The job runs in this group">
            {groupLabel(hub, props.group)}
          </span>
          <label htmlFor="ph-instance-type">Instance type</label>
          <HTMLSelect id="ph-instance-type" value={instanceType} onChange={e => setInstanceType(e.currentTarget.value)}>
            {instanceTypes.length === 0 && <option value={instanceType}>{instanceType || '…'}</option>}
            {instanceTypes.map(t => (
              <option key={t.name} value={t.name}>
                {resources(t)}
              </option>
            ))}
          </HTMLSelect>
          <label htmlFor="ph-image">Image</label>
          <HTMLSelect id="ph-image" value={image} onChange={e => setImage(e.currentTarget.value)}>
            {images.length === 0 && <option value={image}>{image || '…'}</option>}
            {images.map(i => (
              <option key={i.name} value={i.name}>
                {i.displayName || i.name}
              </option>
            ))}
          </HTMLSelect>
          <label htmlFor="ph-job-name">Job name</label>
          <input id="ph-job-name" className="jp-mod-styled" value={name} onChange={e => setName(e.target.value)} />
          <label htmlFor="ph-timeout">Timeout (minutes)</label>
          <input
            id="ph-timeout"
            className="jp-mod-styled"
            inputMode="numeric"
            value={timeout}
            onChange={e => setTimeoutText(e.target.value)}
          />
        </div>
        <h3 className="jp-primehub-Section">Parameters</h3>
        {!initial.hasParametersCell && (
          <p className="jp-primehub-Callout" data-testid="no-parameters-cell">
            This notebook has no cell tagged <code>parameters</code>, so there is nothing to fill in. To make one,
            select the cell that sets your variables, open the Property Inspector (gear icon, right sidebar) and add the
            tag <code>parameters</code>. Without it the job runs the notebook as it is.
          </p>
        )}
        {initial.diagnostics.length > 0 && (
          <ul className="jp-primehub-Diagnostics">
            {initial.diagnostics.map(d => (
              <li key={d.line}>
                line {d.line}: {d.message}
              </li>
            ))}
          </ul>
        )}
        <div className="jp-primehub-Params">
          {fields.map((f, i) => (
            <div key={f.name} className="jp-primehub-Param" data-param={f.name}>
              <label htmlFor={`ph-param-${f.name}`}>
                <code>{f.name}</code> <span className="jp-primehub-Type">{f.type}</span>
              </label>
              {f.type === 'bool' && !f.sweep ? (
                <HTMLSelect
                  id={`ph-param-${f.name}`}
                  value={f.text === 'False' || f.text === 'false' ? 'False' : 'True'}
                  onChange={e => update(i, { text: e.currentTarget.value })}
                >
                  <option value="True">True</option>
                  <option value="False">False</option>
                </HTMLSelect>
              ) : f.sweep || f.type === 'str' || f.type === 'list' || f.type === 'dict' ? (
                <textarea
                  id={`ph-param-${f.name}`}
                  className="jp-mod-styled"
                  rows={Math.min(5, Math.max(f.sweep ? 3 : 1, f.text.split('\n').length))}
                  value={f.text}
                  placeholder={f.sweep ? 'one value per line' : ''}
                  onChange={e => update(i, { text: e.target.value })}
                />
              ) : (
                <input
                  id={`ph-param-${f.name}`}
                  className="jp-mod-styled"
                  value={f.text}
                  onChange={e => update(i, { text: e.target.value })}
                />
              )}
              <label className="jp-primehub-Sweep" title="Run one job per value (one value per line)">
                <input
                  type="checkbox"
                  checked={f.sweep}
                  onChange={e =>
                    update(i, { sweep: e.target.checked, text: e.target.checked ? f.text : f.text.split('\n')[0] })
                  }
                />{' '}
                sweep
              </label>
              <div className="jp-primehub-Help">
                {f.help && <span>{f.help} · </span>}
                default <code>{f.defaultText}</code>
              </div>
              {(showErrors || f.text !== f.defaultText) && form.errors[f.name] && (
                <ErrorText text={form.errors[f.name]} alert />
              )}
            </div>
          ))}
        </div>
        <h3 className="jp-primehub-Section">Run</h3>
        <div className="jp-primehub-Run">
          <label>
            <input type="radio" name="ph-mode" checked={mode === 'now'} onChange={() => setMode('now')} /> Now
          </label>
          <label>
            <input type="radio" name="ph-mode" checked={mode === 'recurring'} onChange={() => setMode('recurring')} />{' '}
            Recurring
          </label>
          {mode === 'recurring' && (
            <div className="jp-primehub-Recurrence">
              <HTMLSelect
                aria-label="Recurrence"
                value={choice}
                onChange={e => setChoice(e.currentTarget.value as RecurrenceChoice)}
              >
                {(Object.keys(RECURRENCE_LABELS) as RecurrenceChoice[]).map(k => (
                  <option key={k} value={k}>
                    {RECURRENCE_LABELS[k]}
                  </option>
                ))}
              </HTMLSelect>
              {choice === 'custom' && (
                <input
                  className="jp-mod-styled"
                  aria-label="Cron"
                  value={cron}
                  placeholder="minute hour day month weekday"
                  onChange={e => setCron(e.target.value)}
                />
              )}
              {runs?.ok && (
                <div className="jp-primehub-Help">Next runs: {runs.runs.map(d => d.toLocaleString()).join(' · ')}</div>
              )}
              {runs && !runs.ok && <ErrorText text={runs.message} testId="cron-error" alert />}
            </div>
          )}
        </div>
        {(showErrors || standing) && problems.map(p => <ErrorText key={p} text={p} alert />)}
        <ErrorText text={error} alert />
      </div>
      <DialogFooter
        reject={{ label: 'Cancel', onClick: props.onClose }}
        accept={{
          label: busy ? 'Submitting…' : 'Submit',
          disabled: busy || needsSignIn || standing,
          onClick: () => void submit()
        }}
      >
        <span className="jp-primehub-Count" data-testid="job-count">
          {mode === 'recurring' ? '1 recurring job' : count === 1 ? '1 job' : `${count} jobs`}
        </span>
      </DialogFooter>
    </>
  );
}
