/**
 * `npm run soak [-- --minutes N --mounts N]`: many mounts, one writer each, and random faults for a while (30 minutes
 * by default): rclone killed, a server frozen, a network partition, a server restart. At the end every mount is
 * unmounted after its uploads, every file a writer saved is checked byte for byte on its server, and the run prints
 * faults injected, files written, files lost and restarts. Exits 1 when a file is lost or an unmount fails.
 *
 * Servers (two s3rver, two OpenSSH sshd) each sit in their own network namespace (test/servers/netns.ts), so a
 * partition takes one server off the network the way a dropped link does. Needs root, FUSE and `ip`.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { RemoteMount } from '../electron/engine/index.js'
import { createNetns, removeAllNetns, stopAllServers, tempDir, type NetNamespace } from '../test/servers/index.js'
import { startRemote, type RemoteUnderTest } from '../test/faults/fault-helpers.js'

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '30' }, mounts: { type: 'string', default: '20' } } })
const minutes = Number(values.minutes)
const mountCount = Number(values.mounts)
if (!(minutes > 0) || !(mountCount > 0)) {
  process.stderr.write('usage: npm run soak -- [--minutes N] [--mounts N]\n')
  process.exit(2)
}

/** The bytes of a file the writers save: a function of its name, so the check needs no record of the content. */
function contentOf(name: string): Buffer {
  const size = Number(/-(\d+)\.bin$/.exec(name)?.[1] ?? 0)
  const block = createHash('sha256').update(name).digest()
  return Buffer.alloc(size, block)
}

// The writers, in one child process (a write blocked in a hung mount must not stall this one): per folder, a file
// every 0.5-1.5 s, written, fsynced and closed; "ok <folder index> <name>" once closed without error. Only while the
// folder is a mount, so nothing lands in the bare folder underneath while rclone restarts. SIGTERM stops new files.
const writerSource = `'use strict'
const fs = require('fs/promises')
const crypto = require('crypto')
const folders = JSON.parse(process.env.SOAK_FOLDERS)
let stopping = false
process.on('SIGTERM', () => { stopping = true })
const mounted = async (dir) => (await fs.readFile('/proc/self/mountinfo', 'utf8')).split('\\n').some((l) => l.split(' ')[4] === dir && l.includes(' - fuse.rclone '))
async function loop(index, dir) {
  for (let seq = 0; !stopping; seq++) {
    await new Promise((r) => setTimeout(r, 500 + Math.random() * 1000))
    if (stopping || !(await mounted(dir))) continue
    const name = 'w' + seq + '-' + (1 + Math.floor(Math.random() * 64 * 1024)) + '.bin'
    const size = Number(/-(\\d+)\\.bin$/.exec(name)[1])
    const data = Buffer.alloc(size, crypto.createHash('sha256').update(name).digest())
    let handle
    try {
      handle = await fs.open(dir + '/' + name, 'w')
      await handle.writeFile(data)
      await handle.sync()
      await handle.close()
      handle = null
      process.stdout.write('ok ' + index + ' ' + name + '\\n')
    } catch (e) {
      if (handle) await handle.close().catch(() => {})
      process.stdout.write('fail ' + index + ' ' + name + ' ' + (e.code || e.message) + '\\n')
    }
  }
}
Promise.all(folders.map((dir, i) => loop(i, dir))).then(() => process.exit(0))
`

interface Slot {
  mount: RemoteMount
  remote: RemoteUnderTest
  /** Where this mount's files live, relative to the server's root for the mount. */
  serverDir: string
  written: string[]
}

const slots: Slot[] = []

