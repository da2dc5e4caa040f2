import type { DeploymentDetail, DeploymentPatch, DeploymentStatus } from '@primehub-suite/client';
import { MODEL_SERVERS, TOKEN_PLACEHOLDER, type ModelServer } from '@primehub-suite/client/deployments';
import * as vscode from 'vscode';
import type { ErrorCommands } from '../errors/ErrorCommands';
import { isCancel } from '../errors/describeError';
import type { JobLogFollower } from '../jobs/JobLogFollower';
import type { JobSpecWizard } from '../jobs/JobSpecWizard';
import type { JobsManager } from '../jobs/JobsManager';
import { latestVersion } from '../models/modelName';
import type { ModelsManager } from '../models/ModelsManager';
import {
  DeploymentClientNode,
  DeploymentNewerNode,
  DeploymentNode,
  DeploymentValueNode
} from '../ui/deployments/DeploymentsTreeDataProvider';
import type { EndpointTester } from '../ui/deployments/EndpointTester';
import { pickOrType, type ValueItem } from '../ui/dialogs/pickOrType';
import { JobNode } from '../ui/jobs/JobsTreeDataProvider';
import { ModelNode, ModelVersionNode } from '../ui/models/ModelsTreeDataProvider';
import { isObject, isTrue, type CommandArgs } from '../util/commandArgs';
import type { SecretStore } from '../vscode-objs/storage';
import { ClientCredentials, type CredentialPrompts } from './ClientCredentials';
import type { DeploymentsManager, ModelHints } from './DeploymentsManager';
import {
  deploymentNameProblem,
  historyText,
  newerVersion,
  parseModelUri,
  suggestedDeploymentName
} from './deploymentsText';
import { EndpointTesters, TESTER_VIEW_TYPE, type TesterPrompts } from './EndpointTesters';
import { artifactModelFolders } from './modelInfo';

/** The scheme of a deployment's history, a read-only document. */
export const HISTORY_SCHEME = 'primehub-deployment-history';

/** What Deploy Model deploys, given whole (the integration tests); the palette asks for each. */
export interface DeployRequest {
  modelURI: string;
  name: string;
  modelImage: string;
  instanceType: string;
  replicas: number;
  endpointAccessType: 'public' | 'private';
}

/** Where Deploy Model starts. */
type DeployFrom = ModelVersionNode | ModelNode | JobNode | DeployRequest | undefined;

/** A node that stands for a deployment. */
type DeploymentArg = DeploymentNode | DeploymentValueNode | DeploymentNewerNode | DeploymentClientNode;
const DEPLOYMENT_NODES = [DeploymentNode, DeploymentValueNode, DeploymentNewerNode, DeploymentClientNode];

interface ServerItem extends vscode.QuickPickItem {
  server: ModelServer;
}

/**
 * Deployments commands: Deploy Model (from a model version, a job's artifacts or the palette) followed
 * to Deployed; start, stop, update (to a newer model version too), delete; the pod log, the history,
 * the clients of a private endpoint; Test Endpoint (its panels in {@link EndpointTesters}, the clients
 * it sends as in {@link ClientCredentials}). The only deployments module that calls `window.*`: it
 * answers what those two ask.
 */
export class DeploymentsCommands implements vscode.Disposable {
  private readonly credentials: ClientCredentials;
  private readonly testers: EndpointTesters;

  constructor(
    private readonly deployments: DeploymentsManager,
    private readonly models: ModelsManager,
    private readonly jobs: JobsManager,
    private readonly errors: ErrorCommands,
    private readonly wizard: JobSpecWizard,
    private readonly logs: JobLogFollower,
    secrets: SecretStore,
    extensionUri: vscode.Uri,
    /** Shows a deployment in the Deployments view. */
    private readonly reveal: (id: string) => Thenable<void>
  ) {
    this.credentials = new ClientCredentials(secrets, id => deployments.requestKey(id), this.credentialPrompts());
    this.testers = new EndpointTesters(deployments, this.credentials, extensionUri, this.testerPrompts());
  }

