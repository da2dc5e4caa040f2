import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, ICommandPalette, showDialog } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import * as React from 'react';
import { CommandIDs } from '../commandIds';
import { labDialogs } from '../dialogs';
import { rerunJob } from '../flows/rerunFlow';
import { prepareSubmission } from '../flows/submitFlow';
import { primehubIcon } from '../icons';
import type { ISubmitResult } from '../submitNotebook';
import { IPrimeHub, IPrimeHubJobs } from '../tokens';
import { openModal } from '../widgets/Modal';
import { SubmitDialog, type ISubmitDialogProps } from '../widgets/SubmitDialog';

/** "Submit notebook as job" (toolbar, palette, file browser) and reruns of notebook jobs. */
export const submitPlugin: JupyterFrontEndPlugin<void> = {
  id: '@primehub-suite/jupyterlab:submit',
  description: 'Submit a notebook as a PrimeHub job (papermill) with typed parameters; rerun notebook jobs.',
  autoStart: true,
  requires: [IPrimeHub, IPrimeHubJobs, IDocumentManager, INotebookTracker],
  optional: [ICommandPalette, IDefaultFileBrowser],
  activate: (
    app: JupyterFrontEnd,
    hub: IPrimeHub,
    jobs: IPrimeHubJobs,
    docManager: IDocumentManager,
    notebooks: INotebookTracker,
    palette: ICommandPalette | null,
    fileBrowser: IDefaultFileBrowser | null
  ): void => {
    const contents = app.serviceManager.contents;

    const onSubmitted = (result: ISubmitResult, label?: string): void => {
      jobs.track(result.jobs, result.jobs.length > 1 ? label : undefined);
      if (result.schedule) {
        void showDialog({
          title: 'Recurring job created',
          body: `"${result.schedule.displayName}" is listed under Recurring jobs in the PrimeHub panel.`,
          buttons: [Dialog.okButton()]
        });
      } else if (result.jobs.length === 1) {
        jobs.openJob(result.jobs[0].job.id);
      }
    };

    const showForm = (props: Omit<ISubmitDialogProps, 'hub' | 'onSubmitted' | 'onClose'>): void => {
      openModal(`Submit ${props.path.split('/').pop()} as a PrimeHub job`, close =>
        React.createElement(SubmitDialog, { ...props, hub, onSubmitted, onClose: close })
      );
    };

    app.commands.addCommand(CommandIDs.submit, {
      label: args => (args.toolbar ? '' : 'Submit Notebook as PrimeHub Job…'),
      caption: 'Run this notebook as a PrimeHub job (papermill), with typed parameters',
      icon: primehubIcon,
      execute: async args => {
        let path = typeof args.path === 'string' ? args.path : undefined;
        if (
          !path &&
          args.fromBrowser !== false &&
          app.contextMenuHitTest(n => n.classList.contains('jp-DirListing-item'))
        ) {
          const item = fileBrowser?.selectedItems().next();
          path = item && !item.done ? item.value.path : undefined;
        }
        const panel: NotebookPanel | null = path
          ? ((docManager.findWidget(path) as NotebookPanel | undefined) ?? null)
          : notebooks.currentWidget;
        const form = await prepareSubmission(
          { hub, contents, ask: labDialogs },
          path ?? panel?.context.path,
          panel ? { dirty: panel.context.model.dirty, save: () => panel.context.save() } : null
        );
        if (form) {
          showForm(form);
        }
      }
    });

    app.commands.addCommand(CommandIDs.rerun, {
      label: args => (args.edit ? 'Rerun PrimeHub Job with Edited Parameters…' : 'Rerun PrimeHub Job'),
      execute: async args => {
        const job = await hub.client.jobs.get(String(args.id));
        const outcome = await rerunJob({ hub, contents }, job, Boolean(args.edit));
        if ('form' in outcome) {
          showForm(outcome.form);
        } else {
          onSubmitted(outcome.submitted);
        }
      }
    });

    palette?.addItem({ command: CommandIDs.submit, category: 'PrimeHub' });
  }
};
