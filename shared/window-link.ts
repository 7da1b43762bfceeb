/**
 * How the shell tells the window what to show when it opens it from the tray or a notification: the
 * URL fragment of the window's page, `#mount=<id>` or `#mount=<id>&view=logs`.
 *
 * Why a fragment and not an IPC event: it works the same for a window that does not exist yet (it is
 * created with the fragment) and for one that does (loading the same page with another fragment is a
 * same-document navigation: no reload, a `hashchange` event), and it needs no channel that a window
 * opened later could miss. The renderer reads `location.hash` at start and on `hashchange`.
 */

/** A mount to select in the window, and optionally which of its views. */
export interface WindowTarget {
  mountId: string
  view?: 'logs'
}

/** The fragment (without `#`) that opens `target`. */
export function windowLinkHash(target: WindowTarget): string {
  const params = new URLSearchParams({ mount: target.mountId })
  if (target.view) params.set('view', target.view)
  return params.toString()
}

/** The target a fragment names (with or without its `#`), or null when it names none. */
export function parseWindowLink(hash: string): WindowTarget | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''))
  const mountId = params.get('mount')
  if (!mountId) return null
  return params.get('view') === 'logs' ? { mountId, view: 'logs' } : { mountId }
}