  /** Registers the `primehub.deployments.*` commands and the history documents' provider. */
  registerCommands(commands: CommandArgs): vscode.Disposable[] {
    const deployment = (id: string, fn: (d: DeploymentDetail | undefined, given: unknown[]) => unknown) =>
      commands.register(id, (args, arg, ...rest) =>
        this.withDeployment(args.accept(arg, { nodes: DEPLOYMENT_NODES }), d => fn(d, rest))
      );
    return [
      vscode.workspace.registerTextDocumentContentProvider(HISTORY_SCHEME, {
        provideTextDocumentContent: uri => this.historyContent(uri)
      }),
      commands.register('primehub.deployments.refresh', () => this.refresh()),
      commands.register('primehub.deployments.deploy', (args, from) =>
        this.deploy(
          args.accept(from, { nodes: [ModelVersionNode, ModelNode, JobNode], inTests: isObject<DeployRequest> })
        )
      ),
      deployment('primehub.deployments.test', d => d && this.openTester(d)),
      deployment('primehub.deployments.start', d => d && this.start(d)),
      deployment('primehub.deployments.stop', d => d && this.stop(d)),
      deployment('primehub.deployments.update', d => d && this.update(d)),
      deployment('primehub.deployments.updateToNewest', d => d && this.updateToNewest(d)),
      commands.register('primehub.deployments.updateToVersion', (args, v) =>
        this.updateToVersion(args.accept(v, { nodes: [ModelVersionNode] }))
      ),
      commands.register('primehub.deployments.delete', (args, arg, confirmed) =>
        this.withDeployment(args.accept(arg, { nodes: DEPLOYMENT_NODES }), d =>
          d ? this.delete(d, args.accept(confirmed, { inTests: isTrue }) === true) : undefined
        )
      ),
      deployment('primehub.deployments.logs', d => d && this.followLog(d)),
      deployment('primehub.deployments.history', d => d && this.showHistory(d)),
      deployment('primehub.deployments.copyEndpoint', d => d && this.copyEndpoint(d)),
      deployment('primehub.deployments.addClient', d => d && this.addClient(d)),
      commands.register('primehub.deployments.deleteClient', (args, arg) => {
        const n = args.accept(arg, { nodes: [DeploymentClientNode] });
        return n
          ? this.deleteClient(n.deployment, n.name)
          : this.withDeployment(undefined, d => d && this.deleteClient(d));
      })
    ];
  }

  /** The deployment testers open (tests). */
  tester(id: string): EndpointTester | undefined {
    return this.testers.get(id);
  }

  /** Lists the deployments again. */
  async refresh(): Promise<void> {
    try {
      await this.deployments.refresh();
    } catch (e) {
      this.errors.report('Refreshing the deployments', e, () => this.refresh());
    }
  }

  // ---- Deploy ----

  /**
   * "Deploy Model…": the model (a version's `models:/` URI, a job's artifact folder as `phfs:///`, or
   * picked/typed), its server (suggested from its files and flavour), name, instance type, replicas
   * and access; then followed to Deployed.
   */
  async deploy(from?: DeployFrom): Promise<DeploymentDetail | undefined> {
    let done: DeploymentDetail | undefined;
    await this.errors.guard('Deploying the model', async () => {
      const request = isDeployRequest(from) ? from : await this.askDeploy(from);
      if (!request) {
        return;
      }
      const created = await this.errors.withProgress(`Creating deployment ${request.name}…`, signal =>
        this.deployments.create(
          {
            name: request.name,
            modelURI: request.modelURI,
            modelImage: request.modelImage,
            instanceType: request.instanceType,
            replicas: request.replicas,
            endpointAccessType: request.endpointAccessType,
            updateMessage: `Deployed ${request.modelURI} from VS Code`
          },
          signal
        )
      );
      void this.reveal(created.id);
      this.modelsChanged();
      done = await this.follow(created.id, request.name, 'Deploying');
    });
    return done;
  }

