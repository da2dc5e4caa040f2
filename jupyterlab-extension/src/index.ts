import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, showDialog, showErrorMessage, Dialog } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { LabIcon } from '@jupyterlab/ui-components';
import { parseNotebookParameters } from '@primehub-suite/client/notebook';
import type { Job, Schedule } from '@primehub-suite/client/browser';
import * as React from 'react';
import primehubSvg from '../style/primehub.svg';
import { serverExtension } from './api';
import { JobNotifier } from './JobNotifier';
import { notebookPathsOf, originalOfSnapshot } from './models/notebookJobs';
import { DEFAULT_SETTINGS, PrimeHubSession } from './PrimeHubSession';
import { submitNotebook, type ISubmitResult } from './submitNotebook';
import { IPrimeHub, type IPrimeHubSettings } from './tokens';
import { JobDetail } from './widgets/JobDetail';
import { openModal } from './widgets/Modal';
import { SidePanel } from './widgets/SidePanel';
import { SubmitDialog, type ISubmitDialogProps } from './widgets/SubmitDialog';

const PLUGIN_ID = '@primehub-suite/jupyterlab:plugin';

export const primehubIcon = new LabIcon({ name: 'primehub-suite:primehub', svgstr: primehubSvg });

export const CommandIDs = {
  submit: 'primehub-suite:submit-notebook',
  openJob: 'primehub-suite:open-job',
  openPanel: 'primehub-suite:open-panel'
} as const;

function blobToBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

