import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { showErrorMessage } from '@jupyterlab/apputils';
import type { Job } from '@primehub-suite/client/browser';
import * as React from 'react';
import { CommandIDs } from '../commandIds';
import { RegisterModelModel, type NotebookReader } from '../models/RegisterModelModel';
import { IPrimeHub } from '../tokens';
import { openModal } from '../widgets/Modal';
import { RegisterModelDialog } from '../widgets/RegisterModelDialog';

/** The job a command was started for: its `id` argument, else the job row right-clicked. */
function jobIdOf(app: JupyterFrontEnd, args: Record<string, unknown>): string | null {
  if (typeof args.id === 'string' && args.id) {
    return args.id;
  }
  const row = app.contextMenuHitTest(node => node.dataset.jobId !== undefined);
  return row?.dataset.jobId ?? null;
}

/**
 * "Register as Model…": a job's MLflow model into the group's model registry (the job tab's
 * toolbar and the jobs list's context menu). The Models section itself is in the side panel.
 */
export const modelsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@primehub-suite/jupyterlab:models',
  description: "Register the model a job's MLflow run logged in the group's model registry.",
  autoStart: true,
  requires: [IPrimeHub],
  activate: (app: JupyterFrontEnd, hub: IPrimeHub): void => {
    const contents = app.serviceManager.contents;
    const readNotebook: NotebookReader = async path => {
      try {
        const file = await contents.get(path, { type: 'file', format: 'text', content: true });
        return typeof file.content === 'string' ? file.content : null;
      } catch {
        // gone (a snapshot is removed after its job) or unreadable: the search goes without it
        return null;
      }
    };

    app.commands.addCommand(CommandIDs.registerModel, {
      label: 'Register as Model…',
      caption: "Register the model this job's MLflow run logged as a version in the group's model registry",
      execute: async args => {
        // read before any await: the context menu's target is known only now
        const id = jobIdOf(app, args);
        if (!id) {
          return;
        }
        let job: Job;
        try {
          job = await hub.client.jobs.get(id);
        } catch (err) {
          await showErrorMessage('Register as model', hub.describe('Loading the job', err));
          return;
        }
        const model = new RegisterModelModel(hub, job, readNotebook);
        const dialog = openModal(`Register a model from ${job.displayName ?? job.id}`, close =>
          React.createElement(RegisterModelDialog, { hub, model, onClose: close })
        );
        dialog.disposed.connect(() => model.dispose());
        void model.start();
      }
    });

    app.contextMenu.addItem({ command: CommandIDs.registerModel, selector: '.jp-primehub-JobRow', rank: 20 });
  }
};
