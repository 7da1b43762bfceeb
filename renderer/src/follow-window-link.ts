/**
 * The shell opens the window on a mount (from the tray or a notification) through the page's URL
 * fragment, `#mount=<id>` or `#mount=<id>&view=logs`: read at start and on every `hashchange`.
 */
import { parseWindowLink } from '../../shared/window-link.js'
import type { AppStore } from './store.js'

export function followWindowLink(
  store: AppStore,
  target: Pick<Window, 'location' | 'addEventListener' | 'removeEventListener'>,
): () => void {
  const open = () => {
    const link = parseWindowLink(target.location.hash)
    if (link) store.getState().openTarget(link)
  }
  open()
  target.addEventListener('hashchange', open)
  return () => target.removeEventListener('hashchange', open)
}
