/** The tray icon and its menu, rendered from tray-menu.ts's model; clicks go back as actions. */
import { Menu, Tray } from 'electron'
import { trayIconPath, type AppLayout } from '../app/app-paths.js'
import { toMenuTemplate, type TrayAction, type TrayModel } from '../app/tray-menu.js'

/** Creates the tray; keep the returned object referenced, or the icon is garbage-collected away. */
export function createTray(layout: AppLayout, dispatch: (action: TrayAction) => void) {
  const tray = new Tray(trayIconPath(layout, 'idle'))
  // Linux's AppIndicator trays never report clicks, so the menu's "Open RMount" is the way in there;
  // elsewhere a click on the icon opens the window too.
  tray.on('click', () => dispatch({ type: 'open-window' }))
  let shown: TrayModel | null = null
  return {
    render(model: TrayModel): void {
      shown = model
      tray.setImage(trayIconPath(layout, model.icon))
      tray.setToolTip(model.tooltip)
      // A Linux tray shows a copy of the menu: it must be set again after every change, not mutated.
      tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(model.items, dispatch)))
    },
    /** What the tray shows now (Electron cannot list a tray's menu back). */
    model: () => shown,
  }
}
