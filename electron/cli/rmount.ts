#!/usr/bin/env node
/** `rmount`: the engine on a headless machine. check, up, serve, demo. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { RmountError } from '../../shared/errors.js'
import type { MountHealth } from '../../shared/mount-state.js'
import { loadConfigFile, mountsFromConfig } from '../engine/config-file.js'
import { startDemoShare } from '../engine/demo-share.js'
import { RemoteMount } from '../engine/remote-mount.js'
import { RemoteServer } from '../engine/remote-server.js'
import { checkSystem } from '../engine/system-check.js'
import { watchKeys } from './keys.js'

const usage = `rmount: keep remote storage mounted as local folders.

Usage:
  rmount check [--rclone PATH]                 report what this machine has and lacks; exit 1 when something is missing
  rmount up --config FILE                      mount everything in FILE, supervise until Ctrl-C, then unmount gracefully;
                                               in a terminal, r shows changes made on the remote now
  rmount serve DIR --public-key FILE [--port N] [--host ADDR] [--read-only]
                                               share DIR over SFTP to the holders of the keys in FILE
  rmount demo                                  share a demo folder on 127.0.0.1, mount it, and show its health

Ctrl-C once unmounts after pending uploads are on the remote; twice unmounts at once (pending files stay in the cache
and upload at the next mount).`

const print = (line: string) => process.stdout.write(`${line}\n`)

function describeHealth(name: string, health: MountHealth): string {
  const pending = health.pendingUploads + health.uploadsInProgress
  return `[${name}] ${health.state}: ${health.reason}${pending ? ` (${pending} upload(s) pending)` : ''}`
}

/** The first SIGINT/SIGTERM asks for a graceful stop, the second for a forced one. */
function stopSignals(): { graceful: Promise<void>; forced: Promise<void> } {
  let count = 0
  let gracefulDone: () => void = () => undefined
  let forcedDone: () => void = () => undefined
  const graceful = new Promise<void>((resolve) => (gracefulDone = resolve))
  const forced = new Promise<void>((resolve) => (forcedDone = resolve))
  const handler = () => {
    count += 1
    if (count === 1) gracefulDone()
    else forcedDone()
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return { graceful, forced }
}

/** Once asked to stop, unmounts all, waiting for uploads until a second signal forces it. Returns the number that failed. */
async function unmountAll(mounts: Map<string, RemoteMount>, signals: ReturnType<typeof stopSignals>): Promise<number> {
  await signals.graceful
  print('Unmounting after pending uploads; press Ctrl-C again to unmount at once.')
  let failures = 0
  await Promise.all(
    [...mounts].map(async ([name, mount]) => {
      try {
        const graceful = mount.unmount({ timeoutMs: 24 * 3600_000 })
        const result = await Promise.race([graceful, signals.forced.then(() => mount.unmount({ force: true }))])
        if (result.pendingFiles.length)
          print(
            `[${name}] ${result.pendingFiles.length} file(s) stay in the cache and upload at the next mount: ${result.pendingFiles.join(', ')}`,
          )
      } catch (error) {
        failures += 1
        print(`[${name}] unmount failed: ${errorText(error)}`)
      }
    }),
  )
  return failures
}

function errorText(error: unknown): string {
  if (error instanceof RmountError)
    return `${error.code}: ${error.message}${error.logTail.length ? `\n  rclone log:\n    ${error.logTail.join('\n    ')}` : ''}`
  return error instanceof Error ? error.message : String(error)
}

async function check(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { rclone: { type: 'string' } } })
  const report = await checkSystem({ rclonePath: values.rclone })
  for (const item of report.items)
    print(`${item.ok ? 'ok     ' : 'MISSING'} ${item.name}: ${item.detail}${item.fix ? `\n        fix: ${item.fix}` : ''}`)
  return report.ok ? 0 : 1
}

