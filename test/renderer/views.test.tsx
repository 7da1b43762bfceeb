/** The mount editor, the logs view, settings and the window around them. */
import { act, fireEvent, screen, within } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { App } from '../../renderer/src/components/App.js'
import { LogsView } from '../../renderer/src/components/LogsView.js'
import { MountEditor } from '../../renderer/src/components/MountEditor.js'
import { SettingsView } from '../../renderer/src/components/SettingsView.js'
import { health, MemoryApi, mountView, s3Remote, sshRemote } from './memory-api.js'
import { renderWith } from './render-app.js'

const input = (label: string | RegExp) => screen.getByLabelText(label) as HTMLInputElement

describe('MountEditor', () => {
  it('picks the folder through the dialog, and saves the mount with its options', async () => {
    const api = new MemoryApi({ remotes: [s3Remote, sshRemote] })
    api.handle('dialog:pick-folder', () => '/home/me/photos')
    await renderWith(api, <MountEditor mountId={null} />)
    expect((screen.getByLabelText('Remote') as HTMLSelectElement).value).toBe('photos')
    fireEvent.change(input('Bucket and prefix'), { target: { value: 'bucket/photos' } })
    fireEvent.click(screen.getByRole('button', { name: 'Browse…' }))
    await act(async () => {})
    expect(api.lastPayload('dialog:pick-folder')).toEqual({ title: 'Choose the folder to mount into' })
    expect(input('Local folder').value).toBe('/home/me/photos')
    fireEvent.click(input('Read-only'))
    fireEvent.change(screen.getByLabelText('Cache'), { target: { value: 'full' } })
    fireEvent.click(input('Mount when RMount starts'))
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await act(async () => {})
    expect(api.lastPayload('mount:save')).toEqual({
      remoteId: 'photos',
      remotePath: 'bucket/photos',
      localPath: '/home/me/photos',
      mountAtStart: true,
      options: { readOnly: true, cacheMode: 'full' },
    })
  })

  it('sets how often to look for changes on the remote, refuses 0, and shows the saved value when editing', async () => {
    const api = new MemoryApi({
      remotes: [sshRemote],
      mounts: [mountView('nas', { remoteId: 'nas', options: { changeCheckSeconds: 60 } })],
    })
    await renderWith(api, <MountEditor mountId="nas" />)
    const field = input(/Look for changes on the remote every/)
    expect(field.value).toBe('60')
    fireEvent.change(field, { target: { value: '0' } })
    fireEvent.blur(field)
    expect(screen.getByText('Use 1 s or more.')).toBeTruthy()
    fireEvent.change(field, { target: { value: '30' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await act(async () => {})
    expect(api.lastPayload('mount:save')).toMatchObject({ id: 'nas', options: { changeCheckSeconds: 30 } })
    // Emptied, the mount goes back to the default rather than keeping the old value.
    fireEvent.change(field, { target: { value: '' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await act(async () => {})
    expect(api.lastPayload('mount:save')?.options).not.toHaveProperty('changeCheckSeconds')
  })

  it('says what is wrong with the folder, and keeps options it does not show when editing', async () => {
    const api = new MemoryApi({ remotes: [sshRemote], mounts: [mountView('nas', { remoteId: 'nas', options: { probeIntervalMs: 5000 } })] })
    await renderWith(api, <MountEditor mountId="nas" />)
    expect(input('Folder on the server').value).toBe('bucket/nas')
    fireEvent.change(input('Local folder'), { target: { value: 'relative/dir' } })
    fireEvent.blur(input('Local folder'))
    expect(screen.getByText('Choose a full folder path, like /home/me/bucket.')).toBeTruthy()
    fireEvent.change(input('Local folder'), { target: { value: '/mnt/nas' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await act(async () => {})
    expect(api.lastPayload('mount:save')).toMatchObject({
      id: 'nas',
      localPath: '/mnt/nas',
      options: { probeIntervalMs: 5000, cacheMode: 'writes' },
    })
  })
})

describe('LogsView', () => {
  it('tails live lines, filters by level, copies lines and diagnostics', async () => {
    const writeText = vi.fn(() => Promise.resolve())
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    const api = new MemoryApi({ remotes: [s3Remote], mounts: [mountView('a')], health: { a: health('mounted') } })
    api.logs.a = [
      { time: 1000, level: 'debug', message: 'noise' },
      { time: 2000, level: 'info', message: 'vfs cache: cleaned' },
    ]
    await renderWith(api, <LogsView mountId="a" />)
    await act(async () => {})
    const log = screen.getByRole('log', { name: 'Log of a' })
    expect(within(log).getByText('vfs cache: cleaned')).toBeTruthy()
    expect(within(log).queryByText('noise')).toBeNull()
    act(() => api.emit('mount:log', { id: 'a', line: { time: 3000, level: 'error', message: 'upload failed', object: 'x.txt' } }))
    expect(within(log).getByText('upload failed')).toBeTruthy()

    fireEvent.change(screen.getByLabelText('Show'), { target: { value: 'error' } })
    expect(within(log).queryByText('vfs cache: cleaned')).toBeNull()
    fireEvent.click(screen.getByRole('button', { name: 'Copy lines' }))
    await act(async () => {})
    expect(writeText).toHaveBeenLastCalledWith('1970-01-01T00:00:03.000Z ERROR x.txt: upload failed')
    expect(screen.getByText('Copied one line.')).toBeTruthy()

    fireEvent.click(screen.getByRole('button', { name: 'Copy diagnostics' }))
    await act(async () => {})
    expect(api.lastPayload('mount:diagnostics')).toEqual({ id: 'a' })
    expect(writeText).toHaveBeenLastCalledWith('diagnostics of a')
  })
})

describe('SettingsView', () => {
  it('shows rclone, the system check with fixes, and asks before keeping secrets without a keyring', async () => {
    const api = new MemoryApi({ secretStorage: { encrypted: false, backend: 'basic_text' } })
    await renderWith(api, <SettingsView />)
    await act(async () => {})
    expect(screen.getByText('Found rclone v1.60.1 at /usr/bin/rclone.')).toBeTruthy()
    expect(screen.getByText('Fix: Install the fuse3 package.')).toBeTruthy()
    expect(screen.getByText('fusermount3: needs attention')).toBeTruthy()
    expect(screen.getByText(/No system keyring was found \(basic_text\)/)).toBeTruthy()
    expect(input(/Do not store secrets/).checked).toBe(true)
    fireEvent.click(input('Store secrets unencrypted on this computer'))
    await act(async () => {})
    expect(api.lastPayload('settings:set')).toEqual({ allowPlaintextSecrets: true })
    expect(input('Store secrets unencrypted on this computer').checked).toBe(true)

    fireEvent.click(input('Start RMount when I log in'))
    await act(async () => {})
    expect(api.lastPayload('settings:set')).toEqual({ startOnLogin: true })
  })
})

describe('App', () => {
  it('follows the theme setting, navigates by buttons, and shows the store notice', async () => {
    const api = new MemoryApi({ storeNotice: 'The config file was damaged; it was moved to config.json.bad.' })
    await renderWith(api, <App />)
    expect(document.documentElement.dataset.theme).toBe('system')
    expect(screen.getByText(/moved to config.json.bad/)).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }))
    expect(screen.getByRole('button', { name: 'Settings' }).getAttribute('aria-current')).toBe('page')
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Settings' }))
    fireEvent.change(screen.getByLabelText('Theme'), { target: { value: 'dark' } })
    await act(async () => {})
    expect(document.documentElement.dataset.theme).toBe('dark')
  })

  it('after adding a remote, goes on to add a mount of it', async () => {
    const api = new MemoryApi()
    await renderWith(api, <App />)
    fireEvent.click(screen.getByRole('button', { name: 'Add a remote' }))
    fireEvent.change(input('Name'), { target: { value: 'Bucket' } })
    fireEvent.change(screen.getByLabelText('Provider'), { target: { value: 'Other' } })
    fireEvent.change(input('Endpoint'), { target: { value: 'http://127.0.0.1:9000' } })
    fireEvent.change(input('Access key ID'), { target: { value: 'AK' } })
    fireEvent.change(input('Secret access key'), { target: { value: 'SK' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await act(async () => {})
    expect(api.lastPayload('remote:save')).toEqual({
      name: 'Bucket',
      remote: { type: 's3', provider: 'Other', endpoint: 'http://127.0.0.1:9000', accessKeyId: 'AK', secretAccessKey: 'SK' },
    })
    expect(screen.getByRole('heading', { name: 'Add a mount' })).toBeTruthy()
  })
})
