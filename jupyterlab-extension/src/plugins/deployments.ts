import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import * as React from 'react';
import { CommandIDs } from '../commandIds';
import { primehubIcon } from '../icons';
import { DeployModel } from '../models/DeployModel';
import { insertCodeCell } from '../notebookCells';
import { IPrimeHub } from '../tokens';
import { DeployDialog } from '../widgets/DeployDialog';
import { DeploymentView } from '../widgets/DeploymentView';
import { openModal } from '../widgets/Modal';

/**
 * Model deployments: the Deploy dialog (from a model version, a job's artifact folder or a URI
 * typed in) and a deployment's tab (endpoint tester, "Insert request cell", the model server's
 * log). The Deployments section itself is in the side panel.
 */
export const deploymentsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@primehub-suite/jupyterlab:deployments',
  description: 'Deploy models on PrimeHub, test their endpoints and insert request cells.',
  autoStart: true,
  requires: [IPrimeHub],
  optional: [INotebookTracker, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    hub: IPrimeHub,
    notebooks: INotebookTracker | null,
    palette: ICommandPalette | null
  ): void => {
    const tabs = new Map<string, MainAreaWidget<DeploymentView>>();

    app.commands.addCommand(CommandIDs.deploy, {
      label: args => (args.uri ? 'Deploy…' : 'Deploy a Model…'),
      caption: 'Serve a model (models:/<name>/<version> or a phfs:/// folder) behind an endpoint',
      execute: args => {
        const model = new DeployModel(hub, {
          ...(typeof args.uri === 'string' ? { uri: args.uri } : {}),
          ...(typeof args.name === 'string' ? { name: args.name } : {})
        });
        const dialog = openModal('Deploy a model', close =>
          React.createElement(DeployDialog, {
            model,
            onClose: close,
            // the panel's command: the new deployment followed in its section
            onDeployed: id => void app.commands.execute(CommandIDs.showDeployments, { id })
          })
        );
        dialog.disposed.connect(() => model.dispose());
        void model.start();
      }
    });
    palette?.addItem({ command: CommandIDs.deploy, category: 'PrimeHub' });

    app.commands.addCommand(CommandIDs.openDeployment, {
      label: 'Open PrimeHub Deployment',
      execute: args => {
        const id = String(args.id);
        const view = args.view === 'log' ? 'log' : 'try';
        let tab = tabs.get(id);
        if (!tab || tab.isDisposed) {
          const content = new DeploymentView(hub, id, view, {
            insertCell: code => void insertCodeCell(notebooks, code, panelId => app.shell.activateById(panelId))
          });
          tab = new MainAreaWidget({ content });
          tab.id = `primehub-deployment-${id}`;
          tab.title.label = `Deployment ${id}`;
          tab.title.icon = primehubIcon;
          tab.title.closable = true;
          tabs.set(id, tab);
          app.shell.add(tab, 'main');
        } else {
          tab.content.showView(view);
        }
        app.shell.activateById(tab.id);
      }
    });
  }
};
