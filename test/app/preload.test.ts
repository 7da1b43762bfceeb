/**
 * The preload against a small fake of Electron's API surface (contextBridge, ipcRenderer): it exposes
 * exactly `window.rmount` with `request` and `on`, refuses unknown channels without sending, and hands
 * listeners the payload alone.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { eventChannels, requestChannels } from '../../shared/ipc-channels.js'
import { requestSchemas, type RmountApi } from '../../shared/ipc.js'

type Listener = (event: unknown, ...args: unknown[]) => void

const fake = vi.hoisted(() => {
  const exposed = new Map<string, unknown>()
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>()
  const invoke = vi.fn(async (channel: string, payload: unknown) => ({ ok: true, value: { channel, payload } }))
  return {
    exposed,
    listeners,
    invoke,
    /** What main's webContents.send would do: call each listener with an event object first. */
    emit(channel: string, payload: unknown) {
      const event = { sender: 'the whole ipcRenderer', senderId: 0 }
      for (const listener of listeners.get(channel) ?? []) listener(event, payload)
    },
  }
})

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api),
  },
  ipcRenderer: {
    invoke: fake.invoke,
    on(channel: string, listener: Listener) {
      if (!fake.listeners.has(channel)) fake.listeners.set(channel, new Set())
      fake.listeners.get(channel)!.add(listener)
    },
    removeListener(channel: string, listener: Listener) {
      fake.listeners.get(channel)?.delete(listener)
    },
  },
}))

let api: RmountApi

beforeAll(async () => {
  await import('../../electron/preload/preload.js')
  api = fake.exposed.get('rmount') as RmountApi
})

beforeEach(() => fake.invoke.mockClear())

describe('preload', () => {
  it('exposes exactly window.rmount, with exactly request and on', () => {
    expect([...fake.exposed.keys()]).toEqual(['rmount'])
    expect(Object.keys(api).sort()).toEqual(['on', 'request'])
    expect(typeof api.request).toBe('function')
    expect(typeof api.on).toBe('function')
  })

  it('allows exactly the channels of the shared map', () => {
    expect([...requestChannels].sort()).toEqual(Object.keys(requestSchemas).sort())
  })

  it('passes known request channels and their payload to ipcRenderer.invoke', async () => {
    const result = await api.request('mount:unmount', { id: 'photos', force: true })
    expect(fake.invoke).toHaveBeenCalledTimes(1)
    expect(fake.invoke).toHaveBeenCalledWith('mount:unmount', { id: 'photos', force: true })
    expect(result).toEqual({ ok: true, value: { channel: 'mount:unmount', payload: { id: 'photos', force: true } } })
    for (const channel of requestChannels) await api.request(channel, undefined as never)
    expect(fake.invoke).toHaveBeenCalledTimes(1 + requestChannels.length)
  })

  it('refuses unknown request channels without sending anything', async () => {
    const request = api.request as (channel: string, payload: unknown) => Promise<unknown>
    for (const channel of ['mount:format-disk', '', 'constructor', '__proto__', 'mount:health', 'APP:SNAPSHOT'])
      await expect(request(channel, {})).rejects.toThrow(/Unknown request channel/)
    expect(fake.invoke).not.toHaveBeenCalled()
  })

  it('gives listeners the payload alone, never the IpcRendererEvent', () => {
    const seen: unknown[][] = []
    const off = api.on('mount:health', (...args: unknown[]) => seen.push(args))
    const payload = { id: 'photos', health: { state: 'mounted' } }
    fake.emit('mount:health', payload)
    expect(seen).toEqual([[payload]])
    off()
  })

  it('unsubscribes the listener it added, and only that one', () => {
    const a: unknown[] = []
    const b: unknown[] = []
    const offA = api.on('config:changed', (p) => a.push(p))
    const offB = api.on('config:changed', (p) => b.push(p))
    fake.emit('config:changed', 1)
    offA()
    fake.emit('config:changed', 2)
    expect(a).toEqual([1])
    expect(b).toEqual([1, 2])
    offB()
    expect(fake.listeners.get('config:changed')?.size ?? 0).toBe(0)
  })

  it('refuses to listen on unknown event channels', () => {
    const on = api.on as (channel: string, listener: () => void) => () => void
    for (const channel of ['app:snapshot', 'mount:secret', '__proto__'])
      expect(() => on(channel, () => undefined)).toThrow(/Unknown event channel/)
    expect([...fake.listeners.keys()].every((channel) => (eventChannels as readonly string[]).includes(channel))).toBe(true)
  })
})
