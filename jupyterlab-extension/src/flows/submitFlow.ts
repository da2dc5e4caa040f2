/**
 * "Submit notebook as job" before the form: checks with fix-its (save, a notebook the target
 * group's job cannot see), then the form. JupyterLab is reached only through `ISubmitFlowDeps`,
 * so the flow is tested as it is.
 */
import { inFolder } from '../models/notebookJobs';
import type { IPrimeHub } from '../tokens';

/** A question or a message in a dialog. */
export interface IAsk {
  /** Resolves true when the user took `ok`. */
  confirm(title: string, body: string, ok: string): Promise<boolean>;
  error(title: string, body: string): Promise<void>;
}

/** The open notebook's document, when the notebook is open. */
export interface IOpenNotebook {
  readonly dirty: boolean;
  save(): Promise<void>;
}

/** What the form opens with. */
export interface ISubmitForm {
  path: string;
  notebook: string | object;
  /** The group the job runs in, shown in the form. */
  group: string;
}

/** What the flow needs of JupyterLab. */
export interface ISubmitFlowDeps {
  hub: IPrimeHub;
  contents: {
    get(path: string, options: { content: boolean }): Promise<{ content: unknown; path: string }>;
    copy(path: string, toDir: string): Promise<{ path: string }>;
  };
  ask: IAsk;
}

/**
 * Why a job of `group` cannot open the notebook, or null when it can. Jobs see the group volume
 * of their own group (`/project/<group>`); this server shows only its notebook's group volume.
 */
export function unreachableReason(hub: IPrimeHub, group: string): string | null {
  const own = hub.config?.group.name ?? null;
  if (own === null || own === group) {
    return null;
  }
  return (
    `A job of ${group} sees only ${group}'s group volume, and this notebook is in ${own}'s ` +
    `(${hub.config?.groupVolume ?? own}/), so the job would not find it. Submit it in ${own}, ` +
    `or copy it into a notebook server of ${group}.`
  );
}

/**
 * Runs the checks for the notebook at `path` (`open`: its document when it is open) and
 * resolves with what the form opens with, or null when the user stopped or a check failed
 * (the user was told why).
 */
export async function prepareSubmission(
  deps: ISubmitFlowDeps,
  path: string | undefined,
  open: IOpenNotebook | null
): Promise<ISubmitForm | null> {
  const { hub, ask } = deps;
  try {
    await hub.refresh();
  } catch (err) {
    await ask.error('PrimeHub', hub.describe('Reaching the PrimeHub server extension', err));
    return null;
  }
  const config = hub.config!;
  if (!path || !path.endsWith('.ipynb')) {
    await ask.error('Submit notebook as job', 'Open or select a notebook (.ipynb) first.');
    return null;
  }
  if (open?.dirty) {
    const save = await ask.confirm(
      'Save before submitting?',
      'The notebook has unsaved changes. The job runs the saved file.',
      'Save and continue'
    );
    if (!save) {
      return null;
    }
    await open.save();
  }
  if (config.groupVolume === null) {
    await ask.error(
      'No group volume',
      `This server has no folder for the group volume of ${config.group.name ?? 'your group'}, so a job cannot see the notebook.`
    );
    return null;
  }
  let group = hub.group ?? config.group.name ?? '';
  const unreachable = unreachableReason(hub, group);
  if (unreachable) {
    const own = config.group.name!;
    const switchGroup = await ask.confirm(`Jobs of ${group} cannot see this notebook`, unreachable, `Submit in ${own}`);
    if (!switchGroup) {
      return null;
    }
    hub.setGroup(own);
    group = own;
  }
  let nbPath = path;
  if (!inFolder(nbPath, config.groupVolume)) {
    const copy = await ask.confirm(
      'Notebook outside the group volume',
      `A job only sees the group volume (${config.groupVolume}/). Copy ${nbPath} into it and submit the copy?`,
      `Copy into ${config.groupVolume}/`
    );
    if (!copy) {
      return null;
    }
    // Not opened here: opening can ask for a kernel in a dialog over the submit form.
    nbPath = (await deps.contents.copy(nbPath, config.groupVolume)).path;
  }
  const model = await deps.contents.get(nbPath, { content: true });
  return { path: nbPath, notebook: model.content as object, group };
}
