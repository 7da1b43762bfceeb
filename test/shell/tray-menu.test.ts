/** The tray model for every mix of mount states: icon, tooltip, and which actions each mount offers. */
import { describe, expect, it, vi } from 'vitest'
import { mountStates, type MountHealth, type MountState } from '../../shared/mount-state.js'
import {
  actionableIds,
  createTrayRenderer,
  runTrayAction,
  toMenuTemplate,
  trayIcon,
  trayModel,
  type MenuItemModel,
  type TrayAction,
  type TrayHandlers,
  type TrayIcon,
  type TrayMount,
} from '../../electron/app/tray-menu.js'

function health(state: MountState, extra: Partial<MountHealth> = {}): TrayMount['health'] {
  return { state, reason: `now ${state}`, lastError: null, pendingUploads: 0, uploadsInProgress: 0, ...extra }
}

function mount(id: string, state: MountState, extra: Partial<MountHealth> = {}): TrayMount {
  return { id, name: `Mount ${id}`, health: health(state, extra) }
}

/** The icon each state alone gives. */
const iconAlone: Record<MountState, TrayIcon> = {
  unmounted: 'idle',
  mounting: 'warning',
  mounted: 'ok',
  degraded: 'warning',
  restarting: 'warning',
  failed: 'error',
  unmounting: 'warning',
}
const severity: TrayIcon[] = ['idle', 'ok', 'warning', 'error']
const worse = (a: TrayIcon, b: TrayIcon): TrayIcon => (severity.indexOf(a) >= severity.indexOf(b) ? a : b)

describe('trayIcon', () => {
  it('is idle with no mounts at all', () => {
    expect(trayIcon([])).toBe('idle')
  })

  it.each(mountStates.map((state) => [state, iconAlone[state]]))('one mount %s → %s', (state, icon) => {
    expect(trayIcon([state])).toBe(icon)
  })

  // Every ordered pair and every triple of states: the worst state wins, whatever the order.
  const pairs = mountStates.flatMap((a) => mountStates.map((b) => [a, b] as const))
  it.each(pairs)('%s + %s → the worse of the two', (a, b) => {
    expect(trayIcon([a, b])).toBe(worse(iconAlone[a], iconAlone[b]))
  })

  it('every triple of states gives the worst of the three', () => {
    for (const a of mountStates)
      for (const b of mountStates)
        for (const c of mountStates)
          expect(trayIcon([a, b, c]), `${a} ${b} ${c}`).toBe(worse(worse(iconAlone[a], iconAlone[b]), iconAlone[c]))
  })

  it.each([
    { states: ['mounted', 'mounted', 'mounted'], icon: 'ok' },
    { states: ['mounted', 'unmounted'], icon: 'ok' },
    { states: ['unmounted', 'unmounted'], icon: 'idle' },
    { states: ['mounted', 'degraded'], icon: 'warning' },
    { states: ['mounted', 'restarting', 'failed'], icon: 'error' },
    { states: ['unmounted', 'mounting'], icon: 'warning' },
    { states: ['unmounting', 'unmounted'], icon: 'warning' },
  ] as Array<{ states: MountState[]; icon: TrayIcon }>)('$states → $icon', ({ states, icon }) => {
    expect(trayIcon(states)).toBe(icon)
  })
})

function labels(items: MenuItemModel[] | undefined): string[] {
  return (items ?? []).filter((item) => item.type !== 'separator').map((item) => item.label ?? '')
}

function find(items: MenuItemModel[] | undefined, label: string): MenuItemModel {
  const item = (items ?? []).find((i) => i.label === label)
  if (!item) throw new Error(`no item ${label} in ${labels(items).join(', ')}`)
  return item
}

/** Per state: which of Mount, Unmount, Open folder, Refresh are enabled, and whether Retry is there. */
const expected: Record<MountState, { mount: boolean; unmount: boolean; retry: boolean; openFolder: boolean; refresh: boolean }> = {
  unmounted: { mount: true, unmount: false, retry: false, openFolder: false, refresh: false },
  mounting: { mount: false, unmount: true, retry: false, openFolder: false, refresh: false },
  mounted: { mount: false, unmount: true, retry: false, openFolder: true, refresh: true },
  degraded: { mount: false, unmount: true, retry: false, openFolder: false, refresh: false },
  restarting: { mount: false, unmount: true, retry: false, openFolder: false, refresh: false },
  failed: { mount: false, unmount: true, retry: true, openFolder: false, refresh: false },
  unmounting: { mount: false, unmount: false, retry: false, openFolder: false, refresh: false },
}