  private async askDeploy(from: DeployFrom): Promise<DeployRequest | undefined> {
    const steps = 6;
    const title = (n: number, what: string) => `Deploy Model (${n}/${steps}): ${what}`;
    const modelURI = await this.askModelUri(from, title(1, 'model'));
    if (!modelURI) {
      return undefined;
    }
    const hints = await this.errors.withProgress(`Reading ${modelURI}…`, signal =>
      this.deployments.hintsFor(modelURI, signal)
    );
    const server = await this.askServer(hints, title(2, 'model server'));
    if (!server) {
      return undefined;
    }
    const name = await vscode.window.showInputBox({
      title: title(3, 'name'),
      prompt: `The deployment of ${modelURI}; its id and endpoint are made of the name`,
      value: suggestedDeploymentName(modelURI),
      ignoreFocusOut: true,
      validateInput: v => deploymentNameProblem(v)
    });
    if (!name) {
      return undefined;
    }
    const instanceType = await this.wizard.askInstanceType(title(4, 'instance type'));
    if (!instanceType) {
      return undefined;
    }
    const replicas = await this.askReplicas(title(5, 'replicas'), 1);
    if (replicas === undefined) {
      return undefined;
    }
    const access = await this.askAccess(title(6, 'endpoint access'), 'public');
    if (!access) {
      return undefined;
    }
    return {
      modelURI,
      name: name.trim(),
      modelImage: server.image,
      instanceType,
      replicas,
      endpointAccessType: access
    };
  }

  /** The model URI: a version's, a job's artifact folder, or picked among the registered models' versions or typed. */
  private async askModelUri(from: DeployFrom, title: string): Promise<string | undefined> {
    if (from instanceof ModelVersionNode) {
      return this.models.modelUri(from.modelName, from.version.version);
    }
    if (from instanceof ModelNode) {
      const latest = latestVersion(from.model);
      return latest !== undefined ? this.models.modelUri(from.model.name, String(latest)) : this.typedModelUri(title);
    }
    if (from instanceof JobNode) {
      return this.askJobFolder(from, title);
    }
    return this.typedModelUri(title);
  }

  /** A QuickPick of the registered models' versions (newest first) where any model URI can be typed too. */
  private typedModelUri(title: string): Promise<string | undefined> {
    return pickOrType({
      title,
      placeholder: 'A registered model version, or type a URI: models:/<name>/<version>, phfs:///<folder>',
      typedItem: uri => ({ label: uri, description: 'model URI as typed', value: uri }),
      load: () => this.registeredVersions(),
      // a group without MLflow can still deploy a PHFS folder
      typeOnLoadError: true
    });
  }

  private async registeredVersions(): Promise<ValueItem[]> {
    if (!this.models.model.loaded) {
      await this.models.refresh().catch(() => undefined);
    }
    const items: ValueItem[] = [];
    for (const m of this.models.model.models) {
      const latest = latestVersion(m);
      if (latest === undefined) {
        continue;
      }
      for (let v = latest; v >= 1 && v > latest - 5; v--) {
        const uri = this.models.modelUri(m.name, String(v));
        items.push({
          label: `$(package) ${uri}`,
          description: v === latest ? `${m.name}, latest version` : `${m.name} version ${v}`,
          value: uri
        });
      }
    }
    return items;
  }

  /** A job's artifact folder holding the model (the only one, or picked), as `phfs:///jobArtifacts/<id>/<folder>/`. */
  private async askJobFolder(node: JobNode, title: string): Promise<string | undefined> {
    const job = node.job;
    const names = await this.errors.withProgress(`Listing the artifacts of ${job.displayName || job.id}…`, signal =>
      this.jobs.artifacts(job.id, signal)
    );
    const folders = artifactModelFolders(names.map(a => a.name));
    if (names.length === 0) {
      void vscode.window.showInformationMessage(
        `Job ${job.displayName || job.id} has no artifacts: a job keeps a model by writing it to ~/artifacts.`
      );
      return undefined;
    }
    const uriOf = (path: string) => this.deployments.jobArtifactUri(job.id, path);
    const pick = await vscode.window.showQuickPick(
      folders.map(f => ({
        label: `$(folder) ${f.path ? `${f.path}/` : 'artifacts/'}`,
        description: f.files.slice(0, 6).join(', '),
        detail: uriOf(f.path),
        uri: uriOf(f.path)
      })),
      {
        title: `${title} — the folder of ${job.displayName || job.id}'s artifacts holding the model`,
        ignoreFocusOut: true
      }
    );
    return pick?.uri;
  }

