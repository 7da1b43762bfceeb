// RemoteMount over SFTP against a real OpenSSH sshd and a real `rclone serve sftp`, through real rclone and FUSE.
// The servers' files are on this machine, so what reached the remote is read straight from disk.
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { execa } from 'execa'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RemoteMount, RmountError, type MountOptionsInput, type RemoteInput } from '../../electron/engine/index.js'
import { startSftpPasswordServer, startSshd, stopAllServers, tempDir, type SshdServer } from '../servers/index.js'
import { fingerprintOf } from '../servers/ssh-keys.js'
import { cleanUpMounts, isMounted, rcloneGoneFor, waitForState } from '../mount-helpers.js'

const mounts: RemoteMount[] = []
const mountPoints = new Set<string>()

/** A RemoteMount on a fresh folder with a fresh state dir, torn down after the test. */
async function newMount(remote: RemoteInput, remotePath: string, options: MountOptionsInput = {}): Promise<RemoteMount> {
  const localPath = join(await tempDir('rmount-sftp-mnt-'), 'mnt')
  const stateDir = await tempDir('rmount-sftp-state-')
  // Short write-back: the tests wait for uploads at every unmount, and 5 s each adds up.
  const m = new RemoteMount(remote, remotePath, localPath, { stateDir, writeBackMs: 300, ...options })
  mounts.push(m)
  mountPoints.add(localPath)
  return m
}

let sshd: SshdServer