describe('trayModel: one submenu per mount', () => {
  it.each(mountStates)('a %s mount offers the actions its state allows', (state) => {
    const model = trayModel([mount('photos', state)], { startOnLogin: false })
    const entry = model.items[0]!
    expect(entry.type).toBe('submenu')
    expect(entry.label).toMatch(/^Mount photos: /)
    const submenu = entry.submenu!
    const want = expected[state]
    expect(find(submenu, 'Mount')).toMatchObject({ enabled: want.mount, action: { type: 'mount', id: 'photos' } })
    expect(find(submenu, 'Unmount')).toMatchObject({ enabled: want.unmount, action: { type: 'unmount', id: 'photos' } })
    expect(find(submenu, 'Open folder')).toMatchObject({ enabled: want.openFolder, action: { type: 'open-folder', id: 'photos' } })
    expect(find(submenu, 'Refresh')).toMatchObject({ enabled: want.refresh, action: { type: 'refresh', id: 'photos' } })
    expect(find(submenu, 'Show logs')).toMatchObject({ enabled: true, action: { type: 'show-logs', id: 'photos' } })
    expect(labels(submenu).includes('Retry')).toBe(want.retry)
    if (want.retry) expect(find(submenu, 'Retry')).toMatchObject({ enabled: true, action: { type: 'retry', id: 'photos' } })
  })

  it('a failed mount shows its last error, on one line and cut short, as a disabled first item', () => {
    const message = `The access key was refused by the server:\ncheck the key ID and secret in the remote's settings. ${'x'.repeat(100)}`
    const model = trayModel([mount('s3', 'failed', { lastError: { code: 'AUTH_FAILED', message } })], { startOnLogin: false })
    const first = model.items[0]!.submenu![0]!
    expect(first.enabled).toBe(false)
    expect(first.label).toMatch(/^The access key was refused by the server: check the key ID/)
    expect(first.label!.length).toBeLessThanOrEqual(80)
    expect(first.label).not.toContain('\n')
    expect(model.items[0]!.label).toBe('Mount s3: failed')
  })

  it('a degraded or restarting mount shows why; a mounted one shows no error even if it had one before', () => {
    const lastError = { code: 'REMOTE_UNREACHABLE' as const, message: 'old trouble' }
    const model = trayModel(
      [
        mount('a', 'degraded', { reason: 'The remote has not answered for 3 s.' }),
        mount('b', 'restarting', { reason: 'rclone exited; restarting.' }),
        mount('c', 'mounted', { lastError }),
      ],
      { startOnLogin: false },
    )
    expect(model.items[0]!.submenu![0]!.label).toBe('The remote has not answered for 3 s.')
    expect(model.items[1]!.submenu![0]!.label).toBe('rclone exited; restarting.')
    expect(labels(model.items[2]!.submenu)).toEqual(['Mount', 'Unmount', 'Open folder', 'Refresh', 'Show logs'])
  })

  it('pending uploads show in the mount entry', () => {
    const model = trayModel(
      [mount('a', 'mounted', { pendingUploads: 2, uploadsInProgress: 1 }), mount('b', 'mounted', { pendingUploads: 1 })],
      {
        startOnLogin: false,
      },
    )
    expect(model.items[0]!.label).toBe('Mount a: mounted, 3 uploads pending')
    expect(model.items[1]!.label).toBe('Mount b: mounted, 1 upload pending')
  })
})

