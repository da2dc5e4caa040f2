import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { showErrorMessage } from '@jupyterlab/apputils';
import type { Job } from '@primehub-suite/client/browser';
import * as React from 'react';
import { CommandIDs } from '../commandIds';
import { RegisterModelModel, type NotebookReader } from '../models/RegisterModelModel';
import { IPrimeHub } from '../tokens';
import { openModal } from '../widgets/Modal';
import { RegisterModelDialog } from '../widgets/RegisterModelDialog';
import { notebookReader } from '../workspaceFiles';

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
    // a job's notebook, for its set_experiment (gone or unreadable: the search goes without it)
    const readNotebook: NotebookReader = notebookReader(app.serviceManager.contents);

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
        // a Compare tab's row names its run
        const preferred = {
          ...(typeof args.experiment === 'string' ? { experiment: args.experiment } : {}),
          ...(typeof args.runId === 'string' ? { runId: args.runId } : {})
        };
        const model = new RegisterModelModel(hub, job, readNotebook, preferred);
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
