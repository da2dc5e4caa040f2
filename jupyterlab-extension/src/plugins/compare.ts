import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import {
  launchIcon,
  ReactWidget,
  refreshIcon,
  Switch,
  ToolbarButton,
  ToolbarButtonComponent,
  UseSignal
} from '@jupyterlab/ui-components';
import { sweepExperiment, sweepIdOf } from '@primehub-suite/client/compare';
import * as React from 'react';
import { CommandIDs } from '../commandIds';
import { primehubIcon } from '../icons';
import { openMlflowUi } from '../models/mlflowUi';
import { CompareModel } from '../models/CompareModel';
import { IPrimeHub, IPrimeHubJobs, type ICompareRequest } from '../tokens';
import { CompareView } from '../widgets/CompareView';
import { notebookReader } from '../workspaceFiles';

/** The compare command's arguments as a request (JSON from a menu, the palette or another plugin). */
export function compareRequestOf(args: Record<string, unknown>): ICompareRequest {
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
  const jobIds = Array.isArray(args.jobIds) ? args.jobIds.filter((id): id is string => typeof id === 'string') : [];
  const request: ICompareRequest = {};
  if (jobIds.length) {
    request.jobIds = jobIds;
  }
  for (const key of ['sweepId', 'scheduleId', 'label'] as const) {
    const value = text(args[key]);
    if (value) {
      request[key] = value;
    }
  }
  return request;
}

/** One tab per sweep, recurring job or set of jobs: opening the same again shows it. */
function tabId(request: ICompareRequest): string {
  const key = request.sweepId
    ? `sweep-${request.sweepId}`
    : request.scheduleId
      ? `schedule-${request.scheduleId}`
      : `jobs-${[...(request.jobIds ?? [])].sort().join('-')}`;
  return `primehub-compare-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/**
 * Compare: a main-area tab of the MLflow runs of a sweep, a recurring job's runs or jobs picked,
 * side by side (sortable table, best per metric, differences only, a chart, links to the jobs and
 * to MLflow's compare page, "Register as model" per run). Opened from the jobs list (selection
 * and context menu), a recurring job, and a sweep's notification.
 */
export const comparePlugin: JupyterFrontEndPlugin<void> = {
  id: '@primehub-suite/jupyterlab:compare',
  description: 'Compare the MLflow runs of a sweep, a recurring job or jobs picked, side by side.',
  autoStart: true,
  requires: [IPrimeHub, IPrimeHubJobs],
  activate: (app: JupyterFrontEnd, hub: IPrimeHub, jobs: IPrimeHubJobs): void => {
    const readNotebook = notebookReader(app.serviceManager.contents);
    const tabs = new Map<string, MainAreaWidget<CompareView>>();

    /** The job row right-clicked, if a context menu is open on one. */
    const rowOf = (): HTMLElement | undefined => app.contextMenuHitTest(node => node.dataset.jobId !== undefined);

    const open = (request: ICompareRequest): void => {
      const id = tabId(request);
      let tab = tabs.get(id);
      if (!tab || tab.isDisposed) {
        const model = new CompareModel(hub, request, readNotebook);
        const content = new CompareView(hub, model, {
          openJob: jobId => jobs.openJob(jobId),
          register: row =>
            void app.commands.execute(CommandIDs.registerModel, {
              id: row.jobId ?? '',
              experiment: row.experiment,
              runId: row.runId
            })
        });
        tab = new MainAreaWidget({ content });
        tab.id = id;
        tab.addClass('jp-primehub-CompareTab');
        tab.title.icon = primehubIcon;
        tab.title.closable = true;
        const retitle = (): void => {
          tab!.title.label = `Compare: ${model.title}`;
          tab!.title.caption = `The MLflow runs of ${model.title}, side by side`;
        };
        retitle();
        model.changed.connect(retitle);

        tab.toolbar.addItem(
          'refresh',
          new ToolbarButton({
            icon: refreshIcon,
            tooltip: 'Look for the runs again now',
            onClick: () => void model.refresh()
          })
        );
        const differences = new Switch();
        differences.label = 'Differences only';
        differences.caption = 'Hide the parameters and metrics that are the same in every run';
        differences.addClass('jp-primehub-DifferencesSwitch');
        differences.valueChanged.connect((_, change) => model.setDifferencesOnly(change.newValue));
        tab.toolbar.addItem('differences-only', differences);
        tab.toolbar.addItem(
          'open-mlflow',
          ReactWidget.create(
            React.createElement(UseSignal, {
              signal: model.changed,
              children: () =>
                React.createElement(ToolbarButtonComponent, {
                  icon: launchIcon,
                  label: 'Compare in MLflow',
                  tooltip: model.mlflowUrl
                    ? "Open these runs in the MLflow UI's compare page"
                    : "The group's MLflow has no UI address",
                  enabled: model.mlflowUrl !== null,
                  onClick: () => {
                    if (model.mlflowUrl) {
                      void openMlflowUi(hub, model.mlflowUrl);
                    }
                  }
                })
            })
          )
        );
        tabs.set(id, tab);
        tab.disposed.connect(() => tabs.delete(id));
        app.shell.add(tab, 'main');
      }
      app.shell.activateById(tab.id);
    };

    app.commands.addCommand(CommandIDs.compare, {
      label: args => {
        const n = compareRequestOf(args).jobIds?.length ?? 0;
        return n > 1 ? `Compare Runs of ${n} Jobs` : 'Compare Runs';
      },
      caption: 'Compare the MLflow runs of jobs side by side: parameters, metrics, the best run',
      execute: args => {
        const request = compareRequestOf(args);
        if (!request.jobIds && !request.sweepId && !request.scheduleId) {
          // from the jobs list's context menu: the jobs picked when the row is one of them, else its job
          const row = rowOf()?.dataset.jobId;
          const picked = jobs.selectedJobs();
          if (row) {
            request.jobIds = picked.includes(row) ? [...picked] : [row];
          } else if (picked.length) {
            request.jobIds = [...picked];
          } else {
            return;
          }
        }
        open(request);
      }
    });

    app.commands.addCommand(CommandIDs.compareSweep, {
      label: 'Compare Runs of Its Sweep',
      caption: "Compare the MLflow runs of every job of this job's sweep",
      isVisible: () => Boolean(rowOf()?.dataset.sweepId),
      execute: async args => {
        let sweepId = typeof args.sweepId === 'string' ? args.sweepId : rowOf()?.dataset.sweepId;
        const jobId = typeof args.id === 'string' ? args.id : rowOf()?.dataset.jobId;
        if (!sweepId && jobId) {
          sweepId = sweepIdOf(await hub.client.jobs.get(jobId));
        }
        if (sweepId) {
          // named after its notebook, as the sweep's id begins
          const label = sweepExperiment(sweepId) ?? sweepId;
          open({ sweepId, label, ...(jobId ? { jobIds: [jobId] } : {}) });
        }
      }
    });

    app.contextMenu.addItem({ command: CommandIDs.compare, selector: '.jp-primehub-JobRow', rank: 21 });
    app.contextMenu.addItem({ command: CommandIDs.compareSweep, selector: '.jp-primehub-JobRow', rank: 22 });
  }
};
