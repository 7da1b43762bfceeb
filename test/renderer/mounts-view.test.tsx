/** The mounts list: one row re-renders per health tick, states in words, actions per state, deletion that says what stays. */
import { act, fireEvent, render, screen, within } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { MountsView } from '../../renderer/src/components/MountsView.js'
import { createAppStore } from '../../renderer/src/store.js'
import { StoreContext } from '../../renderer/src/use-app.js'
import { health, MemoryApi, mountView, s3Remote } from './memory-api.js'

// Render counter: every row the list renders is wrapped in a <Profiler>, which reports each commit of that row.
const commits = vi.hoisted(() => new Map<string, number>())
vi.mock('../../renderer/src/components/MountRow.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../renderer/src/components/MountRow.js')>()
  const { Profiler, memo, createElement } = await import('react')
  const count = (id: string) => commits.set(id, (commits.get(id) ?? 0) + 1)
  const Counted = memo((props: Parameters<typeof real.MountRow>[0]) =>
    createElement(Profiler, { id: props.id, onRender: count }, createElement(real.MountRow, props)),
  )
  return { ...real, MountRow: Counted }
})

async function renderView(api: MemoryApi) {
  const store = createAppStore(api, { scheduleFrame: (flush) => flush() })
  await store.getState().init()
  render(
    <StoreContext.Provider value={store}>
      <MountsView />
    </StoreContext.Provider>,
  )
  return store
}

function row(name: string): HTMLElement {
  return screen.getByRole('listitem', { name })
}

