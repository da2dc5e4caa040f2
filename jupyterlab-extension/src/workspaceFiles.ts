/** Reading and writing the Lab's workspace through its contents manager (downloads, a job's notebook). */
import type { Contents } from '@jupyterlab/services';

function blobToBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/** Makes every folder of a server path that is missing. */
export async function ensureFolder(contents: Contents.IManager, folder: string): Promise<void> {
  const parts = folder.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    try {
      await contents.get(dir, { content: false });
    } catch {
      await contents.save(dir, { type: 'directory' });
    }
  }
}

/** Writes bytes to a server path, creating its folders. */
export async function saveFile(contents: Contents.IManager, path: string, data: Blob): Promise<void> {
  await ensureFolder(contents, path.split('/').slice(0, -1).join('/'));
  await contents.save(path, { type: 'file', format: 'base64', content: await blobToBase64(data) });
}

/** Reads a notebook's JSON by server path; null when it is gone (a snapshot after its job) or unreadable. */
export function notebookReader(contents: Contents.IManager): (path: string) => Promise<string | null> {
  return async path => {
    try {
      const file = await contents.get(path, { type: 'file', format: 'text', content: true });
      return typeof file.content === 'string' ? file.content : null;
    } catch {
      return null;
    }
  };
}