function keyRemote(extra: Partial<RemoteInput> = {}): RemoteInput {
  return { type: 'sftp', host: '127.0.0.1', port: sshd.port, user: sshd.user, keyFile: sshd.keyFile, ...extra } as RemoteInput
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** OpenSSH's SHA256 fingerprint of a `.pub` file. */
async function fingerprintOfPub(file: string): Promise<string> {
  return fingerprintOf((await readFile(file, 'utf8')).trim().split(/\s+/)[1]!)
}

async function expectMountError(m: RemoteMount, code: string): Promise<{ error: RmountError; ms: number }> {
  const started = performance.now()
  const error = await m.mount().then(
    () => null,
    (e: unknown) => e,
  )
  const ms = performance.now() - started
  expect(error, `mount() should fail with ${code}`).toBeInstanceOf(RmountError)
  expect((error as RmountError).code, (error as RmountError).message).toBe(code)
  expect(m.state).toBe('failed')
  expect(m.health().lastError?.code).toBe(code)
  expect(isMounted(m.localPath)).toBe(false)
  expect(await rcloneGoneFor(m.localPath)).toEqual([])
  return { error: error as RmountError, ms }
}

beforeAll(async () => {
  sshd = await startSshd()
})

afterEach(async () => {
  // A frozen server would make the force-unmounts below wait on it, and a test that failed halfway may leave it stopped.
  sshd?.thaw()
  if (sshd && sshd.pids().length === 0) await sshd.restart()
  await cleanUpMounts(mounts, mountPoints)
})

afterAll(async () => {
  await stopAllServers()
})

describe('SFTP mount with a key, against OpenSSH sshd', () => {
  it('writes, reads, lists, renames and deletes through the mount; the server has the same bytes after unmount', async () => {
    const m = await newMount(keyRemote(), sshd.rootDir)
    const started = performance.now()
    await m.mount()
    console.log(`[sftp] key mount came up in ${Math.round(performance.now() - started)} ms`)
    expect(m.state).toBe('mounted')
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).toMatch(new RegExp(`${m.localPath} .* - fuse\\.rclone `))

    const big = randomBytes(3 * 1024 * 1024 + 17)
    const small = Buffer.from('hello over sftp\n')
    const mnt = m.localPath
    await writeFile(join(mnt, 'big.bin'), big)
    await writeFile(join(mnt, 'first.txt'), small)
    await mkdir(join(mnt, 'sub'))
    await writeFile(join(mnt, 'sub', 'inner.txt'), 'inner')
    await writeFile(join(mnt, 'doomed.txt'), 'delete me')

    expect(sha256(await readFile(join(mnt, 'big.bin')))).toBe(sha256(big))
    expect((await readdir(mnt)).sort()).toEqual(['big.bin', 'doomed.txt', 'first.txt', 'sub'])
    await rename(join(mnt, 'first.txt'), join(mnt, 'sub', 'renamed.txt'))
    await rm(join(mnt, 'doomed.txt'))
    expect((await readdir(mnt)).sort()).toEqual(['big.bin', 'sub'])
    expect((await readdir(join(mnt, 'sub'))).sort()).toEqual(['inner.txt', 'renamed.txt'])
    expect(await readFile(join(mnt, 'sub', 'renamed.txt'))).toEqual(small)

    const result = await m.unmount()
    expect(result.pendingFiles).toEqual([])
    expect(m.state).toBe('unmounted')
    expect(isMounted(mnt)).toBe(false)
    expect(await rcloneGoneFor(mnt)).toEqual([])

    const root = sshd.rootDir
    expect((await readdir(root)).sort()).toEqual(['big.bin', 'sub'])
    expect(sha256(await readFile(join(root, 'big.bin')))).toBe(sha256(big))
    expect(await readFile(join(root, 'sub', 'renamed.txt'))).toEqual(small)
    expect(await readFile(join(root, 'sub', 'inner.txt'), 'utf8')).toBe('inner')
    // The folder is empty again once unmounted: nothing was written into it underneath the mount.
    expect(await readdir(mnt)).toEqual([])
  })

  it('pins the host key by fingerprint and by known_hosts file, and refuses a wrong one', async () => {
    const dir = join(sshd.rootDir, 'pinning')
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'pinned.txt'), 'pinned')

    const byFingerprint = await newMount(keyRemote({ hostKeyFingerprint: sshd.hostKeyFingerprint }), dir)
    await byFingerprint.mount()
    expect(await readFile(join(byFingerprint.localPath, 'pinned.txt'), 'utf8')).toBe('pinned')
    await byFingerprint.unmount()

    // The client key is a real ed25519 key, just not the server's.
    const wrongFingerprint = await fingerprintOfPub(`${sshd.keyFile}.pub`)
    expect(wrongFingerprint).not.toBe(sshd.hostKeyFingerprint)
    const wrong = await newMount(keyRemote({ hostKeyFingerprint: wrongFingerprint }), dir)
    const mismatch = await expectMountError(wrong, 'HOST_KEY_MISMATCH')
    expect(mismatch.error.message).toContain(sshd.hostKeyFingerprint)
    expect(mismatch.error.message).toMatch(/pin its new key/)
    console.log(`[sftp] HOST_KEY_MISMATCH by fingerprint in ${Math.round(mismatch.ms)} ms`)

    const byFile = await newMount(keyRemote({ knownHostsFile: sshd.knownHostsFile }), dir)
    await byFile.mount()
    expect(await readFile(join(byFile.localPath, 'pinned.txt'), 'utf8')).toBe('pinned')
    await byFile.unmount()

    // A known_hosts file holding another key for the same [host]:port, as after a server was replaced.
    const otherKey = (await readFile(`${sshd.otherKeyFile}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ')
    const staleKnownHosts = join(await tempDir('rmount-sftp-kh-'), 'known_hosts')
    await writeFile(staleKnownHosts, `[127.0.0.1]:${sshd.port} ${otherKey}\n`)
    const replaced = await newMount(keyRemote({ knownHostsFile: staleKnownHosts }), dir)
    const fileMismatch = await expectMountError(replaced, 'HOST_KEY_MISMATCH')
    expect(fileMismatch.error.message).toMatch(/pin its new key/)
    expect(fileMismatch.error.logTail.join('\n')).toMatch(/knownhosts: key mismatch/)
    console.log(`[sftp] HOST_KEY_MISMATCH by known_hosts file in ${Math.round(fileMismatch.ms)} ms`)

    // A known_hosts file with no line for this server: a different mistake, with a different fix.
    const emptyKnownHosts = join(await tempDir('rmount-sftp-kh-'), 'known_hosts')
    await writeFile(emptyKnownHosts, '')
    const unknown = await expectMountError(await newMount(keyRemote({ knownHostsFile: emptyKnownHosts }), dir), 'HOST_KEY_UNKNOWN')
    expect(unknown.error.message).toMatch(/has no key for 127\.0\.0\.1 port \d+/)
  })
})

describe('SFTP mount with a password, against rclone serve sftp', () => {
  it('keeps the password and its obscured form out of the command line and the logs', async () => {
    const password = `pw-${randomBytes(9).toString('hex')}`
    const server = await startSftpPasswordServer({ user: 'alice', password })
    const m = await newMount({ type: 'sftp', host: '127.0.0.1', port: server.port, user: server.user, password }, '/')
    await m.mount()
    await writeFile(join(m.localPath, 'via-password.txt'), 'password login')

    const pid = m.health().pid!
    expect(pid).toBeGreaterThan(0)
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    expect(cmdline.split('\0')[0]).toMatch(/rclone$/)
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
    const passVar = environ.find((entry) => entry.startsWith('RCLONE_CONFIG_RMOUNT_PASS='))
    expect(passVar).toBeDefined()
    const obscured = passVar!.slice('RCLONE_CONFIG_RMOUNT_PASS='.length)
    expect(obscured).not.toBe(password)
    expect(obscured.length).toBeGreaterThan(password.length)
    // It is rclone's obscured form of this very password, not some other value.
    const revealed = await execa('rclone', ['reveal', obscured, '--config', '/dev/null'])
    expect(revealed.stdout.trim()).toBe(password)
    expect(environ.join('\n')).not.toContain(password)

    const logs = JSON.stringify(m.recentLogs())
    for (const secret of [password, obscured]) {
      expect(cmdline).not.toContain(secret)
      expect(logs).not.toContain(secret)
      expect(JSON.stringify(m.health())).not.toContain(secret)
    }

    await m.unmount()
    expect(await readFile(join(server.rootDir, 'via-password.txt'), 'utf8')).toBe('password login')
    expect(readFileSync(m.paths.logFile, 'utf8')).not.toContain(password)
  })
})

describe('SFTP server hangs and restarts', () => {
  it('goes degraded within 3 s of a frozen sshd without lagging the event loop, and recovers on thaw and on a restart', async () => {
    const m = await newMount(keyRemote(), sshd.rootDir)
    const states: string[] = []
    m.on('state', (state) => states.push(state))
    await m.mount()
    // Let one health round pass, so the probes below measure a mount that is known to answer.
    for (let i = 0; i < 50 && m.health().lastProbeOk === null; i++) await sleep(100)
    expect(m.health().lastProbeOk).not.toBeNull()

    const lag = monitorEventLoopDelay({ resolution: 10 })
    lag.enable()
    sshd.freeze()
    let degradedMs: number
    let hangMs: number
    let recoveredMs: number
    try {
      degradedMs = await waitForState(m, 'degraded', 3000)
      // Keep the server frozen a while longer: the probes keep timing out, and the event loop must stay free meanwhile.
      await sleep(2500)
      expect(m.state).toBe('degraded')
      hangMs = degradedMs + 2500
    } finally {
      sshd.thaw()
    }
    recoveredMs = await waitForState(m, 'mounted', 5000)
    lag.disable()
    const maxLagMs = lag.max / 1e6
    console.log(
      `[sftp] frozen sshd: degraded after ${Math.round(degradedMs)} ms; mounted again ${Math.round(recoveredMs)} ms after thaw; event-loop delay during ${Math.round(hangMs)} ms of hang: max ${maxLagMs.toFixed(1)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms, mean ${(lag.mean / 1e6).toFixed(1)} ms`,
    )
    expect(maxLagMs).toBeLessThan(100)
    expect(m.health().pid).not.toBeNull()
    const pidBefore = m.health().pid

    // Killed and started again on the same port: rclone reconnects by itself, no restart of the mount needed.
    let started = performance.now()
    await sshd.stop()
    degradedMs = await waitForState(m, 'degraded', 5000)
    // rclone retries the refused dials, so the probe usually times out rather than failing with "connection refused".
    console.log(
      `[sftp] stopped sshd: degraded ${Math.round(performance.now() - started)} ms after stop() began (${Math.round(degradedMs)} ms after it returned): ${m.health().reason}`,
    )
    started = performance.now()
    await sshd.restart()
    recoveredMs = await waitForState(m, 'mounted', 10_000)
    console.log(
      `[sftp] restarted sshd: mounted again ${Math.round(recoveredMs)} ms after restart() returned (${Math.round(performance.now() - started)} ms in all)`,
    )
    expect(m.health().pid).toBe(pidBefore)

    await writeFile(join(m.localPath, 'after-restart.txt'), 'still here')
    await m.unmount()
    expect(await readFile(join(sshd.rootDir, 'after-restart.txt'), 'utf8')).toBe('still here')
    // A new reason within one state is a 'state' event too; only the changes of state matter here.
    expect(states.filter((state, i) => state !== states[i - 1])).toEqual([
      'mounting',
      'mounted',
      'degraded',
      'mounted',
      'degraded',
      'mounted',
      'unmounting',
      'unmounted',
    ])
  })
})

describe("the user's own rclone config", () => {
  it('is neither read nor written: no rclone.conf appears at RCLONE_CONFIG or under HOME', async () => {
    const home = await tempDir('rmount-sftp-home-')
    const userConfig = join(await tempDir('rmount-sftp-conf-'), 'rclone.conf')
    const saved = { RCLONE_CONFIG: process.env.RCLONE_CONFIG, HOME: process.env.HOME }
    process.env.RCLONE_CONFIG = userConfig
    process.env.HOME = home
    try {
      const dir = join(sshd.rootDir, 'config-check')
      await mkdir(dir, { recursive: true })
      const m = await newMount(keyRemote(), dir)
      await m.mount()
      await writeFile(join(m.localPath, 'x.txt'), 'x')
      expect(await readFile(join(m.localPath, 'x.txt'), 'utf8')).toBe('x')
      await m.unmount()
      expect(await readFile(join(dir, 'x.txt'), 'utf8')).toBe('x')
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
    }
    expect(existsSync(userConfig)).toBe(false)
    expect(existsSync(join(home, '.config', 'rclone', 'rclone.conf'))).toBe(false)
    expect(existsSync(join(home, '.rclone.conf'))).toBe(false)
  })
})
