/**
 * The desktop shell's decisions over a real AppCore (real store, real cipher, real rclone mounts of a
 * real s3rver), with recording ports in place of Electron's tray, window and notifications: the tray
 * follows the mounts, failures and recoveries notify, start on login follows the setting, network
 * changes re-probe, and Quit drains then exits.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import type { NetworkInterfaceInfo } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { AppCore } from '../../electron/app/app-core.js'
import type { ShellServices } from '../../electron/app/contracts.js'
import { startDesktopShell, type DesktopShell, type ShellNotification, type ShellPorts } from '../../electron/app/desktop-shell.js'
import { createGtkBookmarks } from '../../electron/app/gtk-bookmarks-file.js'
import { FileConfigRepository } from '../../electron/app/store/config-repository.js'
import { createAesFileCipher } from '../app/aes-file-cipher.js'
import type { TrayModel } from '../../electron/app/tray-menu.js'
import type { WindowTarget } from '../../shared/window-link.js'
import { cleanUpMounts, eventually, isMounted } from '../mount-helpers.js'
import { startS3, stopAllServers, tempDir, type S3Server } from '../servers/index.js'

const bucket = 'bucket'
let s3: S3Server
let previousStateHome: string | undefined
const shells: DesktopShell[] = []
const cores: AppCore[] = []
const mountPoints = new Set<string>()

beforeAll(async () => {
  previousStateHome = process.env.XDG_STATE_HOME
  process.env.XDG_STATE_HOME = await tempDir('rmount-shell-state-')
  s3 = await startS3({ buckets: [bucket] })
})

afterEach(async () => {
  for (const shell of shells.splice(0)) shell.dispose()
  for (const core of cores.splice(0)) {
    await core.quitAll().catch(() => undefined)
    await core.quitAll().catch(() => undefined)
  }
  await cleanUpMounts([], mountPoints)
})

afterAll(async () => {
  if (previousStateHome === undefined) delete process.env.XDG_STATE_HOME
  else process.env.XDG_STATE_HOME = previousStateHome
  await stopAllServers()
})

/** Ports that record what the shell asks of Electron. */
function recordingPorts(osAutostart = false) {
  const trays: TrayModel[] = []
  const shown: Array<WindowTarget | undefined> = []
  const notes: ShellNotification[] = []
  const autostart = { enabled: osAutostart, writes: [] as boolean[] }
  let exits = 0
  const ports: ShellPorts = {
    tray: { render: (model) => trays.push(model) },
    window: { show: (target) => shown.push(target) },
    notify: (note) => notes.push(note),
    autostart: {
      isEnabled: async () => autostart.enabled,
      setEnabled: async (enabled) => {
        autostart.enabled = enabled
        autostart.writes.push(enabled)
      },
    },
    exit: () => exits++,
    log: () => undefined,
  }
  return { ports, trays, shown, notes, autostart, exits: () => exits, tray: () => trays.at(-1)! }
}

const noShell: ShellServices = {
  pickFolder: async () => null,
  pickFile: async () => null,
  pickSavePath: async () => null,
  openPath: async () => undefined,
}

async function openCore(): Promise<AppCore> {
  const dir = await tempDir('rmount-shell-core-')
  const core = await AppCore.open({
    repository: new FileConfigRepository({ cwd: dir }),
    cipher: await createAesFileCipher(join(dir, 'key')),
    shell: noShell,
    appVersion: '0.0.0-test',
    quitProgressIntervalMs: 100,
  })
  cores.push(core)
  return core
}

/** One S3 remote and one mount of it; `accessKeyId` lets a test make it fail (s3rver checks only the key id). */
async function addMount(core: AppCore, folder: string, accessKeyId = s3.accessKeyId) {
  const remote = await core.saveRemote({
    name: 'Test S3',
    remote: { type: 's3', provider: 'Minio', endpoint: s3.endpoint, accessKeyId, secretAccessKey: s3.secretAccessKey },
  })
  const localPath = join(await tempDir('rmount-shell-mnt-'), folder)
  mountPoints.add(localPath)
  const mount = await core.saveMount({
    remoteId: remote.id,
    remotePath: `${bucket}/${folder}`,
    localPath,
    mountAtStart: false,
    options: { writeBackMs: 2000 },
  })
  return { remote, mount }
}