describe('trayModel: the rest of the menu', () => {
  it('lists mounts, then Mount all, Unmount all, Open RMount, Start on login, Quit', () => {
    const model = trayModel([mount('a', 'mounted'), mount('b', 'unmounted')], { startOnLogin: true })
    expect(labels(model.items)).toEqual([
      'Mount a: mounted',
      'Mount b: not mounted',
      'Mount all',
      'Unmount all',
      'Open RMount',
      'Start on login',
      'Quit',
    ])
    expect(find(model.items, 'Open RMount').action).toEqual({ type: 'open-window' })
    expect(find(model.items, 'Quit').action).toEqual({ type: 'quit' })
  })

  it.each([
    { startOnLogin: true, action: { type: 'set-start-on-login', enabled: false } },
    { startOnLogin: false, action: { type: 'set-start-on-login', enabled: true } },
  ])('Start on login is a checkbox (on: $startOnLogin) whose click turns it over', ({ startOnLogin, action }) => {
    const item = find(trayModel([], { startOnLogin }).items, 'Start on login')
    expect(item).toMatchObject({ type: 'checkbox', checked: startOnLogin, action })
  })

  it.each([
    { states: [], mountAll: false, unmountAll: false },
    { states: ['unmounted'], mountAll: true, unmountAll: false },
    { states: ['mounted'], mountAll: false, unmountAll: true },
    { states: ['mounted', 'unmounted'], mountAll: true, unmountAll: true },
    { states: ['failed'], mountAll: false, unmountAll: true },
    { states: ['unmounting'], mountAll: false, unmountAll: false },
  ] as Array<{ states: MountState[]; mountAll: boolean; unmountAll: boolean }>)(
    '$states: Mount all $mountAll, Unmount all $unmountAll',
    ({ states, mountAll, unmountAll }) => {
      const items = trayModel(
        states.map((state, i) => mount(`m${i}`, state)),
        { startOnLogin: false },
      ).items
      expect(find(items, 'Mount all')).toMatchObject({ enabled: mountAll, action: { type: 'mount-all' } })
      expect(find(items, 'Unmount all')).toMatchObject({ enabled: unmountAll, action: { type: 'unmount-all' } })
    },
  )

  it('says so when there are no mounts', () => {
    const model = trayModel([], { startOnLogin: false })
    expect(model.items[0]).toEqual({ type: 'normal', label: 'No mounts yet', enabled: false })
    expect(model.tooltip).toBe('RMount: no mounts yet')
    expect(model.icon).toBe('idle')
  })

  it('the tooltip counts mounted mounts and names the troubled ones', () => {
    const model = trayModel([mount('a', 'mounted'), mount('b', 'failed'), mount('c', 'degraded'), mount('d', 'unmounted')], {
      startOnLogin: false,
    })
    expect(model.tooltip).toBe('RMount: 1 of 4 mounted, 1 failed, 1 remote not answering')
  })

  it('a mount whose uploads keep failing says so, shows the cause, and still opens its folder', () => {
    const message = 'Uploads to bucket b keep failing (NoSuchBucket). The files wait in the cache and rclone keeps retrying.'
    const failing = mount('a', 'degraded', { reason: message, lastError: { code: 'UPLOAD_FAILING', message }, pendingUploads: 1 })
    const model = trayModel([failing, mount('b', 'degraded')], { startOnLogin: false })
    const [item] = model.items
    expect(item!.label).toBe('Mount a: uploads failing, 1 upload pending')
    expect(item!.submenu![0]!.label).toMatch(/^Uploads to bucket b keep failing \(NoSuchBucket\)/)
    expect(item!.submenu!.find((i) => i.label === 'Open folder')!.enabled).toBe(true)
    expect(model.icon).toBe('warning')
    expect(model.tooltip).toBe('RMount: 0 of 2 mounted, 1 remote not answering, 1 uploads failing')
    // An old UPLOAD_FAILING that is no longer the reason does not label a mount whose remote stopped answering.
    const stale = mount('c', 'degraded', {
      reason: 'The remote does not answer within 1200 ms.',
      lastError: { code: 'UPLOAD_FAILING', message },
    })
    expect(trayModel([stale], { startOnLogin: false }).items[0]!.label).toBe('Mount c: remote not answering')
  })
})

