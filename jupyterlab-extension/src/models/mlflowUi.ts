import { showErrorMessage } from '@jupyterlab/apputils';
import type * as React from 'react';
import type { IPrimeHub } from '../tokens';

/**
 * Opens `url`, a page of the group's MLflow UI, in a new browser tab, signed in: PrimeHub Local serves a
 * group's UI behind a sign-in of its own, so a one-time ticket is asked for first (through the server
 * extension's proxy, as every API call) and added to the address (the client's `models.uiLink`); a real
 * PrimeHub's MLflow address opens as it is. No password or token is in the address.
 */
export async function openMlflowUi(hub: IPrimeHub, url: string): Promise<void> {
  // Opened now, while the click still counts as the user's (a popup blocker would refuse it after the
  // request), and pointed at the page once its ticket is known.
  const tab = window.open('', '_blank');
  if (tab) {
    tab.opener = null;
  }
  try {
    const link = await hub.client.models.uiLink(url, { apiBase: hub.config?.apiBase });
    if (tab) {
      tab.location.href = link;
    } else {
      window.open(link, '_blank', 'noopener');
    }
  } catch (err) {
    tab?.close();
    void showErrorMessage('Opening the MLflow UI', hub.describe('Opening the MLflow UI', err));
  }
}

/**
 * Props for an `<a href={url}>` to the MLflow UI: a click (or a middle click) opens it through
 * {@link openMlflowUi}; the `href` stays the plain address, so copying the link gives no ticket.
 */
export function mlflowLinkProps(
  hub: IPrimeHub,
  url: string
): Pick<React.AnchorHTMLAttributes<HTMLAnchorElement>, 'href' | 'onClick' | 'onAuxClick' | 'target' | 'rel'> {
  const open = (e: React.MouseEvent<HTMLAnchorElement>): void => {
    if (e.button > 1) {
      return;
    }
    e.preventDefault();
    void openMlflowUi(hub, url);
  };
  return { href: url, target: '_blank', rel: 'noreferrer', onClick: open, onAuxClick: open };
}
