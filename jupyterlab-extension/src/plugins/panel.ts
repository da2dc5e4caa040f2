import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget } from '@jupyterlab/apputils';
import { CommandToolbarButton } from '@jupyterlab/ui-components';
import { IDocumentManager } from '@jupyterlab/docmanager';
import type { Job, Schedule } from '@primehub-suite/client/browser';
import { serverExtension } from '../api';
import { CommandIDs } from '../commandIds';
import { primehubIcon } from '../icons';
import { JobNotifier } from '../JobNotifier';
import { failureOf } from '../models/jobFailure';
import { notebookPathsOf, originalOfSnapshot } from '../models/notebookJobs';
import { IPrimeHub, IPrimeHubJobs, type ICompareRequest } from '../tokens';
import { JobDetail } from '../widgets/JobDetail';
import { openAddKeyDialog } from '../widgets/AddKeyDialog';
import { SidePanel } from '../widgets/SidePanel';
import { takeKeyFromUrl } from '../sshLink';
import { saveFile } from '../workspaceFiles';

/** The PrimeHub side panel, the job tabs and the notifications of submitted jobs. */
export const panelPlugin: JupyterFrontEndPlugin<IPrimeHubJobs> = {
  id: '@primehub-suite/jupyterlab:panel',
  description: 'PrimeHub side panel (jobs, recurring jobs), job tabs and job notifications.',
  autoStart: true,
  provides: IPrimeHubJobs,
  requires: [IPrimeHub, IDocumentManager],
  optional: [ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    hub: IPrimeHub,
    docManager: IDocumentManager,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ): IPrimeHubJobs => {
    const contents = app.serviceManager.contents;
    const jobTabs = new Map<string, MainAreaWidget<JobDetail>>();
    const openPath = (path: string): void => void docManager.openOrReveal(path);

    const openJob = (id: string): void => {
      let tab = jobTabs.get(id);
      if (!tab || tab.isDisposed) {
        const content = new JobDetail(hub, id, {
          openPath,
          saveFile: (path, data) => saveFile(contents, path, data),
          // The submit plugin owns reruns (a rerun with edited parameters is its form).
          rerun: (job: Job, edit: boolean) => app.commands.execute(CommandIDs.rerun, { id: job.id, edit }),
          ended: () => {
            notifier.refresh();
            void panel.jobs.refresh();
          },
          deploy: request => deployments.deploy(request)
        });
        tab = new MainAreaWidget({ content });
        tab.id = `primehub-job-${id}`;
        tab.title.label = `Job ${id}`;
        tab.title.icon = primehubIcon;
        tab.title.closable = true;
        // the models plugin's command, when it is there
        if (app.commands.hasCommand(CommandIDs.registerModel)) {
          tab.toolbar.addItem(
            'register-model',
            new CommandToolbarButton({ commands: app.commands, id: CommandIDs.registerModel, args: { id } })
          );
        }
        jobTabs.set(id, tab);
        app.shell.add(tab, 'main');
      }
      app.shell.activateById(tab.id);
    };

    // the compare plugin's command (the same extension's: there once the app has started)
    const compare = (request: ICompareRequest): void => {
      if (app.commands.hasCommand(CommandIDs.compare)) {
        void app.commands.execute(CommandIDs.compare, { ...request });
      }
    };

    const notifier = new JobNotifier(hub, {
      showJob: openJob,
      showLog: openJob,
      openNotebook: openPath,
      failureOf: job => failureOf(hub.client, job),
      compare
    });

    const deleteSchedule = async (schedule: Schedule): Promise<void> => {
      await hub.client.schedules.delete(schedule.id);
      const snapshot = notebookPathsOf(schedule.command, hub.config?.groupVolume ?? null)?.input;
      if (snapshot && snapshot !== originalOfSnapshot(snapshot)) {
        await serverExtension.removeSnapshot(snapshot).catch(() => undefined);
      }
    };

    // read before the Lab restores its layout and changes the address
    const linkedKey = takeKeyFromUrl();
    const addSshKey = (key?: string): void => {
      app.shell.activateById(panel.id);
      panel.showTab('ssh');
      openAddKeyDialog(hub, {
        ...(key !== undefined ? { key, fromLink: true } : {}),
        added: answer => panel.ssh.setKeys(answer)
      });
    };

    // the deployments plugin's commands (the same extension's: there once the app has started)
    const deployments = {
      deploy: (request: { uri?: string; name?: string } = {}): void => {
        if (app.commands.hasCommand(CommandIDs.deploy)) {
          void app.commands.execute(CommandIDs.deploy, { ...request });
        }
      },
      open: (id: string, view: 'try' | 'log'): void => {
        if (app.commands.hasCommand(CommandIDs.openDeployment)) {
          void app.commands.execute(CommandIDs.openDeployment, { id, view });
        }
      }
    };

    const panel = new SidePanel(hub, {
      openJob,
      deleteSchedule,
      compare,
      addSshKey: () => addSshKey(),
      deployments
    });
    panel.id = 'primehub-suite-panel';
    panel.title.icon = primehubIcon;
    panel.title.caption = 'PrimeHub';
    app.shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, 'primehub-suite-panel');

    app.commands.addCommand(CommandIDs.openJob, {
      label: 'Open PrimeHub Job',
      execute: args => openJob(String(args.id))
    });
    app.commands.addCommand(CommandIDs.openPanel, {
      label: 'Show PrimeHub Panel',
      execute: () => app.shell.activateById(panel.id)
    });
    palette?.addItem({ command: CommandIDs.openPanel, category: 'PrimeHub' });
    app.commands.addCommand(CommandIDs.showDeployments, {
      label: 'Show PrimeHub Deployments',
      execute: args => {
        app.shell.activateById(panel.id);
        panel.showTab('deployments');
        if (typeof args.id === 'string') {
          void panel.deployments.show(args.id);
        }
      }
    });
    palette?.addItem({ command: CommandIDs.showDeployments, category: 'PrimeHub' });
    app.commands.addCommand(CommandIDs.addSshKey, {
      label: 'Authorize an SSH Key for This Notebook…',
      caption:
        "Add a public key to the notebook's ~/.ssh/authorized_keys (its fingerprint is shown before it is added)",
      execute: () => addSshKey()
    });
    palette?.addItem({ command: CommandIDs.addSshKey, category: 'PrimeHub' });
    if (linkedKey !== null) {
      void app.restored.then(() => addSshKey(linkedKey));
    }

    return {
      openJob,
      track: (jobs, label) => notifier.track(jobs, label),
      selectedJobs: () => panel.jobs.selected
    };
  }
};
