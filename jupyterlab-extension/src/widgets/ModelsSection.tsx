import { launchIcon, refreshIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import type { Model, ModelVersion } from '@primehub-suite/client/browser';
import * as React from 'react';
import { mlflowLinkProps } from '../models/mlflowUi';
import type { ModelsModel } from '../models/ModelsModel';
import type { IRunValue, IVersionDetail } from '../models/registryApi';
import { timestampOf } from '../models/registryApi';
import type { IPrimeHub } from '../tokens';
import { CopyButton } from './CopyButton';
import { InfoTable } from './InfoTable';
import { useSignal } from './useSignal';
import { ErrorText } from './ErrorText';

/** A registry timestamp as a short local date and time ('' when there is none): the panel is narrow. */
export function formatTimestamp(value: unknown): string {
  const ms = timestampOf(value);
  return ms === null ? '' : new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** The newest version a model lists, as "v3" ('' for none). */
function latestOf(model: Model): string {
  const versions = (model.latestVersions ?? []).map(v => Number(v.version)).filter(n => Number.isFinite(n));
  return versions.length ? `v${Math.max(...versions)}` : '';
}

/** A `models:/…` URI with a copy button. */
export function ModelUri(props: { uri: string }): React.ReactElement {
  return (
    <span className="jp-primehub-ModelUri">
      <code data-testid="model-uri">{props.uri}</code>
      <CopyButton text={props.uri} tooltip="Copy the model URI" />
    </span>
  );
}

function Values(props: { title: string; values: ReadonlyArray<IRunValue>; testId: string }): React.ReactElement {
  return (
    <>
      <div className="jp-primehub-Section">{props.title}</div>
      {props.values.length === 0 ? (
        <div className="jp-primehub-Empty">None</div>
      ) : (
        <table className="jp-primehub-Info" data-testid={props.testId}>
          <tbody>
            {props.values.map(p => (
              <tr key={p.key}>
                <th>{p.key}</th>
                <td data-key={p.key}>{p.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function VersionView(props: {
  hub: IPrimeHub;
  detail: IVersionDetail;
  deploy?: (request: { uri: string; name: string }) => void;
}): React.ReactElement {
  const { detail, deploy } = props;
  const run = detail.run;
  const rows: Array<[string, React.ReactNode]> = [
    ['Created', formatTimestamp(detail.created)],
    ['Updated', formatTimestamp(detail.updated)],
    ['Deployed by', detail.deployedBy.length ? detail.deployedBy.join(', ') : 'No deployment'],
    ['Source', <span className="jp-primehub-Mono">{detail.source}</span>]
  ];
  return (
    <div className="jp-primehub-ModelVersion" data-testid="model-version">
      {/* on a line of its own: what deployments are given, copied whole */}
      <ModelUri uri={detail.uri} />
      {deploy && (
        <div className="jp-primehub-Toolbar">
          <button
            className="jp-Button jp-mod-styled jp-mod-accept"
            title={`Serve ${detail.uri} behind an endpoint`}
            onClick={() => deploy({ uri: detail.uri, name: detail.name })}
          >
            Deploy…
          </button>
        </div>
      )}
      <InfoTable rows={rows} />
      <div className="jp-primehub-Section">Source run</div>
      {run ? (
        <>
          <table className="jp-primehub-Info" data-testid="source-run">
            <tbody>
              <tr>
                <th>Run</th>
                <td data-field="Run">{run.runName || run.runId}</td>
              </tr>
              <tr>
                <th>Status</th>
                <td data-field="Run status">{run.status}</td>
              </tr>
              <tr>
                <th>Started</th>
                <td>{formatTimestamp(run.startTime)}</td>
              </tr>
              <tr>
                <th>Run ID</th>
                <td className="jp-primehub-Mono">{run.runId}</td>
              </tr>
            </tbody>
          </table>
          {detail.runUrl && (
            <a className="jp-primehub-Link" {...mlflowLinkProps(props.hub, detail.runUrl)}>
              <launchIcon.react tag="span" className="jp-primehub-InlineIcon" /> Open the run in MLflow
            </a>
          )}
          <Values title="Parameters" values={run.params} testId="run-params" />
          <Values title="Metrics" values={run.metrics} testId="run-metrics" />
        </>
      ) : (
        <div className="jp-primehub-Empty">This version names no MLflow run.</div>
      )}
    </div>
  );
}

function ModelList(props: { models: ReadonlyArray<Model>; open: (name: string) => void }): React.ReactElement {
  if (props.models.length === 0) {
    return (
      <div className="jp-primehub-Empty" data-testid="no-models">
        <p>No models in this group yet.</p>
        <p>
          To register one, open a job whose MLflow run logged a model and choose <em>Register as Model…</em> in its tab,
          or right-click the job under <em>Jobs</em>.
        </p>
      </div>
    );
  }
  return (
    <ul className="jp-primehub-JobList" aria-label="Models">
      {props.models.map(m => (
        <li
          key={m.name}
          className="jp-primehub-ModelRow"
          data-model={m.name}
          onClick={() => props.open(m.name)}
          title={`${m.name} — show its versions`}
        >
          <span className="jp-primehub-JobName">{m.name}</span>
          <span className="jp-primehub-JobMeta">
            {[latestOf(m), m.lastUpdatedTimestamp ? `updated ${formatTimestamp(m.lastUpdatedTimestamp)}` : '']
              .filter(Boolean)
              .join(' · ')}
          </span>
          {m.description && <span className="jp-primehub-JobMeta">{m.description}</span>}
        </li>
      ))}
    </ul>
  );
}

function VersionList(props: {
  versions: ReadonlyArray<ModelVersion>;
  open: (version: string) => void;
}): React.ReactElement {
  return (
    <ul className="jp-primehub-JobList" aria-label="Versions">
      {props.versions.map(v => (
        <li
          key={v.version}
          className="jp-primehub-ModelRow"
          data-version={v.version}
          onClick={() => props.open(v.version)}
          title={`Version ${v.version} — show its run`}
        >
          <span className="jp-primehub-JobName">Version {v.version}</span>
          <span className="jp-primehub-JobMeta">registered {formatTimestamp(v.creationTimestamp)}</span>
          {v.source && <span className="jp-primehub-JobParams">{v.source}</span>}
        </li>
      ))}
      {props.versions.length === 0 && <li className="jp-primehub-Empty">No versions.</li>}
    </ul>
  );
}

/** Where the section is, each level a way back. */
function Breadcrumbs(props: { model: ModelsModel }): React.ReactElement {
  const { model: m } = props;
  const { model, version } = m.location;
  const crumb = (label: string, go: (() => void) | null): React.ReactElement =>
    go ? (
      <button className="jp-primehub-Crumb" onClick={go}>
        {label}
      </button>
    ) : (
      <span className="jp-primehub-Crumb jp-primehub-Crumb-current" aria-current="page">
        {label}
      </span>
    );
  return (
    <nav className="jp-primehub-Crumbs" aria-label="Models path">
      {crumb('Models', model === null ? null : () => m.open(null))}
      {model !== null && (
        <>
          <span className="jp-primehub-CrumbSep">›</span>
          {crumb(model, version === null ? null : () => m.open(model))}
        </>
      )}
      {model !== null && version !== null && (
        <>
          <span className="jp-primehub-CrumbSep">›</span>
          {crumb(`Version ${version}`, null)}
        </>
      )}
    </nav>
  );
}

/** Why a group has no models (no MLflow), and who can change that. */
export function MlflowUnavailable(props: { hub: IPrimeHub; group: string | null }): React.ReactElement {
  const { hub, group } = props;
  return (
    <div className="jp-primehub-Callout jp-primehub-Callout-warn" data-testid="models-unavailable">
      <p>
        Group <strong>{group}</strong> has no MLflow, so it has no models and its jobs log no runs.
      </p>
      <p className="jp-primehub-Help">
        {hub.config?.isLocal ? (
          <>
            PrimeHub Local runs an MLflow unless started with <code>--no-mlflow</code>; a group can also use another
            one: <code>npx primehub-local group set-mlflow {group} --tracking-uri URL</code>.
          </>
        ) : (
          <>An admin sets a group&apos;s MLflow in PrimeHub&apos;s group settings.</>
        )}
      </p>
    </div>
  );
}

/**
 * The side panel's Models section: the group's registered models, a model's versions and a
 * version's source run (parameters, metrics), one level at a time. Renders its ModelsModel.
 */
export function ModelsSection(props: {
  hub: IPrimeHub;
  model: ModelsModel;
  /** Opens the Deploy dialog for a version (when deployments are there). */
  deploy?: (request: { uri: string; name: string }) => void;
}): React.ReactElement {
  const { hub, model } = props;
  useSignal(model.changed);
  const { model: name, version } = model.location;
  let body: React.ReactNode;
  if (model.unavailable) {
    body = <MlflowUnavailable hub={hub} group={hub.group} />;
  } else if (name === null) {
    body = model.models ? <ModelList models={model.models} open={n => model.open(n)} /> : null;
  } else if (version === null) {
    body = model.versions ? <VersionList versions={model.versions} open={v => model.open(name, v)} /> : null;
  } else {
    body = model.detail ? <VersionView hub={hub} detail={model.detail} deploy={props.deploy} /> : null;
  }
  return (
    <div className="jp-primehub-Models">
      <div className="jp-primehub-ModelsBar">
        <Breadcrumbs model={model} />
        <ToolbarButtonComponent icon={refreshIcon} tooltip="Refresh" onClick={() => void model.refresh()} />
      </div>
      {model.error && (
        <>
          <ErrorText text={model.error} alert />
          <div className="jp-primehub-Help">Tried again by itself (less often while it fails); Refresh tries now.</div>
        </>
      )}
      {body ?? (!model.error && <div className="jp-primehub-Empty">Loading…</div>)}
    </div>
  );
}