  /** The model server, the suggested one first and saying why. */
  private async askServer(hints: ModelHints, title: string, current?: string): Promise<ModelServer | undefined> {
    const items: ServerItem[] = MODEL_SERVERS.map(server => ({
      label: server.label,
      description: [
        server === hints.server ? `suggested: ${hints.reason}` : undefined,
        server.image === current ? 'current' : undefined
      ]
        .filter(Boolean)
        .join(' · '),
      detail: `${server.image}${server.local ? '' : ' · needs a PrimeHub cluster (PrimeHub Local does not serve it)'}`,
      server
    }));
    const first = items.find(i => i.server.image === current) ?? items.find(i => i.server === hints.server);
    const pick = await vscode.window.showQuickPick(first ? [first, ...items.filter(i => i !== first)] : items, {
      title,
      placeHolder: `Suggested: ${hints.server.label}, for ${hints.reason}`,
      ignoreFocusOut: true,
      matchOnDetail: true
    });
    return pick?.server;
  }

  private async askReplicas(title: string, value: number): Promise<number | undefined> {
    const text = await vscode.window.showInputBox({
      title,
      prompt: 'How many model server processes answer the endpoint (1 to 10)',
      value: String(value),
      ignoreFocusOut: true,
      validateInput: v => (/^([1-9]|10)$/.test(v.trim()) ? undefined : 'A whole number from 1 to 10')
    });
    return text === undefined ? undefined : Number(text.trim());
  }

  private async askAccess(title: string, current: string): Promise<'public' | 'private' | undefined> {
    const items = [
      {
        label: '$(globe) Public',
        description: current === 'public' ? 'current' : undefined,
        detail: 'Anyone who reaches the endpoint can send requests',
        access: 'public' as const
      },
      {
        label: '$(lock) Private',
        description: current === 'private' ? 'current' : undefined,
        detail: 'Requests need a client and its token (HTTP Basic); add clients from the deployment',
        access: 'private' as const
      }
    ];
    const pick = await vscode.window.showQuickPick(current === 'private' ? [items[1], items[0]] : items, {
      title,
      ignoreFocusOut: true
    });
    return pick?.access;
  }

  // ---- Following a deployment ----

  /**
   * Follows a deployment to a stable status in a cancellable notification (cancelling stops the waiting,
   * not the deployment); Deployed offers Test Endpoint, Failed says why and offers the pod log.
   */
  private async follow(id: string, name: string, doing: 'Deploying' | 'Stopping' | 'Starting' | 'Updating') {
    try {
      const settled = await this.errors.withProgress(`${doing} ${name}…`, (signal, report) =>
        this.deployments.settle(id, signal, (s: DeploymentStatus) => report(s))
      );
      this.tellSettled(settled.deployment, settled.status);
      return settled.deployment;
    } catch (e) {
      if (isCancel(e)) {
        void vscode.window.showInformationMessage(
          `Stopped waiting: ${name} keeps ${doing === 'Stopping' ? 'stopping' : 'deploying'}; the Deployments view shows its status.`
        );
        return undefined;
      }
      throw e;
    }
  }

  private tellSettled(d: DeploymentDetail, status: DeploymentStatus): void {
    const name = d.name || d.id;
    this.testers.show(d);
    if (status === 'Failed') {
      void vscode.window
        .showErrorMessage(`Deployment ${name} failed: ${d.message || 'no reason given'}`, 'Show Pod Log')
        .then(choice => {
          if (choice) {
            this.followLog(d);
          }
        });
    } else if (status === 'Deployed') {
      void vscode.window
        .showInformationMessage(`${name} is deployed: ${d.endpoint ?? 'no endpoint'}`, 'Test Endpoint', 'Copy Endpoint')
        .then(choice => {
          if (choice === 'Test Endpoint') {
            void this.openTester(d);
          } else if (choice === 'Copy Endpoint') {
            void this.copyEndpoint(d);
          }
        });
    } else {
      void vscode.window.showInformationMessage(`${name} is ${status.toLowerCase()}.`);
    }
  }