describe('toMenuTemplate and runTrayAction', () => {
  it('turns each action into a click that dispatches it, submenus included, and keeps the rest', () => {
    const dispatched: TrayAction[] = []
    const model = trayModel([mount('a', 'failed')], { startOnLogin: false })
    const template = toMenuTemplate(model.items, (action) => dispatched.push(action))
    const retry = template[0]!.submenu!.find((item) => item.label === 'Retry')!
    retry.click!()
    template.find((item) => item.label === 'Quit')!.click!()
    expect(dispatched).toEqual([{ type: 'retry', id: 'a' }, { type: 'quit' }])
    expect(template.find((item) => item.type === 'separator')!.click).toBeUndefined()
    expect(template[0]!.submenu![0]).toEqual({ type: 'normal', label: 'now failed', enabled: false })
  })

  it('calls the handler each action names, with its argument', () => {
    const handlers = Object.fromEntries(
      [
        'mount',
        'unmount',
        'retry',
        'openFolder',
        'refresh',
        'showLogs',
        'mountAll',
        'unmountAll',
        'openWindow',
        'setStartOnLogin',
        'quit',
      ].map((name) => [name, vi.fn(() => name)]),
    ) as unknown as Record<keyof TrayHandlers, ReturnType<typeof vi.fn>> & TrayHandlers
    const cases: Array<[TrayAction, keyof TrayHandlers, unknown[]]> = [
      [{ type: 'mount', id: 'x' }, 'mount', ['x']],
      [{ type: 'unmount', id: 'x' }, 'unmount', ['x']],
      [{ type: 'retry', id: 'x' }, 'retry', ['x']],
      [{ type: 'open-folder', id: 'x' }, 'openFolder', ['x']],
      [{ type: 'refresh', id: 'x' }, 'refresh', ['x']],
      [{ type: 'show-logs', id: 'x' }, 'showLogs', ['x']],
      [{ type: 'mount-all' }, 'mountAll', []],
      [{ type: 'unmount-all' }, 'unmountAll', []],
      [{ type: 'open-window' }, 'openWindow', []],
      [{ type: 'set-start-on-login', enabled: true }, 'setStartOnLogin', [true]],
      [{ type: 'quit' }, 'quit', []],
    ]
    for (const [action, name, args] of cases) {
      expect(runTrayAction(action, handlers)).toBe(name)
      expect(handlers[name]).toHaveBeenLastCalledWith(...args)
    }
  })
})

describe('createTrayRenderer', () => {
  it('renders only when the tray would look different', () => {
    const render = vi.fn()
    const update = createTrayRenderer(render)
    update([mount('a', 'mounted')], { startOnLogin: false })
    // Transfer counters and probe times change every second; the tray shows none of them.
    update([{ ...mount('a', 'mounted'), health: { ...health('mounted'), transfer: { bytes: 5 } } as TrayMount['health'] }], {
      startOnLogin: false,
    })
    expect(render).toHaveBeenCalledTimes(1)
    update([mount('a', 'degraded')], { startOnLogin: false })
    update([mount('a', 'degraded')], { startOnLogin: true })
    expect(render).toHaveBeenCalledTimes(3)
    expect(render.mock.lastCall![0].icon).toBe('warning')
  })
})

describe('trayModel while quitting', () => {
  const mounts = [mount('a', 'unmounting', { pendingUploads: 2 })]

  it.each([
    ['draining', 'Quit now', true],
    ['blocked', 'Quit now', true],
    ['forcing', 'Quit', false],
    ['exit', 'Quit', false],
  ] as const)('%s: only the quit message, Open RMount and %s (enabled: %s)', (phase, quitLabel, enabled) => {
    const model = trayModel(mounts, { startOnLogin: false }, { phase, message: `Waiting for 2 files to upload.\nsecond line` })
    expect(labels(model.items)).toEqual(['Waiting for 2 files to upload.', 'Open RMount', quitLabel])
    expect(model.items[0]!.enabled).toBe(false)
    expect(find(model.items, quitLabel)).toMatchObject({ enabled, action: { type: 'quit' } })
    expect(model.tooltip).toBe('RMount: Waiting for 2 files to upload.')
  })

  it('a quit not started yet changes nothing', () => {
    expect(trayModel(mounts, { startOnLogin: false }, { phase: 'running', message: '' })).toEqual(
      trayModel(mounts, { startOnLogin: false }),
    )
  })
})

describe('actionableIds', () => {
  it('Mount all and Unmount all act on the mounts whose own item is enabled', () => {
    const mounts = mountStates.map((state) => mount(state, state))
    expect(actionableIds(mounts, 'mount')).toEqual(mountStates.filter((s) => expected[s].mount))
    expect(actionableIds(mounts, 'unmount')).toEqual(mountStates.filter((s) => expected[s].unmount))
  })
})