const interfaces = (address: string): NodeJS.Dict<NetworkInterfaceInfo[]> => ({
  eth0: [{ address, netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:01', internal: false, cidr: `${address}/24` }],
})

function start(
  core: AppCore,
  recorder: ReturnType<typeof recordingPorts>,
  opts: { hidden?: boolean; read?: () => NodeJS.Dict<NetworkInterfaceInfo[]> } = {},
) {
  const shell = startDesktopShell(core, recorder.ports, {
    hidden: opts.hidden ?? false,
    readInterfaces: opts.read ?? (() => interfaces('192.168.1.2')),
    reprobeDebounceMs: 50,
    networkPollMs: 50,
  })
  shells.push(shell)
  return shell
}

const labels = (model: TrayModel) => model.items.map((item) => item.label).filter(Boolean)

describe('desktop shell over a real AppCore', () => {
  it('shows the window unless started hidden, and renders the tray at once', async () => {
    const core = await openCore()
    const visible = recordingPorts()
    await start(core, visible).started
    expect(visible.shown).toEqual([undefined])
    expect(visible.tray()).toMatchObject({ icon: 'idle', tooltip: 'RMount: no mounts yet' })

    const hidden = recordingPorts()
    await start(core, hidden, { hidden: true }).started
    expect(hidden.shown).toEqual([])
    expect(hidden.trays).toHaveLength(1)
  })

  it('start on login: the setting follows a change made outside RMount, and the tray toggles both', async () => {
    const core = await openCore()
    // Turned on in the desktop's own startup settings while RMount was not running.
    const recorder = recordingPorts(true)
    const shell = start(core, recorder)
    await shell.started
    expect(core.snapshot().settings.startOnLogin).toBe(true)
    // The adopted setting goes through the usual path, which writes the entry afresh.
    expect(await eventually(() => recorder.autostart.writes.length === 1)).toBe(true)
    expect(recorder.autostart.writes).toEqual([true])

    shell.runTrayAction({ type: 'set-start-on-login', enabled: false })
    expect(await eventually(() => recorder.autostart.writes.length === 2)).toBe(true)
    expect(recorder.autostart).toMatchObject({ enabled: false, writes: [true, false] })
    expect(core.snapshot().settings.startOnLogin).toBe(false)
    expect(recorder.tray().items.find((item) => item.label === 'Start on login')).toMatchObject({ checked: false })
  })

  it('start on login: when both say on, the entry is written again at start (the app may have moved)', async () => {
    const core = await openCore()
    await core.setSettings({ startOnLogin: true })
    const recorder = recordingPorts(true)
    await start(core, recorder).started
    expect(recorder.autostart.writes).toEqual([true])
  })

  it('a failing mount turns the tray red and notifies once; fixed and retried, it notifies that it is back', async () => {
    const core = await openCore()
    const { remote, mount } = await addMount(core, 'photos', 'WRONG-KEY')
    const recorder = recordingPorts()
    const shell = start(core, recorder, { hidden: true })
    await shell.started
    expect(labels(recorder.tray())[0]).toBe('photos: not mounted')

    shell.runTrayAction({ type: 'mount', id: mount.id })
    expect(await eventually(() => recorder.tray().icon === 'error', 30_000)).toBe(true)
    const failed = recorder.notes.filter((n) => n.title === 'photos failed')
    expect(failed).toHaveLength(1)
    expect(failed[0]).toMatchObject({ mountId: mount.id })
    expect(failed[0]!.body).toMatch(/key|auth|credential|denied/i)
    const entry = recorder.tray().items[0]!
    expect(entry.submenu!.map((item) => item.label)).toContain('Retry')

    await core.saveRemote({
      id: remote.id,
      name: remote.name,
      remote: { type: 's3', provider: 'Minio', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: { keep: true } },
    })
    shell.runTrayAction({ type: 'retry', id: mount.id })
    expect(await eventually(() => recorder.tray().icon === 'ok', 30_000)).toBe(true)
    expect(recorder.notes.map((n) => n.title)).toEqual(['photos failed', 'photos is back'])
    expect(labels(recorder.tray())[0]).toBe('photos: mounted')
  })

  it('Show logs opens the window on that mount; Open RMount opens it plain', async () => {
    const core = await openCore()
    const { mount } = await addMount(core, 'docs')
    const recorder = recordingPorts()
    const shell = start(core, recorder, { hidden: true })
    shell.runTrayAction({ type: 'show-logs', id: mount.id })
    shell.runTrayAction({ type: 'open-window' })
    expect(recorder.shown).toEqual([{ mountId: mount.id, view: 'logs' }, undefined])
  })

  it("Refresh in the tray asks the core to show that mount's remote changes now", async () => {
    const core = await openCore()
    const { mount } = await addMount(core, 'shared')
    const refresh = vi.spyOn(core, 'refresh')
    const recorder = recordingPorts()
    const shell = start(core, recorder, { hidden: true })
    shell.runTrayAction({ type: 'refresh', id: mount.id })
    expect(refresh).toHaveBeenCalledWith(mount.id)
    await refresh.mock.results[0]!.value
    expect(recorder.notes).toEqual([])
  })

  it('a network change re-probes every mount, once per change', async () => {
    const core = await openCore()
    const probe = vi.spyOn(core, 'probeAll')
    let address = '192.168.1.2'
    const shell = start(core, recordingPorts(), { hidden: true, read: () => interfaces(address) })
    await shell.started
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(probe).not.toHaveBeenCalled()
    address = '10.0.0.5'
    expect(await eventually(() => probe.mock.calls.length === 1, 2000)).toBe(true)
    shell.onResume()
    shell.onUnlock()
    expect(await eventually(() => probe.mock.calls.length === 2, 2000)).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(probe).toHaveBeenCalledTimes(2)
  })

  it('Quit from the tray waits for the uploads, shows progress in the tray, and exits with every file on the server', async () => {
    const core = await openCore()
    const { mount } = await addMount(core, 'quit')
    const recorder = recordingPorts()
    const shell = start(core, recorder, { hidden: true })
    await shell.started
    await core.mount(mount.id)
    expect(await eventually(() => recorder.tray().icon === 'ok', 5000)).toBe(true)
    const bytes = Buffer.alloc(500_000, 7)
    await writeFile(join(mount.localPath, 'report.bin'), bytes)

    shell.runTrayAction({ type: 'quit' })
    expect(labels(recorder.tray())).toEqual([recorder.tray().items[0]!.label, 'Open RMount', 'Quit now'])
    // While quitting, nothing may be mounted again.
    const mountSpy = vi.spyOn(core, 'mount')
    shell.runTrayAction({ type: 'mount-all' })
    shell.runTrayAction({ type: 'mount', id: mount.id })
    expect(mountSpy).not.toHaveBeenCalled()
    expect(shell.windowMayClose()).toBe(false)

    expect(await eventually(() => recorder.exits() === 1, 45_000)).toBe(true)
    expect(shell.windowMayClose()).toBe(true)
    expect(recorder.trays.some((model) => /Waiting for 1 file to upload/.test(model.tooltip))).toBe(true)
    expect((await s3.readObject(bucket, 'quit/report.bin'))?.equals(bytes)).toBe(true)
    expect(isMounted(mount.localPath)).toBe(false)
    // Everything reached the remote: no notification about files left behind.
    expect(recorder.notes).toEqual([])
  })

  it("file manager sidebar: a mounted folder is bookmarked under the mount's name, gone on unmount, with the setting off, and on quit; a crash's leftover goes at start", async () => {
    const core = await openCore()
    const { mount } = await addMount(core, 'sidebar')
    const named = await core.saveMount({ ...mount, name: 'Team files' })
    const dir = await tempDir('rmount-shell-gtk-')
    const file = join(dir, 'gtk-3.0', 'bookmarks')
    const ledgerFile = join(dir, 'ledger.json')
    const theirs = 'file:///home/me/Music\r\nfile:///home/me/Music\nno newline at the end'
    await mkdir(join(dir, 'gtk-3.0'))
    // A crashed run's line, listed in its ledger, sits in the file before the shell starts.
    const leftover = 'file:///gone/folder Old mount'
    await writeFile(file, `${theirs}\n${leftover}`)
    await writeFile(ledgerFile, JSON.stringify([leftover]))
    const recorder = recordingPorts()
    recorder.ports.bookmarks = createGtkBookmarks({ file, ledgerFile })
    const shell = start(core, recorder, { hidden: true })
    await shell.started
    const ours = `file://${named.localPath.split('/').map(encodeURIComponent).join('/')} Team files`
    const content = () => readFile(file, 'utf8')
    expect(await eventually(async () => (await content()) === theirs, 5000)).toBe(true)

    await core.mount(mount.id)
    expect(await eventually(async () => (await content()) === `${theirs}\n${ours}`, 5000)).toBe(true)
    await core.unmount(mount.id, { force: false })
    expect(await eventually(async () => (await content()) === theirs, 5000)).toBe(true)

    await core.setSettings({ fileManagerBookmarks: false })
    await core.mount(mount.id)
    expect(await eventually(() => recorder.tray().icon === 'ok', 5000)).toBe(true)
    expect(await content()).toBe(theirs)
    await core.setSettings({ fileManagerBookmarks: true })
    expect(await eventually(async () => (await content()) === `${theirs}\n${ours}`, 5000)).toBe(true)

    shell.runTrayAction({ type: 'quit' })
    expect(await eventually(() => recorder.exits() === 1, 45_000)).toBe(true)
    expect(await content()).toBe(theirs)
  })
})
