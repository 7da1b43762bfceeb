/**
 * The sandboxed preload: puts exactly `window.rmount` (RmountApi) in the page, two functions over the
 * fixed channel lists of shared/ipc-channels.ts. It imports only those name lists (not shared/ipc.ts,
 * which would bundle zod): payloads are validated in the main process, which never trusts the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { EventChannel, RequestChannel, RmountApi } from '../../shared/ipc.js'
import { eventChannels, requestChannels } from '../../shared/ipc-channels.js'

const requests: ReadonlySet<string> = new Set(requestChannels)
const events: ReadonlySet<string> = new Set(eventChannels)

const api: RmountApi = {
  request(channel, payload) {
    // A page that is compromised must not reach any other ipcMain handler through us.
    if (!requests.has(channel)) return Promise.reject(new Error(`Unknown request channel: ${String(channel)}`))
    return ipcRenderer.invoke(channel as RequestChannel, payload)
  },
  on(channel, listener) {
    if (!events.has(channel)) throw new Error(`Unknown event channel: ${String(channel)}`)
    // The page gets the payload alone: the IpcRendererEvent carries `sender`, the whole ipcRenderer.
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload as never)
    ipcRenderer.on(channel as EventChannel, wrapped)
    return () => {
      ipcRenderer.removeListener(channel as EventChannel, wrapped)
    }
  },
}

contextBridge.exposeInMainWorld('rmount', api)
