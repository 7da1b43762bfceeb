/** `rmount demo`: a complete round trip with nothing but this machine: share a folder, mount it, use it, watch it. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startDemoShare, RemoteMount } from '../engine/index.js'
import { print, printError, reportState } from './output.js'
import { stopSignals } from './stop-signals.js'
import { unmountAll, unmountExitCode } from './up-command.js'
import { exitCodes } from './usage.js'

/** Runs `rmount demo`; resolves with the exit code. */
export async function demo(args: string[]): Promise<number> {
  parseArgs({ args, options: {} })
  const dir = await mkdtemp(join(tmpdir(), 'rmount-demo-'))
  const mountPoint = join(dir, 'mnt')
  try {
    const demoShare = await startDemoShare(dir)
    await using server = demoShare.server
    print(`Sharing ${demoShare.sharedPath} on sftp://${server.host}:${server.port} (host key ${server.hostKeyFingerprint})`)
    const mount = new RemoteMount(demoShare.remote, '', mountPoint, { stateDir: join(dir, 'state') })
    const mounts = new Map([['demo', mount]])
    const signals = stopSignals()
    mount.on('state', (_state, health) => reportState('demo', health))
    await mount.mount()

    const note = join(mountPoint, 'hello-from-rmount.txt')
    const text = `Written through the mount at ${new Date().toISOString()}\n`
    await writeFile(note, text)
    print(`Wrote ${note}; read back: ${JSON.stringify(await readFile(note, 'utf8'))}`)
    print(`The mount is at ${mountPoint}. Press Ctrl-C to unmount.`)
    const ticker = setInterval(() => {
      const h = mount.health()
      print(
        `health: ${h.state}, rclone pid ${h.pid}, ${h.pendingUploads + h.uploadsInProgress} pending upload(s), ${h.restarts} restart(s), last probe ${h.lastProbeOk ? `${Date.now() - h.lastProbeOk} ms ago` : 'none yet'}`,
      )
    }, 5000)
    const code = unmountExitCode(await unmountAll(mounts, signals))
    clearInterval(ticker)
    const onServer = await readFile(join(demoShare.sharedPath, 'hello-from-rmount.txt'), 'utf8').catch(() => null)
    if (onServer === text) print('The file written through the mount is in the shared folder, byte for byte.')
    else printError('The file written through the mount did NOT reach the shared folder.')
    return code || (onServer === text ? exitCodes.ok : exitCodes.failed)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
