import { SSH_KEY_LINK_PARAM } from '@primehub-suite/client/browser';

/**
 * The public key an authorize link (`…/lab?primehub-ssh-key=<key>`, VS Code's Connect command opens
 * one) carries, taken out of the address bar at once so a reload or a bookmark does not ask again;
 * null when the page was opened without one. The key is only shown for confirmation, never added here.
 */
export function takeKeyFromUrl(): string | null {
  const url = new URL(window.location.href);
  const key = url.searchParams.get(SSH_KEY_LINK_PARAM);
  if (key === null) {
    return null;
  }
  url.searchParams.delete(SSH_KEY_LINK_PARAM);
  window.history.replaceState(window.history.state, '', url.toString());
  return key;
}
