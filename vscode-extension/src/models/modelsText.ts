import { describeError } from '../errors/describeError';
import type { ModelsModel } from './ModelsModel';

/** A time stamp of MLflow (ms since the epoch, as a number or a string) or an ISO date, as the views show times. */
export function formatTime(ts: string | number | null | undefined): string | undefined {
  if (ts === null || ts === undefined || ts === '') {
    return undefined;
  }
  const n = typeof ts === 'number' ? ts : /^\d+$/.test(ts) ? Number(ts) : Date.parse(ts);
  if (!Number.isFinite(n)) {
    return undefined;
  }
  return new Date(n).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A time of day as the views say "as last seen at": hours and minutes. */
export function clock(d: Date): string {
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** The Models view's description: how many models the group has. */
export function modelsViewDescription(model: Pick<ModelsModel, 'models'>): string | undefined {
  const n = model.models.length;
  return n > 0 ? `${n} model${n === 1 ? '' : 's'}` : undefined;
}

/**
 * The Models view's message for its state (undefined when it has none): MLflow not answering
 * ("MLflow is not reachable at …", with the models as last seen), or a listing that failed. A
 * group without MLflow and an empty registry are said by the view's welcome content instead.
 */
export function modelsViewMessage(
  model: Pick<ModelsModel, 'status' | 'error' | 'failedAt' | 'models'>
): string | undefined {
  switch (model.status) {
    case 'unreachable': {
      const said = model.error instanceof Error ? model.error.message : String(model.error);
      const sentence = (/MLflow is not reachable[^\n]*/i.exec(said)?.[0] ?? 'MLflow is not reachable').replace(
        /[.\s]+$/,
        ''
      );
      const seen = model.models.length > 0 && model.failedAt ? ` Models as last seen at ${clock(model.failedAt)}.` : '';
      return `${sentence}.${seen} The view refreshes by itself when MLflow answers again.`;
    }
    case 'error':
      return describeError('Listing the models', model.error).message;
    default:
      return undefined;
  }
}
