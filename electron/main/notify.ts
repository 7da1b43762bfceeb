/** Desktop notifications; a click opens the window on the notification's mount. */
import { Notification } from 'electron'
import type { ShellNotification } from '../app/desktop-shell.js'

/** A notifier that shows each notification with the app icon and calls `open` on a click. */
export function createNotifier(iconPath: string, open: (mountId?: string) => void): (notification: ShellNotification) => void {
  // A Notification that is garbage-collected loses its click handler: keep each until it is closed.
  const live = new Set<Notification>()
  return ({ title, body, mountId }) => {
    if (!Notification.isSupported()) return
    const notification = new Notification({ title, body, icon: iconPath })
    live.add(notification)
    notification.on('click', () => open(mountId))
    notification.on('close', () => live.delete(notification))
    notification.show()
  }
}
