import { PrimeHubClient } from '@primehub-suite/client';
import * as vscode from 'vscode';
import { CompareCommands } from './compare/CompareCommands';
import { CompareManager } from './compare/CompareManager';
import { ConnectionCommands } from './connection/ConnectionCommands';
import { ConnectionManager } from './connection/ConnectionManager';
import { DeploymentsCommands } from './deployments/DeploymentsCommands';
import { DeploymentsManager } from './deployments/DeploymentsManager';
import { deploymentsViewDescription, deploymentsViewMessage } from './deployments/deploymentsText';
import { ProfileModel } from './connection/ProfileModel';
import { probeHealth } from './connection/health';
import { Reachability } from './connection/Reachability';
import { ErrorCommands } from './errors/ErrorCommands';
import { FilesCommands } from './files/FilesCommands';
import { FilesManager } from './files/FilesManager';
import { JobLogFollower } from './jobs/JobLogFollower';
import { JobsCommands } from './jobs/JobsCommands';
import { JobSpecWizard } from './jobs/JobSpecWizard';
import { JobsManager } from './jobs/JobsManager';
import { jobsCountText, JobsModel } from './jobs/JobsModel';
import { Logger } from './logger/Logger';
import { ModelsCommands } from './models/ModelsCommands';
import { ModelsManager } from './models/ModelsManager';
import { modelsViewDescription, modelsViewMessage } from './models/modelsText';
import { JobNode, JobsTreeDataProvider } from './ui/jobs/JobsTreeDataProvider';
import { FilesTreeDataProvider, PHFS_SCHEME, PhfsContentProvider } from './ui/files/FilesTreeDataProvider';
import { ModelsTreeDataProvider } from './ui/models/ModelsTreeDataProvider';
import { DeploymentsTreeDataProvider } from './ui/deployments/DeploymentsTreeDataProvider';
import { TreeViewState } from './ui/TreeViewState';
import { SchedulesTreeDataProvider } from './ui/schedules/SchedulesTreeDataProvider';
import { SchedulesCommands } from './schedules/SchedulesCommands';
import { SchedulesManager } from './schedules/SchedulesManager';
import { SshCommands } from './ssh/SshCommands';
import { sshConfigFor } from './ssh/SshConfigFile';
import { SshManager } from './ssh/SshManager';
import { CommandArgs } from './util/commandArgs';
import { RefreshScheduler } from './util/RefreshScheduler';
import { CustomWhenContext, DEPLOYMENTS_LOADED_CONTEXT, MODELS_STATUS_CONTEXT } from './vscode-objs/CustomWhenContext';
import { WorkspaceConfigs } from './vscode-objs/WorkspaceConfigs';

/**
 * The parts the extension's own integration tests inspect, returned by `activate` only in
 * `ExtensionMode.Test` (not a public API: it holds the token store and signed-in clients).
 */
export interface PrimeHubExtensionApi {
  connection: ConnectionManager;
  jobs: JobsManager;
  jobsTree: JobsTreeDataProvider;
  jobsCommands: JobsCommands;
  logs: JobLogFollower;
  schedules: SchedulesManager;
  files: FilesManager;
  filesTree: FilesTreeDataProvider;
  models: ModelsManager;
  deployments: DeploymentsManager;
  deploymentsCommands: DeploymentsCommands;
  compare: CompareCommands;
  ssh: SshManager;
  sshCommands: SshCommands;
  /** ms from the start of `activate()` until the views were registered and state restored. */
  activationMs: number;
  /** The extension's secret storage (tests check where tokens go). */
  secrets: vscode.SecretStorage;
  globalState: vscode.Memento;
}

/**
 * The composition root: builds every part once, wires them, and registers commands and views.
 * Resolves to nothing outside `ExtensionMode.Test`: any installed extension can read `exports`.
 */