  // ---- Lifecycle ----

  async start(d: DeploymentDetail): Promise<void> {
    await this.errors.guard(`Starting ${d.name || d.id}`, async () => {
      await this.deployments.start(d.id);
      await this.follow(d.id, d.name || d.id, 'Starting');
    });
  }

  async stop(d: DeploymentDetail): Promise<void> {
    await this.errors.guard(`Stopping ${d.name || d.id}`, async () => {
      await this.deployments.stop(d.id);
      await this.follow(d.id, d.name || d.id, 'Stopping');
    });
  }

  /** "Update Deployment…": the field to change, its new value, then followed to Deployed. */
  async update(d: DeploymentDetail): Promise<void> {
    await this.errors.guard(`Updating ${d.name || d.id}`, async () => {
      const newer = newerVersion(d, n => this.deployments.model.latestVersionOf(n));
      const fields = [
        ...(newer
          ? [{ label: `$(arrow-circle-up) Model version ${newer.version}`, description: 'newer version', key: 'newer' }]
          : []),
        { label: '$(package) Model URI', description: d.modelURI ?? '', key: 'modelURI' },
        { label: '$(server-environment) Model server', description: d.modelImage ?? '', key: 'modelImage' },
        { label: '$(server-process) Replicas', description: String(d.replicas ?? 1), key: 'replicas' },
        { label: '$(chip) Instance type', description: d.instanceType?.name ?? '', key: 'instanceType' },
        { label: '$(lock) Endpoint access', description: d.endpointAccessType ?? 'public', key: 'access' }
      ];
      const field = await vscode.window.showQuickPick(fields, {
        title: `Update ${d.name || d.id}: what to change (the deployment is deployed again)`,
        ignoreFocusOut: true
      });
      if (!field) {
        return;
      }
      const title = `Update ${d.name || d.id}: ${field.label.replace(/^\$\([^)]*\) /, '').toLowerCase()}`;
      let patch: DeploymentPatch | undefined;
      switch (field.key) {
        case 'newer':
          patch = newer && { modelURI: this.models.modelUri(newer.name, newer.version) };
          break;
        case 'modelURI': {
          const uri = await vscode.window.showInputBox({
            title,
            value: d.modelURI ?? '',
            prompt: 'models:/<name>/<version>, phfs:///<folder>, or a path on the group volume',
            ignoreFocusOut: true,
            validateInput: v => (v.trim() ? undefined : 'A model URI')
          });
          patch = uri ? { modelURI: uri.trim() } : undefined;
          break;
        }
        case 'modelImage': {
          const hints = await this.errors.withProgress(`Reading ${d.modelURI ?? 'the model'}…`, signal =>
            this.deployments.hintsFor(d.modelURI ?? '', signal)
          );
          const server = await this.askServer(hints, title, d.modelImage ?? undefined);
          patch = server && { modelImage: server.image };
          break;
        }
        case 'replicas': {
          const replicas = await this.askReplicas(title, d.replicas ?? 1);
          patch = replicas === undefined ? undefined : { replicas };
          break;
        }
        case 'instanceType': {
          const it = await this.wizard.askInstanceType(title, d.instanceType?.name);
          patch = it ? { instanceType: it } : undefined;
          break;
        }
        case 'access': {
          const access = await this.askAccess(title, d.endpointAccessType ?? 'public');
          patch = access ? { endpointAccessType: access } : undefined;
          break;
        }
      }
      if (patch) {
        await this.applyUpdate(d, patch);
      }
    });
  }

  /** Updates a deployment whose model has a newer version to that version. */
  async updateToNewest(d: DeploymentDetail): Promise<void> {
    await this.errors.guard(`Updating ${d.name || d.id}`, async () => {
      const newer = newerVersion(d, n => this.deployments.model.latestVersionOf(n));
      if (!newer) {
        void vscode.window.showInformationMessage(`${d.name || d.id} serves the newest version of its model already.`);
        return;
      }
      await this.applyUpdate(d, { modelURI: this.models.modelUri(newer.name, newer.version) });
    });
  }

