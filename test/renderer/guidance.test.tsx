/**
 * The window tells the truth and guides (issue 12): what is mounted, the current rate, what uploads
 * wait, the rules of the main process in the form, ways out that the errors advise, navigation that
 * does not lose the person, and rows that say each thing once.
 */
import { act, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { App } from '../../renderer/src/components/App.js'
import { LogsView } from '../../renderer/src/components/LogsView.js'
import { MountEditor } from '../../renderer/src/components/MountEditor.js'
import { MountsView } from '../../renderer/src/components/MountsView.js'
import { RemoteEditor } from '../../renderer/src/components/RemoteEditor.js'
import { RemotesView } from '../../renderer/src/components/RemotesView.js'
import { addSample, pendingText, rateAt } from '../../renderer/src/transfer-rate.js'
import { mountFolderConflict } from '../../shared/mount-folders.js'
import { health, MemoryApi, mountView, s3Remote, sshRemote } from './memory-api.js'
import { renderWith } from './render-app.js'

const input = (label: string | RegExp) => screen.getByLabelText(label) as HTMLInputElement
const row = (name: string) => screen.getByRole('listitem', { name })
const fact = (name: string, term: string) => within(row(name)).getByText(term).nextElementSibling?.textContent
const settle = () => act(async () => {})

afterEach(() => vi.useRealTimers())

describe('the row shows what is mounted (point 1)', () => {
  it('while settings wait for the next mount: the running folder, a notice, and Remount now (unmount, then mount)', async () => {
    const api = new MemoryApi({
      remotes: [s3Remote],
      mounts: [mountView('a', { localPath: '/home/me/new-place' })],
      health: { a: health('mounted', { localPath: '/home/me/a', settingsPending: true }) },
    })
    await renderWith(api, <MountsView />)
    // Named by its saved folder; the folder shown is the one mounted.
    expect(fact('new-place', 'Folder')).toBe('/home/me/a')
    expect(within(row('new-place')).getByText(/Saved changes apply at the next mount/)).toBeTruthy()
    fireEvent.click(within(row('new-place')).getByRole('button', { name: 'Remount now' }))
    await settle()
    const order = api.calls.map((c) => c.channel).filter((c) => c === 'mount:unmount' || c === 'mount:mount')
    expect(order).toEqual(['mount:unmount', 'mount:mount'])
    expect(api.lastPayload('mount:unmount')).toEqual({ id: 'a', force: false })
  })

  it('editing a mounted mount says the change applies at the next mount, and Save and remount applies it now', async () => {
    const api = new MemoryApi({ remotes: [s3Remote], mounts: [mountView('a')], health: { a: health('mounted') } })
    await renderWith(api, <App />)
    await act(async () => {
      fireEvent.click(within(row('a')).getByRole('button', { name: 'Edit' }))
    })
    expect(screen.getByText(/This mount is mounted. Saved changes apply at the next mount/)).toBeTruthy()
    fireEvent.click(input('Read-only'))
    fireEvent.click(screen.getByRole('button', { name: 'Save and remount' }))
    await settle()
    const order = api.calls.map((c) => c.channel).filter((c) => c.startsWith('mount:') && c !== 'mount:suggest-folder')
    expect(order).toEqual(['mount:save', 'mount:unmount', 'mount:mount'])
    expect(api.lastPayload('mount:save')).toMatchObject({ id: 'a', options: { readOnly: true } })
  })
})

describe('transfer and pending uploads (points 2, 3)', () => {
  it('the rate comes from successive byte counters, rounded, and falls to idle when nothing moves', () => {
    let samples = addSample([], { bytes: 0, time: 0 })
    samples = addSample(samples, { bytes: 1_200_000, time: 1000 })
    samples = addSample(samples, { bytes: 2_400_000, time: 2000 })
    expect(rateAt(samples, 2000)).toBe(1_200_000)
    expect(rateAt(samples, 5001)).toBe(0)
    // rclone restarted: its counter starts again from 0.
    expect(addSample(samples, { bytes: 10, time: 3000 })).toEqual([{ bytes: 10, time: 3000 }])
  })

  it('the row shows "1.2 MB/s" from the counters (not rclone\'s average speed), then "idle"', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] })
    vi.setSystemTime(1_000_000)
    const tick = (bytes: number) => health('mounted', { transfer: { bytes, speed: 0.3395302181971138, transferring: 1, errors: 0 } })
    const api = new MemoryApi({ remotes: [s3Remote], mounts: [mountView('a')], health: { a: tick(0) } })
    await renderWith(api, <MountsView />)
    expect(fact('a', 'Transfer')).toBe('idle')
    for (const bytes of [1_200_000, 2_400_000]) {
      vi.advanceTimersByTime(1000)
      act(() => api.emit('mount:health', { id: 'a', health: tick(bytes) }))
    }
    expect(fact('a', 'Transfer')).toBe('1.2 MB/s')
    act(() => vi.advanceTimersByTime(4000))
    expect(fact('a', 'Transfer')).toBe('idle')
  })

  it('pending uploads count queued plus uploading, and say when waiting ones start', () => {
    expect(pendingText(2, 1, null)).toBe('3 (1 uploading)')
    expect(pendingText(0, 1, null)).toBe('1 (1 uploading)')
    expect(pendingText(3, 0, 4200)).toBe('3, uploading in 5 s')
    expect(pendingText(0, 0, null)).toBe('0')
  })
})

