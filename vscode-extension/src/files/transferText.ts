/** A transfer's progress as the client reports it (the fields a notification shows). */
export interface TransferState {
  /** The file in transfer (a PHFS path). */
  path: string;
  /** Bytes transferred overall, and of how many when known. */
  bytes: number;
  totalBytes?: number;
  /** Files completed, and how many files the transfer has. */
  filesDone: number;
  filesTotal: number;
}

/** `1.5 MB`, `800 KB`, `12 B`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${n >= 100 ? n.toFixed(0) : n.toFixed(1)} ${units[u]}`;
}

/**
 * A transfer's progress for a notification: done and total bytes with the percentage, and for
 * several files which one of how many (`data.csv — 1.5 MB of 3.0 MB (50%) · file 2 of 4`).
 */
export function transferText(p: TransferState): string {
  const name = p.path.replace(/\/+$/, '').split('/').pop() || p.path;
  const size =
    p.totalBytes !== undefined && p.totalBytes > 0
      ? `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)} (${Math.min(100, Math.floor((p.bytes / p.totalBytes) * 100))}%)`
      : formatBytes(p.bytes);
  const files = p.filesTotal > 1 ? ` · file ${Math.min(p.filesDone + 1, p.filesTotal)} of ${p.filesTotal}` : '';
  return `${name} — ${size}${files}`;
}

/** The increment (0–100) a progress notification's bar moves by since the last report. */
export function progressIncrement(p: Pick<TransferState, 'bytes' | 'totalBytes'>, lastPercent: number): number {
  if (!p.totalBytes) {
    return 0;
  }
  return Math.max(0, Math.min(100, (p.bytes / p.totalBytes) * 100) - lastPercent);
}