async function main(): Promise<number> {
  const started = Date.now()
  const log = (line: string) => process.stdout.write(`[soak ${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}\n`)
  log(`${mountCount} mounts, ${minutes} minute(s) of faults`)
  const spaces: NetNamespace[] = await Promise.all([0, 1, 2, 3].map(() => createNetns()))
  const servers = await Promise.all(spaces.map((ns, i) => startRemote(i % 2 === 0 ? 's3' : 'sftp', ns, `soak${i}`)))
  const dir = await tempDir('rmount-soak-')
  for (let i = 0; i < mountCount; i++) {
    const remote = servers[i % servers.length]!
    // Each mount its own folder on its server: a prefix of the bucket, or a folder made on the SFTP server.
    const serverDir = `m${i}`
    if (remote.kind === 'sftp') await mkdir(join(remote.remotePath, serverDir))
    const mount = new RemoteMount(remote.remote, `${remote.remotePath}/${serverDir}`, join(dir, `mnt-${i}`), {
      stateDir: join(dir, `state-${i}`),
      writeBackMs: 1000,
    })
    slots.push({ mount, remote, serverDir, written: [] })
  }
  // One server's mounts one after another (the servers in parallel): ten SSH handshakes at once exceed sshd's
  // MaxStartups and some are dropped. On a loaded machine a first mount can still time out; the app would retry, and
  // so does the soak.
  const mountWithRetries = async (slot: Slot) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await slot.mount.mount()
      } catch (error) {
        if (attempt >= 5) throw error
        log(`mount of ${slot.mount.localPath} failed (${(error as Error).message}); trying again`)
      }
    }
  }
  await Promise.all(
    servers.map(async (server) => {
      for (const slot of slots) if (slot.remote === server) await mountWithRetries(slot)
    }),
  )
  log('all mounted; writers start')

  const writer = spawn(process.execPath, ['-e', writerSource], {
    env: { ...process.env, SOAK_FOLDERS: JSON.stringify(slots.map((slot) => slot.mount.localPath)) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let failedWrites = 0
  createInterface({ input: writer.stdout! }).on('line', (line) => {
    const [kind, index, name] = line.split(' ')
    if (kind === 'ok') slots[Number(index)]!.written.push(name!)
    else failedWrites += 1
  })
  const writerDone = new Promise((resolve) => writer.once('exit', resolve))

  const faults: Record<string, number> = { kill: 0, freeze: 0, partition: 0, restart: 0 }
  let remounts = 0
  const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!
  const until = Date.now() + minutes * 60_000
  while (Date.now() < until) {
    await sleep(5000 + Math.random() * 10_000)
    // A mount that gave up (as the app's Retry would) is mounted again.
    for (const slot of slots)
      if (slot.mount.state === 'failed') {
        remounts += 1
        log(`remounting ${slot.mount.localPath}: ${slot.mount.health().reason}`)
        await slot.mount.mount().catch((error: Error) => log(`remount failed: ${error.message}`))
      }
    const kind = pick(Object.keys(faults))
    const index = Math.floor(Math.random() * servers.length)
    const server = servers[index]!
    const holdMs = 2000 + Math.random() * 6000
    faults[kind]! += 1
    if (kind === 'kill') {
      const slot = pick(slots)
      const pid = slot.mount.health().pid
      log(`kill -9 rclone of ${slot.mount.localPath} (${pid})`)
      if (pid) process.kill(pid, 'SIGKILL')
    } else if (kind === 'freeze') {
      log(`freeze ${server.kind} server ${index} for ${(holdMs / 1000).toFixed(1)} s`)
      server.server.freeze()
      await sleep(holdMs)
      server.server.thaw()
    } else if (kind === 'partition') {
      log(`partition ${server.kind} server ${index} for ${(holdMs / 1000).toFixed(1)} s`)
      await spaces[index]!.cut()
      await sleep(holdMs)
      await spaces[index]!.restore()
    } else {
      log(`restart ${server.kind} server ${index}`)
      // The test harness gives a start 15 s; on a loaded machine it may need another go. That is the injector's
      // trouble, not the mounts': the server is down meanwhile, which they must survive anyway.
      for (let attempt = 1; ; attempt++) {
        try {
          await server.server.restart()
          break
        } catch (error) {
          if (attempt >= 5) throw error
          log(`restart of server ${index} failed (${(error as Error).message.split('\n')[0]}); trying again`)
        }
      }
    }
  }

  log('faults over; writers stop, then every mount unmounts after its uploads')
  writer.kill('SIGTERM')
  await writerDone
  let unmountFailures = 0
  await Promise.all(
    slots.map(async (slot) => {
      try {
        if (slot.mount.state === 'failed') await slot.mount.mount()
        const result = await slot.mount.unmount({ timeoutMs: 5 * 60_000 })
        if (result.pendingFiles.length) throw new Error(`${result.pendingFiles.length} file(s) still pending`)
      } catch (error) {
        unmountFailures += 1
        log(`unmount of ${slot.mount.localPath} failed: ${(error as Error).message}`)
      }
    }),
  )

  let written = 0
  const lost: string[] = []
  for (const slot of slots) {
    for (const name of slot.written) {
      written += 1
      const onServer = await slot.remote.read(`${slot.serverDir}/${name}`)
      if (!onServer?.equals(contentOf(name))) lost.push(`${slot.mount.localPath}/${name}${onServer ? ' (different bytes)' : ' (missing)'}`)
    }
  }
  const restarts = slots.reduce((sum, slot) => sum + slot.mount.health().restarts, 0)
  const injected = Object.values(faults).reduce((a, b) => a + b, 0)
  log(
    `faults injected: ${injected} (${Object.entries(faults)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`,
  )
  log(`files written: ${written} (writes that failed with an error, not counted: ${failedWrites})`)
  log(`files lost: ${lost.length}${lost.length ? `\n  ${lost.slice(0, 20).join('\n  ')}` : ''}`)
  log(`restarts: ${restarts}; mounts that gave up and were mounted again: ${remounts}; unmount failures: ${unmountFailures}`)
  return lost.length === 0 && unmountFailures === 0 && written > 0 ? 0 : 1
}

// Stopped from outside (Ctrl-C, CI's timeout): exit, so the exit hooks stop the servers and remove the namespaces;
// the mount watchdogs clear the folders.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(1))

let code = 1
try {
  code = await main()
} finally {
  // Whatever went wrong, no mount is left behind.
  await Promise.allSettled(slots.map((slot) => slot.mount.unmount({ force: true })))
  await stopAllServers().catch((error: Error) => process.stderr.write(`cleanup: ${error.message}\n`))
  await removeAllNetns()
}
process.exit(code)