function inFolder(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}/`);
}

const plugin: JupyterFrontEndPlugin<IPrimeHub> = {
  id: PLUGIN_ID,
  description: 'PrimeHub jobs panel and "Submit notebook as job".',
  autoStart: true,
  provides: IPrimeHub,
  requires: [IDocumentManager, INotebookTracker],
  optional: [ISettingRegistry, ICommandPalette, ILayoutRestorer, IDefaultFileBrowser],
  activate: (
    app: JupyterFrontEnd,
    docManager: IDocumentManager,
    notebooks: INotebookTracker,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    fileBrowser: IDefaultFileBrowser | null
  ): IPrimeHub => {
    const hub = new PrimeHubSession();
    const contents = app.serviceManager.contents;
    const jobTabs = new Map<string, MainAreaWidget<JobDetail>>();

    const openPath = (path: string): void => void docManager.openOrReveal(path);

    const ensureFolder = async (folder: string): Promise<void> => {
      const parts = folder.split('/').filter(Boolean);
      for (let i = 1; i <= parts.length; i++) {
        const dir = parts.slice(0, i).join('/');
        try {
          await contents.get(dir, { content: false });
        } catch {
          await contents.save(dir, { type: 'directory' });
        }
      }
    };

    const saveFile = async (path: string, data: Blob): Promise<void> => {
      await ensureFolder(path.split('/').slice(0, -1).join('/'));
      await contents.save(path, { type: 'file', format: 'base64', content: await blobToBase64(data) });
    };

    const openJob = (id: string): void => {
      let tab = jobTabs.get(id);
      if (!tab || tab.isDisposed) {
        const content = new JobDetail(hub, id, { openPath, saveFile, rerun });
        tab = new MainAreaWidget({ content });
        tab.id = `primehub-job-${id}`;
        tab.title.label = `Job ${id}`;
        tab.title.icon = primehubIcon;
        tab.title.closable = true;
        jobTabs.set(id, tab);
        app.shell.add(tab, 'main');
      }
      app.shell.activateById(tab.id);
    };

    const notifier = new JobNotifier(hub, { showJob: openJob, showLog: openJob, openNotebook: openPath });

    const onSubmitted = (result: ISubmitResult): void => {
      for (const s of result.jobs) {
        notifier.track(s.job, s.output);
      }
      if (result.schedule) {
        void showDialog({
          title: 'Recurring job created',
          body: `"${result.schedule.displayName}" is listed under Recurring jobs in the PrimeHub panel.`,
          buttons: [Dialog.okButton()]
        });
      } else if (result.jobs.length === 1) {
        openJob(result.jobs[0].job.id);
      }
    };

    const showSubmitDialog = (props: Omit<ISubmitDialogProps, 'hub' | 'onSubmitted' | 'onClose'>): void => {
      openModal(`Submit ${props.path.split('/').pop()} as a PrimeHub job`, close =>
        React.createElement(SubmitDialog, { ...props, hub, onSubmitted, onClose: close })
      );
    };

    /** Preflight with fix-its, then the dialog. */
    const submitFlow = async (path: string | undefined): Promise<void> => {
      try {
        await hub.refresh();
      } catch (err) {
        await showErrorMessage('PrimeHub', `The PrimeHub server extension did not answer: ${hub.handleError(err)}`);
        return;
      }
      const config = hub.config!;
      const panel: NotebookPanel | null = path
        ? ((docManager.findWidget(path) as NotebookPanel | undefined) ?? null)
        : notebooks.currentWidget;
      let nbPath = path ?? panel?.context.path;
      if (!nbPath || !nbPath.endsWith('.ipynb')) {
        await showErrorMessage('Submit notebook as job', 'Open or select a notebook (.ipynb) first.');
        return;
      }
      if (panel?.context.model.dirty) {
        const r = await showDialog({
          title: 'Save before submitting?',
          body: 'The notebook has unsaved changes. The job runs the saved file.',
          buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Save and continue' })]
        });
        if (!r.button.accept) {
          return;
        }
        await panel.context.save();
      }
      if (config.groupVolume === null) {
        await showErrorMessage(
          'No group volume',
          `This server has no folder for the group volume of ${config.group.name ?? 'your group'}, so a job cannot see the notebook.`
        );
        return;
      }
      if (!inFolder(nbPath, config.groupVolume)) {
        const r = await showDialog({
          title: 'Notebook outside the group volume',
          body: `A job only sees the group volume (${config.groupVolume}/). Copy ${nbPath} into it and submit the copy?`,
          buttons: [Dialog.cancelButton(), Dialog.okButton({ label: `Copy into ${config.groupVolume}/` })]
        });
        if (!r.button.accept) {
          return;
        }
        // Not opened here: opening can ask for a kernel in a dialog over the submit form.
        nbPath = (await contents.copy(nbPath, config.groupVolume)).path;
      }
      const model = await contents.get(nbPath, { content: true });
      showSubmitDialog({ path: nbPath, notebook: model.content });
    };

    /** Rerun: a notebook job runs the notebook again (its snapshot is gone), with the same or edited values. */
    async function rerun(job: Job, edit: boolean): Promise<void> {
      const nb = notebookPathsOf(job.command, hub.config?.groupVolume ?? null);
      if (!nb || !nb.input) {
        const again = await hub.client.jobs.rerun(job.id);
        openJob(again.id);
        return;
      }
      const path = originalOfSnapshot(nb.input);
      const notebook = (await contents.get(path, { content: true })).content;
      const prefill = {
        parameters: nb.parameters,
        instanceType: job.instanceType?.name,
        image: job.image ?? undefined,
        name: job.displayName ?? undefined
      };
      if (edit) {
        showSubmitDialog({ path, notebook, prefill });
        return;
      }
      const result = await submitNotebook(hub, {
        path,
        instanceType: prefill.instanceType ?? hub.config?.instanceType ?? '',
        image: prefill.image ?? hub.config?.image ?? '',
        timeoutMinutes: hub.settings.defaultTimeoutMinutes,
        name: prefill.name ?? 'rerun',
        parameters: nb.parameters,
        declared: parseNotebookParameters(notebook).parameters
      });
      onSubmitted(result);
    }

    const deleteSchedule = async (schedule: Schedule): Promise<void> => {
      await hub.client.schedules.delete(schedule.id);
      const snapshot = notebookPathsOf(schedule.command, hub.config?.groupVolume ?? null)?.input;
      if (snapshot && snapshot !== originalOfSnapshot(snapshot)) {
        await serverExtension.removeSnapshot(snapshot).catch(() => undefined);
      }
    };

    const panel = new SidePanel(hub, { openJob, deleteSchedule });
    panel.id = 'primehub-suite-panel';
    panel.title.icon = primehubIcon;
    panel.title.caption = 'PrimeHub';
    app.shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, 'primehub-suite-panel');

    app.commands.addCommand(CommandIDs.submit, {
      label: args => (args.toolbar ? '' : 'Submit Notebook as PrimeHub Job…'),
      caption: 'Run this notebook as a PrimeHub job (papermill), with typed parameters',
      icon: args => (args.toolbar || args.isPalette ? primehubIcon : primehubIcon),
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
        await submitFlow(path);
      }
    });
    app.commands.addCommand(CommandIDs.openJob, {
      label: 'Open PrimeHub Job',
      execute: args => openJob(String(args.id))
    });
    app.commands.addCommand(CommandIDs.openPanel, {
      label: 'Show PrimeHub Panel',
      execute: () => app.shell.activateById(panel.id)
    });
    palette?.addItem({ command: CommandIDs.submit, category: 'PrimeHub' });
    palette?.addItem({ command: CommandIDs.openPanel, category: 'PrimeHub' });

    if (settingRegistry) {
      void settingRegistry.load(PLUGIN_ID).then(settings => {
        const apply = (): void => {
          hub.settings = { ...DEFAULT_SETTINGS, ...(settings.composite as Partial<IPrimeHubSettings>) };
        };
        apply();
        settings.changed.connect(apply);
      });
    }
    // The panel shows "Connecting…" until the config arrives; a failure is reported when the user acts.
    hub.refresh().catch(err => hub.handleError(err));
    return hub;
  }
};

export default [plugin];
export { IPrimeHub } from './tokens';