describe('MountsView', () => {
  it('a health tick of one mount re-renders that row only', async () => {
    const ids = ['a', 'b', 'c']
    const api = new MemoryApi({
      remotes: [s3Remote],
      mounts: ids.map((id) => mountView(id)),
      health: Object.fromEntries(ids.map((id) => [id, health('mounted', { localPath: `/home/me/${id}` })])),
    })
    await renderView(api)
    commits.clear()
    for (let i = 1; i <= 10; i++)
      act(() =>
        api.emit('mount:health', {
          id: 'a',
          health: health('mounted', { uploadsInProgress: i, transfer: { bytes: i * 1000, speed: 0, transferring: 1, errors: 0 } }),
        }),
      )
    expect(commits.get('a')).toBe(10)
    expect(commits.get('b') ?? 0).toBe(0)
    expect(commits.get('c') ?? 0).toBe(0)
    expect(within(row('a')).getByText('10 (10 uploading)')).toBeTruthy()
  })

  it('shows each state in words, the facts of the row, and the actions the state allows', async () => {
    const api = new MemoryApi({
      remotes: [s3Remote],
      mounts: [mountView('up'), mountView('down'), mountView('broken'), mountView('never')],
      health: {
        up: health('mounted', { restarts: 2, pendingUploads: 3, localPath: '/home/me/up' }),
        down: health('unmounted'),
        broken: health('failed', {
          reason: 'The remote refused the credentials.',
          lastError: { code: 'AUTH_FAILED', message: 'The access key was refused: check the access key ID and secret.' },
        }),
      },
    })
    await renderView(api)
    const up = within(row('up'))
    expect(up.getByText('Mounted')).toBeTruthy()
    expect(up.getByText('Photos:bucket/up')).toBeTruthy()
    expect(up.getByText('/home/me/up')).toBeTruthy()
    expect(up.getByText('1 min').parentElement?.textContent).toBe('for 1 min')
    expect(up.getByText('Restarts').nextElementSibling?.textContent).toBe('2')
    expect(up.getByText('Pending uploads').nextElementSibling?.textContent).toBe('3, uploading in 5 s')
    expect(up.getByRole('button', { name: 'Unmount' })).toBeTruthy()
    expect(up.queryByRole('button', { name: 'Mount' })).toBeNull()
    expect((up.getByRole('button', { name: 'Open folder' }) as HTMLButtonElement).disabled).toBe(false)

    const down = within(row('down'))
    expect(down.getByText('Unmounted')).toBeTruthy()
    expect(down.getByRole('button', { name: 'Mount' })).toBeTruthy()
    expect((down.getByRole('button', { name: 'Open folder' }) as HTMLButtonElement).disabled).toBe(true)

    const broken = within(row('broken'))
    expect(broken.getByText('Failed')).toBeTruthy()
    expect(broken.getByText('AUTH_FAILED')).toBeTruthy()
    expect(broken.getByText(/check the access key ID and secret/)).toBeTruthy()
    expect(broken.getByRole('button', { name: 'Retry' })).toBeTruthy()

    // A mount with no health yet (never started) is shown as unmounted.
    expect(within(row('never')).getByRole('button', { name: 'Mount' })).toBeTruthy()

    fireEvent.click(down.getByRole('button', { name: 'Mount' }))
    await act(async () => {})
    expect(api.lastPayload('mount:mount')).toEqual({ id: 'down' })
    expect(within(row('down')).getByText('Mounted')).toBeTruthy()
  })

  it('Refresh asks for the remote changes of a mounted mount now, and waits while it is not mounted', async () => {
    const api = new MemoryApi({
      remotes: [s3Remote],
      mounts: [mountView('up'), mountView('down')],
      health: { up: health('mounted'), down: health('unmounted') },
    })
    await renderView(api)
    expect((within(row('down')).getByRole('button', { name: 'Refresh' }) as HTMLButtonElement).disabled).toBe(true)
    fireEvent.click(within(row('up')).getByRole('button', { name: 'Refresh' }))
    await act(async () => {})
    expect(api.lastPayload('mount:refresh')).toEqual({ id: 'up' })
  })

  it('a mount degraded by failing uploads says so with the cause, not "Degraded", and its folder still opens', async () => {
    const failing = 'Uploads to bucket fails keep failing: Bucket fails does not exist. Files wait in the cache.'
    const api = new MemoryApi({
      remotes: [s3Remote],
      mounts: [mountView('up'), mountView('away')],
      health: {
        up: health('degraded', { reason: failing, lastError: { code: 'UPLOAD_FAILING', message: failing }, lastErrorAt: Date.now() }),
        away: health('degraded', { reason: 'The remote does not answer within 5000 ms.' }),
      },
    })
    await renderView(api)
    expect(row('up').querySelector('.badge')?.textContent).toBe('up: Uploads failing')
    expect(row('up').textContent).toContain(failing)
    expect(row('up').textContent).toContain('UPLOAD_FAILING')
    expect((within(row('up')).getByRole('button', { name: 'Open folder' }) as HTMLButtonElement).disabled).toBe(false)
    expect(row('away').querySelector('.badge')?.textContent).toBe('away: Degraded')
  })

  it('a refused unmount (files still uploading) offers to unmount anyway', async () => {
    const api = new MemoryApi({ remotes: [s3Remote], mounts: [mountView('a')], health: { a: health('mounted') } })
    await renderView(api)
    api.failNext('mount:unmount', { code: 'PENDING_UPLOADS', message: '2 files are still uploading: wait, or unmount now.' })
    fireEvent.click(within(row('a')).getByRole('button', { name: 'Unmount' }))
    await act(async () => {})
    const alert = within(row('a')).getByRole('alert')
    expect(alert.textContent).toContain('PENDING_UPLOADS')
    fireEvent.click(within(alert).getByRole('button', { name: /Unmount now/ }))
    await act(async () => {})
    expect(api.lastPayload('mount:unmount')).toEqual({ id: 'a', force: true })
  })

  it('delete asks first, says the files and the folder stay, and waits for an active mount to be unmounted', async () => {
    const api = new MemoryApi({
      remotes: [s3Remote],
      mounts: [mountView('a'), mountView('b')],
      health: { a: health('mounted'), b: health('unmounted') },
    })
    await renderView(api)
    const opener = within(row('a')).getByRole('button', { name: 'Delete' })
    opener.focus()
    fireEvent.click(opener)
    let dialog = screen.getByRole('dialog', { name: 'Delete the mount “a”?' })
    expect(dialog.textContent).toContain('Only the mount entry is deleted')
    expect(dialog.textContent).toMatch(/files on Photos:bucket\/a and the local folder \/home\/me\/a are not deleted/)
    expect(dialog.textContent).toContain('unmount it first')
    expect((within(dialog).getByRole('button', { name: 'Delete mount' }) as HTMLButtonElement).disabled).toBe(true)
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }))
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(document.activeElement).toBe(opener)

    fireEvent.click(within(row('b')).getByRole('button', { name: 'Delete' }))
    dialog = screen.getByRole('dialog')
    expect(dialog.textContent).not.toContain('unmount it first')
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete mount' }))
    await act(async () => {})
    expect(api.lastPayload('mount:delete')).toEqual({ id: 'b' })
    expect(screen.queryByRole('listitem', { name: 'b' })).toBeNull()
  })

  it('the selected mount (back from its log, or pointed at by the tray) comes into view with focus', async () => {
    const api = new MemoryApi({ remotes: [s3Remote], mounts: [mountView('a'), mountView('b')] })
    const store = createAppStore(api, { scheduleFrame: (flush) => flush() })
    await store.getState().init()
    store.getState().openTarget({ mountId: 'b' })
    render(
      <StoreContext.Provider value={store}>
        <MountsView />
      </StoreContext.Provider>,
    )
    expect(document.activeElement).toBe(row('b'))
    expect(row('b').className).toContain('selected')
  })

  it('with no mounts, offers to add a remote and names the local demo', async () => {
    await renderView(new MemoryApi())
    expect(screen.getByText('No mounts yet.')).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Add a remote' })).toBeTruthy()
    expect((screen.getByRole('button', { name: 'Try the local demo' }) as HTMLButtonElement).disabled).toBe(false)
  })
})