  /**
   * "Update a Deployment to This Version…" on a model version: the deployments of that model first.
   * Without the version (its row was being read again as it was clicked) the version is asked.
   */
  async updateToVersion(node?: ModelVersionNode): Promise<void> {
    await this.errors.guard('Updating the deployment', async () => {
      const uri = node ? this.models.modelUri(node.modelName, node.version.version) : await this.askVersionUri();
      if (!uri) {
        return;
      }
      const model = parseModelUri(uri)?.name;
      await this.ensureListed();
      const all = this.deployments.model.deployments.filter(d => d.modelURI !== uri);
      const same = (d: DeploymentDetail) => parseModelUri(d.modelURI)?.name === model;
      const items = [...all.filter(same), ...all.filter(d => !same(d))].map(d => ({
        label: d.name || d.id,
        description: `${d.status ?? ''} · serves ${d.modelURI ?? 'no model URI'}`,
        deployment: d
      }));
      if (items.length === 0) {
        void vscode.window.showInformationMessage(
          `No deployment to update to ${uri}: deploy it with Deploy Model… on the version.`
        );
        return;
      }
      const pick = await vscode.window.showQuickPick(items, {
        title: `Update a deployment to ${uri}`,
        placeHolder: 'Which deployment serves this version from now on?',
        ignoreFocusOut: true
      });
      if (pick) {
        await this.applyUpdate(pick.deployment, { modelURI: uri });
      }
    });
  }

  /** One of the registered models' versions (newest first), as its `models:/` URI. */
  private async askVersionUri(): Promise<string | undefined> {
    const pick = await vscode.window.showQuickPick(await this.registeredVersions(), {
      title: 'Update a deployment to which model version?',
      ignoreFocusOut: true
    });
    return pick?.value;
  }

  private async applyUpdate(d: DeploymentDetail, patch: DeploymentPatch): Promise<void> {
    await this.errors.withProgress(`Updating ${d.name || d.id}…`, signal =>
      this.deployments.update(
        d.id,
        { ...patch, updateMessage: `Updated from VS Code: ${describePatch(patch)}` },
        signal
      )
    );
    if (patch.modelURI) {
      this.modelsChanged();
    }
    await this.follow(d.id, d.name || d.id, 'Updating');
  }

  /** Deletes a deployment once confirmed. */
  async delete(d: DeploymentDetail, confirmed = false): Promise<void> {
    const name = d.name || d.id;
    if (!confirmed) {
      const choice = await vscode.window.showWarningMessage(
        `Delete deployment ${name}?`,
        {
          modal: true,
          detail: `${d.endpoint ? `Its endpoint ${d.endpoint} stops answering` : 'Its endpoint stops answering'}, and its clients and history are deleted with it.`
        },
        'Delete'
      );
      if (choice !== 'Delete') {
        return;
      }
    }
    await this.errors.guard(`Deleting ${name}`, async () => {
      await this.errors.withProgress(`Deleting ${name}…`, signal => this.deployments.delete(d.id, signal));
      this.testers.close(d.id);
      this.modelsChanged();
      vscode.window.setStatusBarMessage(`Deleted deployment ${name}`, 5000);
    });
  }

  // ---- Log, history, endpoint ----

  /** Follows the deployment pod's log in its own output channel. */
  followLog(d: DeploymentDetail): void {
    const name = d.name || d.id;
    this.logs.followInChannel(d.id, `PrimeHub Deployment: ${name}`, (channel, error) => {
      channel.appendLine(
        error ? `— the log stopped: ${error instanceof Error ? error.message : String(error)}` : '— the pod ended'
      );
    });
  }