async function supervise(mounts: Map<string, RemoteMount>): Promise<number> {
  const signals = stopSignals()
  for (const [name, mount] of mounts) mount.on('state', (_state, health) => print(describeHealth(name, health)))
  const results = await Promise.allSettled([...mounts].map(([, mount]) => mount.mount()))
  results.forEach((result, i) => {
    if (result.status === 'rejected') print(`[${[...mounts.keys()][i]}] ${errorText(result.reason)}`)
  })
  if (results.every((r) => r.status === 'rejected')) return 1
  const stopKeys = watchKeys(process.stdin, mounts, print, () => process.emit('SIGINT'))
  void signals.graceful.then(stopKeys)
  const failures = await unmountAll(mounts, signals)
  return failures || results.some((r) => r.status === 'rejected') ? 1 : 0
}

async function up(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } } })
  if (!values.config) throw new RmountError('INVALID_CONFIG', 'rmount up needs --config FILE (the JSON file the desktop app exports).')
  const { config, warnings } = await loadConfigFile(values.config)
  warnings.forEach((w) => print(`warning: ${w}`))
  if (config.mounts.length === 0) throw new RmountError('INVALID_CONFIG', `${values.config} has no mounts: add one under "mounts".`)
  return supervise(mountsFromConfig(config))
}

async function serve(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'public-key': { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'read-only': { type: 'boolean' } },
  })
  const localPath = positionals[0]
  if (!localPath || !values['public-key'])
    throw new RmountError('INVALID_CONFIG', 'rmount serve needs a folder and --public-key FILE (an OpenSSH .pub file).')
  const server = new RemoteServer({
    localPath,
    publicKey: values['public-key'],
    host: values.host,
    port: values.port ? Number(values.port) : 0,
    readOnly: values['read-only'],
  })
  await server.start()
  print(`Serving ${localPath} over SFTP on ${server.host}:${server.port}`)
  print(`Host key fingerprint: ${server.hostKeyFingerprint}`)
  print(`known_hosts line: ${server.knownHostsLine}`)
  print(`Connect with: ${server.sshCommand}`)
  let stopping = false
  // An exit we did not ask for is a failure; the one stop() causes is not.
  const crashed = new Promise<number>((resolve) => server.once('exit', () => !stopping && resolve(1)))
  const stopped = stopSignals().graceful.then(async () => {
    stopping = true
    await server.stop()
    return 0
  })
  return Promise.race([crashed, stopped])
}

/** A complete round trip with nothing but this machine: share a folder, mount it, use it, watch it. */
async function demo(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'rmount-demo-'))
  const mountPoint = join(dir, 'mnt')
  try {
    const demoShare = await startDemoShare(dir)
    await using server = demoShare.server
    print(`Sharing ${demoShare.sharedPath} on sftp://${server.host}:${server.port} (host key ${server.hostKeyFingerprint})`)
    const mount = new RemoteMount(demoShare.remote, '', mountPoint, { stateDir: join(dir, 'state') })
    const mounts = new Map([['demo', mount]])
    const signals = stopSignals()
    mount.on('state', (_state, health) => print(describeHealth('demo', health)))
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
    const failures = await unmountAll(mounts, signals)
    clearInterval(ticker)
    const onServer = await readFile(join(demoShare.sharedPath, 'hello-from-rmount.txt'), 'utf8').catch(() => null)
    print(
      onServer === text
        ? 'The file written through the mount is in the shared folder, byte for byte.'
        : 'The file written through the mount did NOT reach the shared folder.',
    )
    return failures || onServer !== text ? 1 : 0
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'check':
      return check(rest)
    case 'up':
      return up(rest)
    case 'serve':
      return serve(rest)
    case 'demo':
      return demo()
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      print(usage)
      return command === undefined ? 2 : 0
    default:
      print(`Unknown command ${command}.\n\n${usage}`)
      return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`rmount: ${errorText(error)}\n`)
    process.exit(error instanceof RmountError && error.code === 'INVALID_CONFIG' ? 2 : 1)
  },
)
