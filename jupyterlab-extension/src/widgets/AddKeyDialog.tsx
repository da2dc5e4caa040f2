import { Notification } from '@jupyterlab/apputils';
import { fileUploadIcon } from '@jupyterlab/ui-components';
import type { Widget } from '@lumino/widgets';
import * as React from 'react';
import { serverExtension } from '../api';
import type { IAuthorizedKeys, IKeyCheck, IPrimeHub } from '../tokens';
import { DialogFooter } from './DialogFooter';
import { openModal } from './Modal';
import { ErrorText } from './ErrorText';

/** A `.pub` file is one line; anything this large is not one. */
const MAX_UPLOAD_BYTES = 64 * 1024;
/** What a private key file holds (OpenSSH, PEM, PuTTY), where a public key line never does. */
const PRIVATE_KEY = /PRIVATE KEY|PuTTY-User-Key-File/;
/** Typing pauses this long (ms) before the key is checked. */
const CHECK_DELAY_MS = 250;

export interface IAddKeyOptions {
  /** The key to show (the authorize link's), instead of an empty box. */
  key?: string;
  /** Whether the key came from a link someone opened: the dialog says to add only one's own key. */
  fromLink?: boolean;
  /** Called with the keys after one was added. */
  added?(answer: IAuthorizedKeys): void;
}

/**
 * "Authorize an SSH key": a public key pasted or uploaded from a `.pub` file, checked by the server
 * extension as it is typed (its type, SHA256 fingerprint and comment shown, or why it is refused),
 * and added to the notebook's `~/.ssh/authorized_keys` only when the user presses Add.
 */
export function openAddKeyDialog(hub: IPrimeHub, opts: IAddKeyOptions = {}): Widget {
  return openModal('Authorize an SSH key for this notebook', close => (
    <AddKeyDialog hub={hub} options={opts} onClose={close} />
  ));
}

function KeyFacts(props: { check: IKeyCheck }): React.ReactElement {
  const { key } = props.check;
  return (
    <table className="jp-primehub-Info" data-testid="key-check">
      <tbody>
        <tr>
          <th>Fingerprint</th>
          <td className="jp-primehub-Mono" data-field="Fingerprint">
            {key.fingerprint}
          </td>
        </tr>
        <tr>
          <th>Type</th>
          <td data-field="Type">
            {key.typeName} ({key.bits} bits)
          </td>
        </tr>
        <tr>
          <th>Comment</th>
          <td data-field="Comment">{key.comment || '(none)'}</td>
        </tr>
      </tbody>
    </table>
  );
}

function AddKeyDialog(props: { hub: IPrimeHub; options: IAddKeyOptions; onClose: () => void }): React.ReactElement {
  const { hub, options } = props;
  const [text, setText] = React.useState(options.key ?? '');
  const [check, setCheck] = React.useState<IKeyCheck | null>(null);
  const [problem, setProblem] = React.useState('');
  const [adding, setAdding] = React.useState(false);
  const upload = React.useRef<HTMLInputElement>(null);
  // only the answer for the text shown now counts
  const latest = React.useRef(0);

  React.useEffect(() => {
    const n = ++latest.current;
    setCheck(null);
    setProblem('');
    if (!text.trim()) {
      return;
    }
    // a private key is never sent anywhere, not even to be refused by the server
    if (PRIVATE_KEY.test(text)) {
      setProblem('This is a private key: never share it. Paste the public key (the .pub file) instead.');
      return;
    }
    const t = window.setTimeout(
      () =>
        void serverExtension.checkKey(text).then(
          answer => n === latest.current && setCheck(answer),
          (err: unknown) => n === latest.current && setProblem(hub.describe('Checking the key', err))
        ),
      options.key !== undefined && text === options.key ? 0 : CHECK_DELAY_MS
    );
    return () => window.clearTimeout(t);
  }, [text]);

  const readFile = async (file: File): Promise<void> => {
    if (file.size > MAX_UPLOAD_BYTES) {
      setProblem(`${file.name} is ${file.size} bytes: a public key (.pub) file is one short line`);
      return;
    }
    setText(await file.text());
  };

  const add = async (): Promise<void> => {
    setAdding(true);
    try {
      const answer = await serverExtension.addKey(text);
      options.added?.(answer);
      props.onClose();
      Notification.success(
        answer.added
          ? `SSH key ${answer.key.fingerprint} authorized for this notebook`
          : `SSH key ${answer.key.fingerprint} was authorized already`,
        { autoClose: 5000 }
      );
    } catch (err) {
      setProblem(hub.describe('Adding the key', err));
      setAdding(false);
    }
  };

  const ready = check !== null && !check.authorized && !adding;
  return (
    <>
      <div className="jp-Dialog-body jp-primehub-AddKey">
        {options.fromLink && (
          <div className="jp-primehub-Callout jp-primehub-Callout-warn" data-testid="key-from-link">
            A link asks to let this key log in to this notebook over SSH. Add it only if you made the link yourself (for
            example with VS Code&apos;s <em>PrimeHub: Connect to Notebook via SSH</em>) and the fingerprint is your
            key&apos;s: whoever holds its private key can use this notebook as you.
          </div>
        )}
        <label className="jp-primehub-Field" htmlFor="ph-ssh-key">
          Public key (the content of a <code>.pub</code> file, such as <code>~/.ssh/id_ed25519.pub</code>)
        </label>
        <textarea
          id="ph-ssh-key"
          className="jp-mod-styled jp-primehub-KeyText"
          rows={4}
          spellCheck={false}
          placeholder="ssh-ed25519 AAAA… you@laptop"
          value={text}
          readOnly={adding}
          onChange={e => setText(e.target.value)}
        />
        <div className="jp-primehub-Toolbar">
          <button className="jp-Button jp-mod-styled" onClick={() => upload.current?.click()} disabled={adding}>
            <fileUploadIcon.react tag="span" className="jp-primehub-InlineIcon" /> Upload .pub file…
          </button>
          <input
            ref={upload}
            type="file"
            accept=".pub"
            aria-label="Public key file"
            hidden
            onChange={e => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (file) {
                void readFile(file);
              }
            }}
          />
        </div>
        {check && <KeyFacts check={check} />}
        {check?.authorized && (
          <div className="jp-primehub-Help" data-testid="key-authorized">
            This key is authorized already.
          </div>
        )}
        {check && !check.authorized && (
          <div className="jp-primehub-Help">
            Added to <code>{check.file}</code>, after the keys there.
          </div>
        )}
        <ErrorText text={problem} alert />
      </div>
      <DialogFooter
        reject={{ label: 'Cancel', onClick: props.onClose }}
        accept={{ label: adding ? 'Adding…' : 'Add key', disabled: !ready, onClick: () => void add() }}
      />
    </>
  );
}