  /** Opens the deployment's history as a read-only document. */
  async showHistory(d: DeploymentDetail): Promise<void> {
    await this.errors.guard(`Reading the history of ${d.name || d.id}`, async () => {
      const uri = vscode.Uri.from({
        scheme: HISTORY_SCHEME,
        path: `/${d.id}/History of ${(d.name || d.id).replace(/[/\\]/g, '-')}.txt`
      });
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: true });
    });
  }

  private async historyContent(uri: vscode.Uri): Promise<string> {
    const id = uri.path.split('/')[1] ?? '';
    const d = this.deployments.model.get(id) ?? { id, name: null };
    try {
      return historyText(d, await this.deployments.history(id));
    } catch (e) {
      return `The history of ${d.name || id} could not be read: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  async copyEndpoint(d: DeploymentDetail): Promise<void> {
    if (!d.endpoint) {
      void vscode.window.showInformationMessage(
        `${d.name || d.id} has no endpoint yet: it is ${d.status ?? 'not deployed'}.`
      );
      return;
    }
    await vscode.env.clipboard.writeText(d.endpoint);
    vscode.window.setStatusBarMessage(`Copied ${d.endpoint}`, 3000);
  }

  // ---- Clients ----

  /** Adds a client to a private endpoint; its token is shown once (with Copy) and kept for Test Endpoint. */
  async addClient(d: DeploymentDetail): Promise<void> {
    const taken = new Set((d.endpointClients ?? []).map(c => c.name));
    const name = await vscode.window.showInputBox({
      title: `Add a client to ${d.name || d.id}`,
      prompt: 'The client name, the user name of HTTP Basic requests to the endpoint',
      ignoreFocusOut: true,
      validateInput: v =>
        !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v.trim())
          ? "Letters, digits, '.', '_' and '-', starting with a letter or digit"
          : taken.has(v.trim())
            ? `${d.name || d.id} has a client ${v.trim()} already`
            : undefined
    });
    if (!name) {
      return;
    }
    await this.errors.guard(`Adding client ${name.trim()}`, async () => {
      const created = await this.errors.withProgress(`Adding client ${name.trim()}…`, signal =>
        this.deployments.addClient(d.id, name.trim(), signal)
      );
      await this.credentials.keep(d.id, created.name, created.plainTextToken);
      this.testers.refresh(d.id);
      const choice = await vscode.window.showInformationMessage(
        `Client ${created.name} of ${d.name || d.id} added`,
        {
          modal: true,
          detail:
            `Its token, shown only now:\n\n${created.plainTextToken}\n\n` +
            'Test Endpoint sends with it (kept in VS Code’s secret storage); copy it for other programs.'
        },
        'Copy Token'
      );
      if (choice === 'Copy Token') {
        await vscode.env.clipboard.writeText(created.plainTextToken);
        vscode.window.setStatusBarMessage(`Copied the token of client ${created.name}`, 3000);
      }
    });
  }

  /** Deletes a client of a private endpoint (picked when not given) once confirmed. */
  async deleteClient(d: DeploymentDetail, client?: string): Promise<void> {
    const name =
      client ??
      (
        await vscode.window.showQuickPick(
          (d.endpointClients ?? []).map(c => ({ label: c.name })),
          { title: `Delete a client of ${d.name || d.id}`, ignoreFocusOut: true }
        )
      )?.label;
    if (!name) {
      return;
    }
    const choice = await vscode.window.showWarningMessage(
      `Delete client ${name} of ${d.name || d.id}?`,
      { modal: true, detail: 'Requests sent with its token are refused from now on.' },
      'Delete'
    );
    if (choice !== 'Delete') {
      return;
    }
    await this.errors.guard(`Deleting client ${name}`, async () => {
      await this.errors.withProgress(`Deleting client ${name}…`, signal =>
        this.deployments.deleteClient(d.id, name, signal)
      );
      await this.credentials.forget(d.id, name);
      this.testers.refresh(d.id);
    });
  }

  // ---- Test Endpoint ----

  /** Opens (or shows) the deployment's Test Endpoint panel, its request prefilled. */
  openTester(d: DeploymentDetail): Promise<EndpointTester> {
    return this.testers.open(d);
  }

  /** What Test Endpoint asks of the editor and the user. */
  private testerPrompts(): TesterPrompts {
    return {
      createPanel: (title, localResourceRoots) =>
        vscode.window.createWebviewPanel(TESTER_VIEW_TYPE, title, vscode.ViewColumn.Active, {
          enableScripts: true,
          retainContextWhenHidden: true,
          localResourceRoots
        }),
      pickFile: async title =>
        (await vscode.window.showOpenDialog({ title, canSelectMany: false, openLabel: 'Send This File' }))?.[0],
      copyToken: async client => {
        const token = await vscode.window.showQuickPick(
          [
            { label: `Token as a placeholder: ${TOKEN_PLACEHOLDER}`, paste: false },
            { label: 'Paste the token…', detail: 'written into the copied text only', paste: true }
          ],
          { title: `Copy the request as client ${client}`, ignoreFocusOut: true }
        );
        if (!token?.paste) {
          return token && {};
        }
        const password = await vscode.window.showInputBox({
          title: `Token of client ${client}`,
          password: true,
          ignoreFocusOut: true
        });
        return password ? { password } : undefined;
      },
      copy: async (text, said) => {
        await vscode.env.clipboard.writeText(text);
        vscode.window.setStatusBarMessage(said, 4000);
      },
      status: message => void vscode.window.setStatusBarMessage(message, 3000)
    };
  }

  /** What the client-credential flow asks the user. */
  private credentialPrompts(): CredentialPrompts {
    return {
      noClient: async d => {
        const choice = await vscode.window.showInformationMessage(
          `${d.name || d.id} is private and has no client yet.`,
          'Add Client…'
        );
        if (choice) {
          await this.addClient(d);
        }
      },
      pickClient: async (d, clients) =>
        vscode.window.showQuickPick(clients, {
          title: `${d.name || d.id} is private: send as which client?`,
          ignoreFocusOut: true
        }),
      askToken: async (d, client) =>
        vscode.window.showInputBox({
          title: `Test ${d.name || d.id}: token of client ${client}`,
          prompt: 'The token shown when the client was added (kept in VS Code’s secret storage once it works)',
          password: true,
          ignoreFocusOut: true
        })
    };
  }

  // ---- Helpers ----

  /** Runs `fn` on a deployment: the node's (as listed last), else one picked among the group's. */
  private async withDeployment(
    node: DeploymentArg | undefined,
    fn: (d: DeploymentDetail | undefined) => unknown
  ): Promise<void> {
    if (node) {
      await fn(this.deployments.model.get(node.deployment.id) ?? node.deployment);
      return;
    }
    await this.errors.guard('Choosing a deployment', async () => {
      await this.ensureListed();
      const items = this.deployments.model.deployments.map(d => ({
        label: d.name || d.id,
        description: [d.status, d.modelURI].filter(Boolean).join(' · '),
        detail: d.endpoint ?? undefined,
        deployment: d
      }));
      if (items.length === 0) {
        void vscode.window.showInformationMessage('This group has no deployments yet: Deploy Model… makes one.');
        return;
      }
      const pick =
        items.length === 1
          ? items[0]
          : await vscode.window.showQuickPick(items, { title: 'Which deployment?', ignoreFocusOut: true });
      if (pick) {
        await fn(pick.deployment);
      }
    });
  }

  /** A version's "Deployed by" changed: the Models view reads its versions' details again (when it has any). */
  private modelsChanged(): void {
    if (this.models.model.loaded) {
      void this.models.refresh(undefined, true).catch(() => undefined);
    }
  }

  private async ensureListed(): Promise<void> {
    if (!this.deployments.model.loaded) {
      await this.deployments.refresh();
    }
  }

  dispose(): void {
    this.testers.dispose();
  }
}

function isDeployRequest(x: unknown): x is DeployRequest {
  const r = x as Partial<DeployRequest> | undefined;
  return (
    typeof r === 'object' &&
    !(r instanceof ModelVersionNode) &&
    !(r instanceof ModelNode) &&
    !(r instanceof JobNode) &&
    typeof r?.modelURI === 'string' &&
    typeof r.name === 'string' &&
    typeof r.modelImage === 'string' &&
    typeof r.instanceType === 'string'
  );
}

function describePatch(patch: DeploymentPatch): string {
  return Object.entries(patch)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
}
