/**
 * The only place the IPC table meets Electron: registers each handler with ipcMain behind the
 * trusted-sender check, and forwards the core's events to the app's windows. No logic of its own:
 * it lives in electron/app/ipc-handlers.ts, which is tested under plain Node.
 */
import { BrowserWindow, ipcMain } from 'electron'
import type { EventEmitter } from 'node:events'
import { requestChannels } from '../../shared/ipc-channels.js'
import type { EventPayloads, IpcResult } from '../../shared/ipc.js'
import { forwardedEvents, isTrustedSender, type IpcHandlers } from '../app/ipc-handlers.js'

const refusal: IpcResult<never> = { ok: false, error: { code: 'UNTRUSTED_SENDER', message: 'This page may not talk to RMount.' } }

/**
 * Registers every request channel and forwards every event channel. `appUrl` is the URL the window
 * loads (file:// index.html, or the dev server). Returns a function that undoes both.
 */
export function bindIpc(handlers: IpcHandlers, events: EventEmitter, appUrl: string): () => void {
  for (const channel of requestChannels) {
    // Only the app's own page may call in: a frame that navigated elsewhere, or an embedded one, may not.
    ipcMain.handle(channel, (event, payload: unknown) =>
      isTrustedSender(event.senderFrame?.url ?? '', appUrl) ? handlers[channel](payload) : refusal,
    )
  }
  const forwarders = forwardedEvents.map((channel) => {
    const forward = (payload: EventPayloads[typeof channel]) => {
      // Events carry mount names, paths and log lines: only windows showing the app's page get them.
      for (const window of BrowserWindow.getAllWindows())
        if (!window.isDestroyed() && isTrustedSender(window.webContents.getURL(), appUrl)) window.webContents.send(channel, payload)
    }
    events.on(channel, forward)
    return () => events.off(channel, forward)
  })
  return () => {
    for (const channel of requestChannels) ipcMain.removeHandler(channel)
    for (const stop of forwarders) stop()
  }
}