describe('the form checks what the main process checks (points 5, 6)', () => {
  it('nested folders are refused both ways, a duplicate too, in words', () => {
    const mounts = [{ id: 'a', localPath: '/home/me/a' }]
    expect(mountFolderConflict({ localPath: '/home/me/a/inner' }, mounts)).toMatch(/inside the folder of another mount \(\/home\/me\/a\)/)
    expect(mountFolderConflict({ localPath: '/home/me' }, mounts)).toMatch(/Another mount's folder \(\/home\/me\/a\) is inside/)
    expect(mountFolderConflict({ localPath: '/home/me/a/' }, mounts)).toMatch(/Another mount already uses/)
    expect(mountFolderConflict({ localPath: '/home/me/ab' }, mounts)).toBeNull()
    expect(mountFolderConflict({ id: 'a', localPath: '/home/me/a' }, mounts)).toBeNull()
  })

  it('the mount editor puts the folder rule on Local folder and does not send the save', async () => {
    const api = new MemoryApi({ remotes: [s3Remote], mounts: [mountView('a')] })
    await renderWith(api, <MountEditor mountId={null} />)
    fireEvent.change(input('Bucket and prefix'), { target: { value: 'bucket' } })
    fireEvent.change(input('Local folder'), { target: { value: '/home/me/a/inside' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await settle()
    expect(input('Local folder').getAttribute('aria-invalid')).toBe('true')
    expect(screen.getByText(/is inside the folder of another mount/)).toBeTruthy()
    expect(screen.queryByText(/mounts\.\d+\.localPath/)).toBeNull()
    expect(api.lastPayload('mount:save')).toBeUndefined()
  })

  it('an endpoint with a space in its host is refused on the Endpoint field', async () => {
    await renderWith(new MemoryApi(), <RemoteEditor remoteId={null} type="s3" />)
    fireEvent.change(screen.getByLabelText('Provider'), { target: { value: 'Other' } })
    fireEvent.change(input('Endpoint'), { target: { value: 'http://exa mple.com' } })
    fireEvent.blur(input('Endpoint'))
    expect(input('Endpoint').getAttribute('aria-invalid')).toBe('true')
    expect(screen.getByText('Enter the endpoint as a URL, like https://s3.example.com.')).toBeTruthy()
  })
})

describe('ways out the errors advise (points 7, 8)', () => {
  it('the editor offers mounting over a non-empty folder, with a warning, and saves it', async () => {
    const api = new MemoryApi({ remotes: [s3Remote] })
    await renderWith(api, <MountEditor mountId={null} />)
    fireEvent.change(input('Bucket and prefix'), { target: { value: 'bucket' } })
    fireEvent.change(input('Local folder'), { target: { value: '/home/me/full' } })
    fireEvent.click(input('Allow mounting over a non-empty folder'))
    expect(screen.getByText(/files already in the folder are hidden while it is mounted/)).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await settle()
    expect(api.lastPayload('mount:save')).toMatchObject({ options: { allowNonEmpty: true } })
  })

  it('MOUNTPOINT_BUSY offers to force the unmount', async () => {
    const api = new MemoryApi({ remotes: [s3Remote], mounts: [mountView('a')], health: { a: health('mounted') } })
    await renderWith(api, <MountsView />)
    api.failNext('mount:unmount', { code: 'MOUNTPOINT_BUSY', message: 'Files are open in it: close them, or force the unmount.' })
    fireEvent.click(within(row('a')).getByRole('button', { name: 'Unmount' }))
    await settle()
    fireEvent.click(within(row('a')).getByRole('button', { name: 'Force the unmount' }))
    await settle()
    expect(api.lastPayload('mount:unmount')).toEqual({ id: 'a', force: true })
  })

  it('while an unmount waits for uploads: progress, Unmount now, then the files left in the cache', async () => {
    const api = new MemoryApi({
      remotes: [s3Remote],
      mounts: [mountView('a')],
      health: { a: health('unmounting', { pendingUploads: 3, uploadsInProgress: 1 }) },
    })
    api.handle('mount:unmount', () => ({ pendingFiles: ['notes.txt', 'photo.jpg'] }))
    await renderWith(api, <MountsView />)
    act(() => api.emit('mount:health', { id: 'a', health: health('unmounting', { pendingUploads: 1, uploadsInProgress: 1 }) }))
    expect(within(row('a')).getByText('Waiting for 2 files to upload (2 of 4 done), then unmounting.')).toBeTruthy()
    expect((within(row('a')).getByRole('progressbar') as HTMLProgressElement).value).toBe(2)
    const now = within(row('a')).getByRole('button', { name: 'Unmount now' }) as HTMLButtonElement
    expect(now.disabled).toBe(false)
    fireEvent.click(now)
    await settle()
    expect(api.lastPayload('mount:unmount')).toEqual({ id: 'a', force: true })
    act(() => api.emit('mount:health', { id: 'a', health: health('unmounted') }))
    expect(within(row('a')).getByText(/These files stay in the cache.*notes\.txt, photo\.jpg/)).toBeTruthy()
  })
})

describe('navigation that does not lose the person (points 9, 11)', () => {
  it('after saving a remote from the mount editor, Cancel goes back to the list, not to a blank remote form', async () => {
    const api = new MemoryApi({ remotes: [sshRemote], mounts: [mountView('x', { remoteId: 'nas' })] })
    await renderWith(api, <App />)
    fireEvent.click(screen.getByRole('button', { name: 'Add a mount' }))
    fireEvent.click(screen.getByRole('button', { name: 'Add a remote…' }))
    fireEvent.change(input('Name'), { target: { value: 'Bucket' } })
    fireEvent.change(screen.getByLabelText('Provider'), { target: { value: 'Other' } })
    fireEvent.change(input('Endpoint'), { target: { value: 'http://127.0.0.1:9000' } })
    fireEvent.change(input('Access key ID'), { target: { value: 'AK' } })
    fireEvent.change(input('Secret access key'), { target: { value: 'SK' } })
    fireEvent.change(input('Bucket to check (optional)'), { target: { value: 'photos' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await settle()
    expect(screen.getByRole('heading', { name: 'Add a mount' })).toBeTruthy()
    // The bucket Test connection checked is the mount's remote path.
    expect(input('Bucket and prefix').value).toBe('photos')
    expect((screen.getByLabelText('Remote') as HTMLSelectElement).value).toBe('new-remote')
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }))
    expect(screen.getByRole('heading', { name: 'Mounts' })).toBeTruthy()
  })

  it('the sidebar and Escape ask before throwing away typed changes; Escape leaves a clean editor at once', async () => {
    const api = new MemoryApi({ remotes: [s3Remote], mounts: [mountView('a')] })
    await renderWith(api, <App />)
    fireEvent.click(screen.getByRole('button', { name: 'Add a mount' }))
    fireEvent.keyDown(input('Local folder'), { key: 'Escape' })
    expect(screen.getByRole('heading', { name: 'Mounts' })).toBeTruthy()

    fireEvent.click(screen.getByRole('button', { name: 'Add a mount' }))
    fireEvent.change(input('Local folder'), { target: { value: '/home/me/typed' } })
    fireEvent.click(screen.getByRole('button', { name: 'Remotes' }))
    const dialog = screen.getByRole('dialog', { name: 'Discard your changes?' })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep editing' }))
    expect(input('Local folder').value).toBe('/home/me/typed')

    fireEvent.keyDown(input('Local folder'), { key: 'Escape' })
    fireEvent.click(within(screen.getByRole('dialog', { name: 'Discard your changes?' })).getByRole('button', { name: 'Discard changes' }))
    expect(screen.getByRole('heading', { name: 'Mounts' })).toBeTruthy()
  })
})

describe('Mount and Unmount keep the focus (point 10)', () => {
  it('focus dropped to <body> while the button waited comes back to the row', async () => {
    const api = new MemoryApi({ remotes: [s3Remote], mounts: [mountView('a')], health: { a: health('unmounted') } })
    await renderWith(api, <MountsView />)
    const mount = within(row('a')).getByRole('button', { name: 'Mount' }) as HTMLButtonElement
    mount.focus()
    fireEvent.click(mount)
    // Waiting, it stays focusable (a disabled one would drop the focus to <body> in Chromium) and ignores clicks.
    expect(mount.disabled).toBe(false)
    expect(mount.getAttribute('aria-disabled')).toBe('true')
    fireEvent.click(mount)
    expect(api.calls.filter((c) => c.channel === 'mount:mount')).toHaveLength(1)
    await settle()
    expect(document.activeElement).toBe(within(row('a')).getByRole('button', { name: 'Unmount' }))
    // Focus dropped to <body> anyway (jsdom cannot disable a focused button the way Chromium does): it comes back.
    const unmount = document.activeElement as HTMLButtonElement
    fireEvent.click(unmount)
    unmount.blur()
    expect(document.activeElement).toBe(document.body)
    await settle()
    expect(document.activeElement).toBe(unmount)
  })
})

describe('the log (point 13)', () => {
  it('"Everything" shows the debug lines that "Info and above" hides', async () => {
    const api = new MemoryApi({ remotes: [s3Remote], mounts: [mountView('a')] })
    api.logs.a = [
      { time: 1, level: 'debug', message: 'Using --user rmount --pass XXXX' },
      { time: 2, level: 'notice', object: 'RMount', message: 'restarting: rclone stopped unexpectedly (killed).' },
    ]
    await renderWith(api, <LogsView mountId="a" />)
    await settle()
    const log = screen.getByRole('log')
    expect(log.textContent).toContain('RMount: restarting: rclone stopped unexpectedly (killed).')
    expect(log.textContent).not.toContain('Using --user')
    fireEvent.change(screen.getByLabelText('Show'), { target: { value: 'debug' } })
    expect(log.textContent).toContain('Using --user')
  })
})

describe('missing pieces (point 15)', () => {
  it('Save and mount saves, then mounts the new mount', async () => {
    const api = new MemoryApi({ remotes: [s3Remote] })
    await renderWith(api, <App />)
    fireEvent.click(screen.getByRole('button', { name: 'Add a mount' }))
    fireEvent.change(input('Bucket and prefix'), { target: { value: 'bucket' } })
    fireEvent.change(input('Local folder'), { target: { value: '/home/me/b' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save and mount' }))
    await settle()
    expect(api.lastPayload('mount:mount')).toEqual({ id: 'new-mount' })
    expect(screen.getByRole('heading', { name: 'Mounts' })).toBeTruthy()
  })

  it('Mount all and Unmount all act on every mount that needs it', async () => {
    const api = new MemoryApi({
      remotes: [s3Remote],
      mounts: [mountView('a'), mountView('b'), mountView('c')],
      health: { a: health('mounted'), b: health('unmounted'), c: health('failed') },
    })
    await renderWith(api, <MountsView />)
    fireEvent.click(screen.getByRole('button', { name: 'Mount all' }))
    await settle()
    expect(api.calls.filter((c) => c.channel === 'mount:mount').map((c) => c.payload)).toEqual([{ id: 'b' }, { id: 'c' }])
    fireEvent.click(screen.getByRole('button', { name: 'Unmount all' }))
    await settle()
    expect(api.calls.filter((c) => c.channel === 'mount:unmount').map((c) => (c.payload as { id: string }).id)).toEqual(['a', 'b', 'c'])
  })

  it('a new mount suggests ~/RMount/<name> and uses it when the folder is left empty', async () => {
    const api = new MemoryApi({ remotes: [s3Remote] })
    api.handle('mount:suggest-folder', ({ name }) => `/home/me/RMount/${name}`)
    await renderWith(api, <MountEditor mountId={null} />)
    fireEvent.change(input('Bucket and prefix'), { target: { value: 'bucket/holiday' } })
    await settle()
    expect(input('Local folder').placeholder).toBe('/home/me/RMount/holiday')
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await settle()
    expect(api.lastPayload('mount:save')).toMatchObject({ localPath: '/home/me/RMount/holiday' })
  })

  it('tests the bucket and lists folders to pick from, the saved secrets kept in the main process', async () => {
    const api = new MemoryApi({ remotes: [s3Remote] })
    api.handle('remote:list', ({ remotePath }) => ({ entries: remotePath ? ['2024/', '2025/'] : ['bucket/', 'other/'], truncated: false }))
    await renderWith(api, <MountEditor mountId={null} />)
    fireEvent.click(screen.getByRole('button', { name: 'List buckets' }))
    await settle()
    expect(api.lastPayload('remote:list')).toMatchObject({ id: 'photos', remotePath: '', remote: { secretAccessKey: { keep: true } } })
    fireEvent.click(screen.getByRole('button', { name: 'bucket/' }))
    await settle()
    expect(input('Bucket and prefix').value).toBe('bucket')
    fireEvent.click(screen.getByRole('button', { name: '2025/' }))
    await settle()
    expect(input('Bucket and prefix').value).toBe('bucket/2025')
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }))
    await settle()
    expect(api.lastPayload('remote:test')).toMatchObject({ id: 'photos', remotePath: 'bucket/2025' })
    expect(screen.getByText('Connected in 42 ms: bucket/2025 exists.')).toBeTruthy()
  })
})

describe('the confusing bits', () => {
  it('a failed row says its sentence once, offers Retry and Edit but not Unmount', async () => {
    const sentence = 'The remote refused the credentials: check the access key ID and the secret.'
    const api = new MemoryApi({
      remotes: [s3Remote],
      mounts: [mountView('a')],
      health: {
        a: health('failed', { reason: sentence, lastError: { code: 'AUTH_FAILED', message: sentence }, lastErrorAt: Date.now() - 5000 }),
      },
    })
    api.failNext('mount:retry', { code: 'AUTH_FAILED', message: sentence })
    await renderWith(api, <MountsView />)
    fireEvent.click(within(row('a')).getByRole('button', { name: 'Retry' }))
    await settle()
    expect(row('a').textContent!.split(sentence).length - 1).toBe(1)
    expect(within(row('a')).queryByRole('button', { name: 'Unmount' })).toBeNull()
    expect(within(row('a')).getByRole('button', { name: 'Edit' })).toBeTruthy()
  })

  it('the last error has its time and a Dismiss', async () => {
    const api = new MemoryApi({
      remotes: [s3Remote],
      mounts: [mountView('a')],
      health: {
        a: health('mounted', {
          lastError: { code: 'RCLONE_EXITED', message: 'rclone stopped unexpectedly (killed).' },
          lastErrorAt: Date.now() - 42_000,
        }),
      },
    })
    await renderWith(api, <MountsView />)
    expect(row('a').textContent).toContain('Last error (42 s ago): rclone stopped unexpectedly (killed).')
    fireEvent.click(within(row('a')).getByRole('button', { name: 'Dismiss the last error' }))
    expect(within(row('a')).queryByText(/Last error/)).toBeNull()
  })

  it('"for 38 s", and an empty remote path in words', async () => {
    const api = new MemoryApi({
      remotes: [sshRemote],
      mounts: [mountView('a', { remoteId: 'nas', remotePath: '' })],
      health: { a: health('mounted', { stateSince: Date.now() - 38_000, localPath: '/home/me/a' }) },
    })
    await renderWith(api, <MountsView />)
    expect(within(row('a')).getByText('38 s').parentElement?.textContent).toBe('for 38 s')
    expect(fact('a', 'Remote')).toBe('Home NAS (home folder)')
  })

  it('the delete-remote dialog names the mounts that use it', async () => {
    const api = new MemoryApi({ remotes: [s3Remote], mounts: [mountView('a'), mountView('b')] })
    await renderWith(api, <RemotesView />)
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }))
    const dialog = screen.getByRole('dialog', { name: 'Delete the remote “Photos”?' })
    expect(within(dialog).getByText('/home/me/a')).toBeTruthy()
    expect(within(dialog).getByText('/home/me/b')).toBeTruthy()
  })
})
