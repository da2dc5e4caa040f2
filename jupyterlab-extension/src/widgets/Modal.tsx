import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

/**
 * A modal in JupyterLab's dialog look that closes only when its content says so (a failed
 * submission keeps every value the user typed, unlike `showDialog`, which closes on any button).
 */
export function openModal(title: string, render: (close: () => void) => React.ReactElement): Widget {
  const host = ReactWidget.create(<ModalFrame title={title} render={render} onClose={() => host.dispose()} />);
  host.addClass('jp-Dialog');
  host.addClass('jp-primehub-Modal');
  Widget.attach(host, document.body);
  return host;
}

function ModalFrame(props: {
  title: string;
  render: (close: () => void) => React.ReactElement;
  onClose: () => void;
}): React.ReactElement {
  React.useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        props.onClose();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div className="jp-Dialog-content jp-primehub-ModalContent" role="dialog" aria-label={props.title}>
      <div className="jp-Dialog-header">{props.title}</div>
      {props.render(props.onClose)}
    </div>
  );
}
