import { addIcon, closeIcon, refreshIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import type { NotebookSshStatus } from '@primehub-suite/client/browser';
import * as React from 'react';
import { confirmDanger } from '../dialogs';
import type { SshModel } from '../models/SshModel';
import type { IAuthorizedKey, IPrimeHub } from '../tokens';
import { CopyButton } from './CopyButton';
import { useSignal } from './useSignal';
import { ErrorText } from './ErrorText';

/** JupyterLab's switch (the DOM and classes of ui-components' `Switch` widget), as a React element. */
function LabSwitch(props: {
  checked: boolean;
  disabled: boolean;
  label: string;
  caption: string;
  onChange: (value: boolean) => void;
}): React.ReactElement {
  return (
    <button
      className="jp-switch"
      role="switch"
      aria-checked={props.checked}
      aria-label={props.label}
      title={props.caption}
      disabled={props.disabled}
      onClick={() => props.onChange(!props.checked)}
    >
      <span className="jp-switch-label">{props.label}</span>
      <div className="jp-switch-track" aria-hidden="true" />
    </button>
  );
}

/** The sshd's state in words, with the reason when it is not running. */
function stateText(status: NotebookSshStatus): string {
  if (!status.enabled) {
    return 'SSH is off: the notebook runs no SSH server.';
  }
  switch (status.state) {
    case 'running':
      return `SSH server running: ${status.login}@${status.host} port ${status.port}, through the bastion ${status.bastion.user}@${status.bastion.host}${status.bastion.port ? ` port ${status.bastion.port}` : ''}.`;
    case 'starting':
      return 'SSH server starting…';
    default:
      return `SSH server stopped${status.reason ? `: ${status.reason}` : '.'}`;
  }
}

/** The `~/.ssh/config` block, as PrimeHub's spawner shows it, with a copy button. */
function ConfigBlock(props: { config: string }): React.ReactElement {
  return (
    <div className="jp-primehub-SshConfig">
      <div className="jp-primehub-SshBar">
        <div className="jp-primehub-Section">Config for your computer</div>
        <CopyButton text={props.config} tooltip="Copy the block for your computer's ~/.ssh/config" labelled />
      </div>
      <pre className="jp-primehub-Mono jp-primehub-SshConfigText" data-testid="ssh-config">
        {props.config}
      </pre>
      <div className="jp-primehub-Help">
        On your computer: add it to <code>~/.ssh/config</code>, name your private key in both <code>IdentityFile</code>{' '}
        and the <code>ProxyCommand</code>&apos;s <code>-i</code> (the block says <code>~/.ssh/id_rsa</code>), and
        authorize its public key below.
      </div>
    </div>
  );
}

function KeyRow(props: { item: IAuthorizedKey; remove: (key: IAuthorizedKey) => void }): React.ReactElement {
  const { item } = props;
  return (
    <li className="jp-primehub-KeyRow" data-fingerprint={item.fingerprint}>
      <span className="jp-primehub-KeyFingerprint jp-primehub-Mono" title={`${item.typeName} ${item.bits} bits`}>
        {item.fingerprint}
      </span>
      <span className="jp-primehub-JobMeta">
        {item.comment || '(no comment)'} · {item.typeName}
      </span>
      <span className="jp-primehub-KeyRemove">
        <ToolbarButtonComponent
          icon={closeIcon}
          tooltip={`Remove ${item.comment || item.fingerprint}`}
          onClick={() => props.remove(item)}
        />
      </span>
    </li>
  );
}

function Keys(props: { model: SshModel; add: () => void }): React.ReactElement {
  const { model } = props;
  const remove = async (key: IAuthorizedKey): Promise<void> => {
    const yes = await confirmDanger(
      'Remove SSH key?',
      `${key.comment || 'This key'} (${key.fingerprint}) will no longer log in to this notebook. Other keys and lines of ${model.keysFile} stay as they are.`,
      'Remove'
    );
    if (yes) {
      await model.removeKey(key);
    }
  };
  return (
    <div className="jp-primehub-SshKeys">
      <div className="jp-primehub-SshBar">
        <div className="jp-primehub-Section">Authorized keys</div>
        <ToolbarButtonComponent icon={addIcon} label="Add key" tooltip="Authorize a public key" onClick={props.add} />
      </div>
      <ErrorText text={model.keysError} alert />
      {model.keys && (
        <ul className="jp-primehub-JobList" aria-label="Authorized keys">
          {model.keys.map(k => (
            <KeyRow key={k.fingerprint} item={k} remove={key => void remove(key)} />
          ))}
          {model.keys.length === 0 && (
            <li className="jp-primehub-Empty" data-testid="no-keys">
              No keys yet: add the public key of the computer you connect from.
            </li>
          )}
        </ul>
      )}
      {model.keysFile && (
        <div className="jp-primehub-Help">
          In <code>{model.keysFile}</code>
        </div>
      )}
    </div>
  );
}

/**
 * The side panel's SSH section: the notebook's SSH switch and its server's state (PrimeHub Local;
 * on a cluster SSH is chosen in the spawner), the `~/.ssh/config` block to copy, and the keys the
 * notebook authorizes, with Add and Remove. Renders its SshModel.
 */
export function SshSection(props: { hub: IPrimeHub; model: SshModel; addKey: () => void }): React.ReactElement {
  const { hub, model } = props;
  useSignal(model.changed);
  const status = model.status;
  return (
    <div className="jp-primehub-Ssh">
      <div className="jp-primehub-SshBar">
        {status ? (
          <LabSwitch
            checked={status.enabled}
            disabled={model.switching}
            label="Enable SSH Server"
            caption="Run an SSH server in this notebook, reached through PrimeHub's SSH bastion"
            onChange={value => void model.setEnabled(value)}
          />
        ) : (
          <span />
        )}
        <ToolbarButtonComponent icon={refreshIcon} tooltip="Refresh" onClick={() => void model.refresh()} />
      </div>
      <ErrorText text={model.error} alert />
      {status && (
        <div className="jp-primehub-Help" data-testid="ssh-state" data-state={status.enabled ? status.state : 'off'}>
          {model.switching ? (status.enabled ? 'Turning SSH off…' : 'Starting the SSH server…') : stateText(status)}
        </div>
      )}
      {model.unavailable && (
        <div className="jp-primehub-Callout" data-testid="ssh-unavailable">
          <p>{model.unavailable}</p>
          {hub.config?.isLocal ? (
            <p className="jp-primehub-Help">
              On PrimeHub Local only the notebook <code>npm start</code> runs beside it can have SSH;{' '}
              <code>npm start -- --ssh</code> starts it with SSH on.
            </p>
          ) : (
            <p className="jp-primehub-Help">
              On PrimeHub, SSH is chosen when the notebook starts: <em>Show advanced settings</em> ›{' '}
              <em>Enable SSH Server</em> on the spawner page, which also shows the <code>~/.ssh/config</code> block.
              PrimeHub&apos;s bastion may take 2 to 15 minutes to accept a newly added key.
            </p>
          )}
        </div>
      )}
      {status?.enabled && status.config && <ConfigBlock config={status.config} />}
      {!status && !model.unavailable && !model.error && hub.config?.user && (
        <div className="jp-primehub-Empty">Loading…</div>
      )}
      <Keys model={model} add={props.addKey} />
    </div>
  );
}