export async function activate(context: vscode.ExtensionContext): Promise<PrimeHubExtensionApi | undefined> {
  const started = performance.now();
  const channel = vscode.window.createOutputChannel('PrimeHub', { log: true });
  const log = new Logger(channel, 'primehub');
  const when = new CustomWhenContext();
  const errors = new ErrorCommands(log.child('ui'), () => channel.show(true));

  // One client per profile, built here; the token is read from SecretStorage on each request.
  const connection = new ConnectionManager(
    new ProfileModel(context.globalState),
    context.secrets,
    ({ endpoint, group, rejectUnauthorized, getToken, logger, onAuthError }) =>
      new PrimeHubClient({
        endpoint,
        group,
        getToken,
        onAuthError,
        rejectUnauthorized,
        timeoutMs: WorkspaceConfigs.requestTimeoutMs,
        logger: logger.child('client'),
        userAgent: `primehub-vscode/${context.extension.packageJSON.version}`
      }),
    log.child('connection')
  );

  const jobsModel = new JobsModel();
  const jobs = new JobsManager(connection, jobsModel, log.child('jobs'), { maxJobs: () => WorkspaceConfigs.maxJobs });
  const jobsTree = new JobsTreeDataProvider(jobs);
  // many jobs can be selected: Compare Runs compares the selection
  const jobsView = vscode.window.createTreeView('primehub.jobs', {
    treeDataProvider: jobsTree,
    showCollapseAll: true,
    canSelectMany: true
  });
  const jobsState = new TreeViewState(jobsView, jobsModel, {
    description: m => (m.loaded ? jobsCountText(m.jobs.length, m.extent) : undefined)
  });
  const jobsRefresh = new RefreshScheduler(() => jobs.refresh(), {
    intervalMs: () => WorkspaceConfigs.jobsRefreshIntervalMs
  });

  const wizard = new JobSpecWizard(connection, context.workspaceState);
  const logs = new JobLogFollower(
    (id, signal) => jobs.logs(id, { follow: true, signal }),
    log.child('logs'),
    title => vscode.window.createOutputChannel(title)
  );
  const jobsCommands = new JobsCommands(
    jobs,
    connection,
    logs,
    errors,
    wizard,
    async job => {
      if (!jobsModel.get(job.id)) {
        await jobs.refresh();
      }
      const node = jobsTree.nodeFor(job.id);
      if (node) {
        await jobsView.reveal(node, { expand: true, select: true, focus: true });
      }
    },
    () => files.refreshAll()
  );

  const schedules = new SchedulesManager(connection, log.child('schedules'));
  const schedulesTree = new SchedulesTreeDataProvider(schedules);
  const schedulesView = vscode.window.createTreeView('primehub.recurringJobs', { treeDataProvider: schedulesTree });
  const schedulesRefresh = new RefreshScheduler(() => schedules.refresh(), {
    intervalMs: () => WorkspaceConfigs.jobsRefreshIntervalMs * 3
  });
  const schedulesCommands = new SchedulesCommands(schedules, wizard, errors, id => {
    void jobsCommands.followLogCommand(id);
  });

  const files = new FilesManager(connection, log.child('files'));
  const filesCommands = new FilesCommands(files, errors);
  const filesTree = new FilesTreeDataProvider(files, async (paths, target) => {
    await filesCommands.upload(target, paths);
  });
  const filesView = vscode.window.createTreeView('primehub.files', {
    treeDataProvider: filesTree,
    dragAndDropController: filesTree,
    canSelectMany: false,
    showCollapseAll: true
  });

  // Models: refreshed while the view is visible; while MLflow does not answer it is asked again sooner
  const models = new ModelsManager(connection, log.child('models'), () => jobsModel.jobs, context.globalState);
  const modelsTree = new ModelsTreeDataProvider(models);
  const modelsView = vscode.window.createTreeView('primehub.models', { treeDataProvider: modelsTree });
  const modelsState = new TreeViewState(modelsView, models.model, {
    message: modelsViewMessage,
    description: modelsViewDescription,
    context: { key: MODELS_STATUS_CONTEXT, value: m => m.status }
  });
  const modelsRefresh = new RefreshScheduler(() => models.refresh(), {
    intervalMs: () => (models.model.status === 'unreachable' ? 5000 : WorkspaceConfigs.jobsRefreshIntervalMs * 3),
    maxBackoffMs: 30_000
  });
  const modelsCommands = new ModelsCommands(models, errors);

  // Deployments: refreshed while the view is visible, sooner while one is deploying or stopping
  const deployments = new DeploymentsManager(connection, log.child('deployments'), context.globalState);
  const deploymentsTree = new DeploymentsTreeDataProvider(deployments);
  const deploymentsView = vscode.window.createTreeView('primehub.deployments', {
    treeDataProvider: deploymentsTree,
    showCollapseAll: true
  });
  const deploymentsState = new TreeViewState(deploymentsView, deployments.model, {
    message: deploymentsViewMessage,
    description: deploymentsViewDescription,
    context: { key: DEPLOYMENTS_LOADED_CONTEXT, value: m => m.loaded }
  });
  const deploymentsRefresh = new RefreshScheduler(() => deployments.refresh(), {
    intervalMs: () => (deployments.model.moving ? 2000 : WorkspaceConfigs.jobsRefreshIntervalMs * 3),
    maxBackoffMs: 60_000
  });
  const deploymentLogs = new JobLogFollower(
    (id, signal) => deployments.logs(id, signal),
    log.child('deployments'),
    title => vscode.window.createOutputChannel(title)
  );
  const deploymentsCommands = new DeploymentsCommands(
    deployments,
    models,
    jobs,
    errors,
    wizard,
    deploymentLogs,
    context.secrets,
    context.extensionUri,
    async id => {
      const node = deploymentsTree.nodeFor(id);
      if (node) {
        await deploymentsView.reveal(node, { select: true, focus: false });
      }
    }
  );

  // Compare Runs: the MLflow runs of jobs side by side, in a webview
  const compare = new CompareManager(connection, log.child('compare'), () => jobsModel.jobs);
  const compareCommands = new CompareCommands(
    compare,
    errors,
    modelsCommands,
    context.extensionUri,
    async jobId => {
      const node = jobsTree.nodeFor(jobId);
      if (node) {
        await jobsView.reveal(node, { select: true, focus: true });
      }
      return node !== undefined;
    },
    () => jobsView.selection.flatMap(n => (n instanceof JobNode ? [n.job] : []))
  );

  // SSH to the notebook: the config file and ssh program are Remote - SSH's settings, read at each use
  const ssh = new SshManager(
    connection,
    context.globalState,
    {
      configFile: () => sshConfigFor(WorkspaceConfigs.remoteSshConfigFile, WorkspaceConfigs.remoteSshPath),
      clusterBastionPort: () => WorkspaceConfigs.sshBastionPort,
      isLocal: async () => (await probeHealth(connection)).isLocal,
      agentSocket: () => process.env.SSH_AUTH_SOCK
    },
    log.child('ssh')
  );
  const sshCommands = new SshCommands(ssh, errors, log.child('ssh'), context.globalState);

  // An outage: views say so and keep what they last showed; the health endpoint is checked every
  // few seconds, and the first answer refreshes every view.
  const reachability = new Reachability(() => probeHealth(connection), { intervalMs: 2000, maxBackoffMs: 5000 });
  const showOutage = (): void => {
    const since = reachability.offlineSince;
    const at = since?.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
    jobsState.setOutage(
      since ? `PrimeHub does not answer: jobs as last seen at ${at}, refreshed when it is back.` : undefined
    );
    schedulesView.message = since ? `PrimeHub does not answer: recurring jobs as last seen at ${at}.` : undefined;
    filesView.message = since ? `PrimeHub does not answer: files as last seen at ${at}.` : undefined;
    modelsState.setOutage(since ? `PrimeHub does not answer: models as last seen at ${at}.` : undefined);
    deploymentsState.setOutage(since ? `PrimeHub does not answer: deployments as last seen at ${at}.` : undefined);
    jobsTree.setStale(since !== undefined);
    connectionCommands.setOffline(since);
  };
  const onReachability = (online: boolean): void => {
    showOutage();
    if (online) {
      log.info('PrimeHub answers again: refreshing the views');
      files.refreshAll();
      void jobsRefresh.now();
      void schedulesRefresh.now();
      void modelsRefresh.now();
      void deploymentsRefresh.now();
    } else {
      log.warn('PrimeHub does not answer; checking its health every few seconds');
    }
  };
  // which PrimeHub: PrimeHub Local has no console pages (API token, job pages)
  const checkServer = async (): Promise<void> => {
    if (connection.state !== 'signedIn') {
      void when.setLocal(false);
      return;
    }
    const answer = await reachability.checkNow();
    if (answer) {
      void when.setLocal(answer.isLocal);
    }
  };

  const connectionCommands = new ConnectionCommands(connection, errors, log.child('connection'));
  errors.onAuthFailure = () => void connectionCommands.promptExpired();

  // a new sign-in, profile or group: every view shows the new group's data
  const onConnectionChange = (): void => {
    reachability.reset();
    void checkServer();
    jobs.resetListing();
    jobsModel.clear();
    schedules.model.clear();
    models.model.clear();
    deployments.model.clear();
    files.refreshAll();
    if (jobsView.visible) {
      void jobsRefresh.now();
    }
    if (schedulesView.visible) {
      void schedulesRefresh.now();
    }
    if (modelsView.visible) {
      void modelsRefresh.now();
    }
    if (deploymentsView.visible) {
      void deploymentsRefresh.now();
    }
  };

  const syncContext = (): void => {
    void when.setSignedIn(connection.state === 'signedIn');
    void when.setExpired(connection.state === 'expired');
    void when.setHasProfiles(connection.profiles.profiles.length > 0);
  };

  // Any extension may run our commands with arguments of its choosing: every command takes its
  // arguments through this one check (programmatic ones only in our own test host).
  const commands = new CommandArgs(
    (id, fn) => vscode.commands.registerCommand(id, fn),
    context.extensionMode === vscode.ExtensionMode.Test,
    message => log.child('commands').debug(message)
  );

  context.subscriptions.push(
    channel,
    jobsTree,
    jobsView,
    jobsState,
    jobsRefresh,
    connectionCommands,
    schedulesTree,
    schedulesView,
    schedulesRefresh,
    filesTree,
    filesView,
    vscode.workspace.registerTextDocumentContentProvider(PHFS_SCHEME, new PhfsContentProvider(files)),
    modelsTree,
    modelsView,
    modelsState,
    modelsRefresh,
    modelsView.onDidChangeVisibility(e => modelsRefresh.setVisible(e.visible)),
    deploymentsTree,
    deploymentsView,
    deploymentsState,
    deploymentsRefresh,
    deploymentsView.onDidChangeVisibility(e => deploymentsRefresh.setVisible(e.visible)),
    deploymentLogs,
    deploymentsCommands,
    ...deploymentsCommands.registerCommands(commands),
    ...connectionCommands.registerCommands(commands),
    commands.register('primehub.log.show', () => channel.show()),
    jobsCommands,
    ...jobsCommands.registerCommands(commands),
    ...schedulesCommands.registerCommands(commands),
    ...filesCommands.registerCommands(commands),
    ...modelsCommands.registerCommands(commands),
    compareCommands,
    ...compareCommands.registerCommands(commands),
    // forwarded notebook ports stop with the extension
    ssh,
    sshCommands,
    ...sshCommands.registerCommands(commands),
    schedulesView.onDidChangeVisibility(e => schedulesRefresh.setVisible(e.visible)),
    reachability,
    reachability.onDidChange(onReachability),
    connection.onDidFail(e => reachability.noteError(e)),
    jobsView.onDidChangeVisibility(e => jobsRefresh.setVisible(e.visible)),
    connection.onDidChangeState(() => {
      syncContext();
      onConnectionChange();
    }),
    connection.onDidChangeGroup(onConnectionChange),
    connection.profiles.onDidChange(syncContext),
    context.secrets.onDidChange(e => void connection.onSecretsChanged(e.key)),
    vscode.window.registerUriHandler({
      // vscode://primehub-suite.primehub/signIn?endpoint=https://primehub.example.com (never a token)
      handleUri: uri => {
        if (uri.path === '/signIn') {
          const endpoint = new URLSearchParams(uri.query).get('endpoint') ?? undefined;
          void connectionCommands.signIn({ endpoint });
        }
      }
    }),
    { dispose: () => void connection.dispose() }
  );

  await connection.restore();
  syncContext();
  void checkServer();
  jobsRefresh.setVisible(jobsView.visible);
  schedulesRefresh.setVisible(schedulesView.visible);
  modelsRefresh.setVisible(modelsView.visible);
  deploymentsRefresh.setVisible(deploymentsView.visible);
  const activationMs = performance.now() - started;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  // Test mode only when VS Code runs this extension under development with --extensionTestsPath,
  // i.e. our own test host; an installed extension is always in Production mode.
  if (context.extensionMode !== vscode.ExtensionMode.Test) {
    return undefined;
  }
  return {
    connection,
    jobs,
    jobsTree,
    jobsCommands,
    logs,
    schedules,
    files,
    filesTree,
    models,
    deployments,
    deploymentsCommands,
    compare: compareCommands,
    ssh,
    sshCommands,
    activationMs,
    secrets: context.secrets,
    globalState: context.globalState
  };
}

export function deactivate(): void {
  // everything is disposed through context.subscriptions
}
