/** The window's store over an in-memory API: snapshot first, then events; errors as `{ code, message }`. */
import { describe, expect, it } from 'vitest'
import { followWindowLink } from '../../renderer/src/follow-window-link.js'
import { createAppStore, logLimit } from '../../renderer/src/store.js'
import { health, MemoryApi, mountView, s3Remote } from './memory-api.js'

function setup() {
  const api = new MemoryApi({
    remotes: [s3Remote],
    mounts: [mountView('a'), mountView('b')],
    health: { a: health('mounted'), b: health('unmounted') },
  })
  return { api, store: createAppStore(api, { scheduleFrame: (flush) => flush() }) }
}

describe('store', () => {
  it('init requests the snapshot, then subscribes to health, log and config events', async () => {
    const { api, store } = setup()
    expect(store.getState().phase).toBe('loading')
    await store.getState().init()
    expect(api.timeline).toEqual(['request app:snapshot', 'on mount:health', 'on mount:log', 'on config:changed', 'on quit:progress'])
    const s = store.getState()
    expect(s.phase).toBe('ready')
    expect(s.mounts.map((m) => m.id)).toEqual(['a', 'b'])
    expect(s.health.a?.state).toBe('mounted')
    expect(s.remotes[0]?.name).toBe('Photos')
  })

  it('a health event replaces that mount’s health and leaves every other slice as it was', async () => {
    const { api, store } = setup()
    await store.getState().init()
    const before = store.getState()
    api.emit('mount:health', { id: 'a', health: health('restarting', { restarts: 1 }) })
    const after = store.getState()
    expect(after.health.a?.state).toBe('restarting')
    expect(after.health.b).toBe(before.health.b)
    expect(after.mounts).toBe(before.mounts)
    expect(after.remotes).toBe(before.remotes)
    expect(after.logs).toBe(before.logs)
  })

  it('health events that arrive between two frames are applied together, in one update', async () => {
    const api = new MemoryApi({ remotes: [s3Remote], mounts: [mountView('a'), mountView('b')], health: { a: health('mounted') } })
    const frames: Array<() => void> = []
    const store = createAppStore(api, { scheduleFrame: (flush) => frames.push(flush) })
    await store.getState().init()
    let updates = 0
    store.subscribe(() => updates++)
    api.emit('mount:health', { id: 'a', health: health('restarting') })
    api.emit('mount:health', { id: 'b', health: health('mounting') })
    api.emit('mount:health', { id: 'a', health: health('mounted', { restarts: 1 }) })
    expect(store.getState().health.a?.state).toBe('mounted')
    expect(store.getState().health.a?.restarts).toBe(0)
    expect(frames).toHaveLength(1)
    frames.shift()!()
    expect(updates).toBe(1)
    expect(store.getState().health.a?.restarts).toBe(1)
    expect(store.getState().health.b?.state).toBe('mounting')

    // An action's answer is newer than a health event still waiting for its frame.
    api.emit('mount:health', { id: 'b', health: health('mounting') })
    await store.getState().mount('b')
    frames.shift()!()
    expect(store.getState().health.b?.state).toBe('mounted')
  })

  it('follows a quit: pending uploads per mount, then whether it was forced', async () => {
    const { api, store } = setup()
    await store.getState().init()
    expect(store.getState().quitting).toBeNull()
    api.emit('quit:progress', { pending: { a: 2, b: 0 }, forced: false })
    expect(store.getState().quitting).toEqual({ pending: { a: 2, b: 0 }, forced: false })
    api.emit('quit:progress', { pending: { a: 2 }, forced: true })
    expect(store.getState().quitting?.forced).toBe(true)
  })

  it('keeps each mount’s log bounded, newest last', async () => {
    const { api, store } = setup()
    await store.getState().init()
    for (let i = 0; i < logLimit + 25; i++) api.emit('mount:log', { id: 'a', line: { time: i, level: 'info', message: `line ${i}` } })
    const lines = store.getState().logs.a!
    expect(lines).toHaveLength(logLimit)
    expect(lines[0]?.message).toBe('line 25')
    expect(lines.at(-1)?.message).toBe(`line ${logLimit + 24}`)
  })

  it('config:changed replaces remotes, mounts and settings, and forgets deleted mounts’ health', async () => {
    const { api, store } = setup()
    await store.getState().init()
    api.emit('config:changed', {
      remotes: [s3Remote],
      mounts: [mountView('b')],
      settings: { ...store.getState().settings, theme: 'dark' },
    })
    const s = store.getState()
    expect(s.mounts.map((m) => m.id)).toEqual(['b'])
    expect(Object.keys(s.health)).toEqual(['b'])
    expect(s.settings.theme).toBe('dark')
  })

  it('a failed snapshot leaves the window in "failed" with the error, and init can be tried again', async () => {
    const { api, store } = setup()
    api.failNext('app:snapshot', { code: 'INVALID_CONFIG', message: 'The config file is damaged.' })
    await store.getState().init()
    expect(store.getState().phase).toBe('failed')
    expect(store.getState().error).toMatchObject({ code: 'INVALID_CONFIG', message: 'The config file is damaged.' })
    expect(api.listenerCount('mount:health')).toBe(0)
    await store.getState().init()
    expect(store.getState().phase).toBe('ready')
    expect(store.getState().error).toBeNull()
    expect(api.listenerCount('mount:health')).toBe(1)
  })

  it('a failed mount action stays on that mount as { code, message }; a successful one updates its health', async () => {
    const { api, store } = setup()
    await store.getState().init()
    api.failNext('mount:mount', { code: 'MOUNTPOINT_NOT_EMPTY', message: 'The folder is not empty: choose an empty folder.' })
    const pending = store.getState().mount('b')
    expect(store.getState().busy.b).toBe('mount')
    await pending
    expect(store.getState().busy.b).toBeUndefined()
    expect(store.getState().actionErrors.b).toEqual({
      code: 'MOUNTPOINT_NOT_EMPTY',
      message: 'The folder is not empty: choose an empty folder.',
    })
    await store.getState().mount('b')
    expect(store.getState().actionErrors.b).toBeUndefined()
    expect(store.getState().health.b?.state).toBe('mounted')
  })

  it('other failed requests go to the error banner, with what was being done', async () => {
    const { api, store } = setup()
    await store.getState().init()
    api.failNext('settings:set', { code: 'INVALID_CONFIG', message: 'theme: Choose one of the options.' })
    await store.getState().setSettings({ theme: 'dark' })
    expect(store.getState().error).toEqual({
      code: 'INVALID_CONFIG',
      message: 'theme: Choose one of the options.',
      action: 'Saving settings',
    })
    expect(store.getState().settings.theme).toBe('system')
    store.getState().dismissError()
    expect(store.getState().error).toBeNull()
  })

  it('a bridge that throws becomes an error with a code, not an unhandled rejection', async () => {
    const { api, store } = setup()
    await store.getState().init()
    api.handle('mount:open-folder', () => Promise.reject(new Error('channel closed')))
    await store.getState().openFolder('a')
    expect(store.getState().error).toMatchObject({ code: 'BRIDGE_FAILED', action: 'Opening the folder' })
    expect(store.getState().error?.message).toContain('channel closed')
  })

  it('follows the link the shell opens the window with: #mount=<id>, #mount=<id>&view=logs', async () => {
    const { store } = setup()
    await store.getState().init()
    const page = Object.assign(new EventTarget(), { location: { hash: '#mount=a' } })
    const stop = followWindowLink(store, page as unknown as Window)
    expect(store.getState().view).toEqual({ name: 'mounts' })
    expect(store.getState().selectedMountId).toBe('a')
    page.location.hash = '#mount=b&view=logs'
    page.dispatchEvent(new Event('hashchange'))
    expect(store.getState().view).toEqual({ name: 'logs', mountId: 'b' })
    expect(store.getState().selectedMountId).toBe('b')
    stop()
    page.location.hash = '#mount=a'
    page.dispatchEvent(new Event('hashchange'))
    expect(store.getState().selectedMountId).toBe('b')
  })

  it('dispose stops following events', async () => {
    const { api, store } = setup()
    await store.getState().init()
    store.getState().dispose()
    expect(api.listenerCount('mount:health')).toBe(0)
    api.emit('mount:health', { id: 'a', health: health('failed') })
    expect(store.getState().health.a?.state).toBe('mounted')
  })
})
