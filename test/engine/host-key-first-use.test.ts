// SSH hosts pinned on first use, against a real OpenSSH sshd through real rclone and FUSE: Test connection shows
// the key, the first successful mount records it, a later different key is HOST_KEY_MISMATCH before any login
// attempt reaches the server, and `rmount up --require-pin` refuses a host with no pin.
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RemoteMount, RmountError, testConnection, type RemoteInput } from '../../electron/engine/index.js'
import { fileHostKeyPins, knownHostsName, preferredKey } from '../../electron/engine/host-key-pin.js'
import { AppCore } from '../../electron/app/app-core.js'
import { FileConfigRepository } from '../../electron/app/store/config-repository.js'
import { createAesFileCipher } from '../app/aes-file-cipher.js'
import { cleanUpMounts, isMounted, rclonePidsFor } from '../mount-helpers.js'
import { startSshd, stopAllServers, tempDir, type SshdServer } from '../servers/index.js'

const run = promisify(execFile)
const mounts: RemoteMount[] = []
const mountPoints = new Set<string>()
let sshd: SshdServer
const wrongFingerprint = `SHA256:${'A'.repeat(43)}`

function remote(extra: Partial<RemoteInput> = {}): RemoteInput {
  return { type: 'sftp', host: '127.0.0.1', port: sshd.port, user: sshd.user, keyFile: sshd.keyFile, ...extra } as RemoteInput
}

async function newMount(pinsFile: string, requirePin = false): Promise<RemoteMount> {
  const localPath = join(await tempDir('rmount-pin-mnt-'), 'mnt')
  const m = new RemoteMount(remote(), sshd.rootDir, localPath, {
    stateDir: await tempDir('rmount-pin-state-'),
    hostKeyPins: fileHostKeyPins(pinsFile, { requirePin }),
  })
  mounts.push(m)
  mountPoints.add(localPath)
  return m
}

/** sshd's lines about logins: any attempt to authenticate shows here. */
async function loginLines(): Promise<string[]> {
  const log = await readFile(sshd.logFile, 'utf8')
  return log.split('\n').filter((line) => /Accepted|Failed|authenticating|Invalid user|userauth/i.test(line))
}

let previousStateHome: string | undefined

beforeAll(async () => {
  // The desktop app's mounts keep their state here, never in ~/.local/state.
  previousStateHome = process.env.XDG_STATE_HOME
  process.env.XDG_STATE_HOME = await tempDir('rmount-pin-xdg-')
  sshd = await startSshd({ logLevel: 'VERBOSE' })
})

afterEach(async () => {
  await cleanUpMounts(mounts, mountPoints)
})

afterAll(async () => {
  if (previousStateHome === undefined) delete process.env.XDG_STATE_HOME
  else process.env.XDG_STATE_HOME = previousStateHome
  await stopAllServers()
})

describe('host keys pinned on first use', () => {
  it('Test connection shows the key of an unpinned host, and says when a pinned one matched', async () => {
    const first = await testConnection(remote(), sshd.rootDir)
    expect(first.error).toBeUndefined()
    expect(first.hostKey).toEqual({ fingerprint: sshd.hostKeyFingerprint, pinned: false })
    // The server logs logins: the checks below that no attempt came would see one.
    expect((await loginLines()).some((line) => line.includes('Accepted publickey'))).toBe(true)
    const pinned = await testConnection(remote({ hostKeyFingerprint: sshd.hostKeyFingerprint }), sshd.rootDir)
    expect(pinned).toMatchObject({ ok: true, hostKey: { fingerprint: sshd.hostKeyFingerprint, pinned: true } })
  })

  it('a wrong pin is HOST_KEY_MISMATCH in Test connection, before any login attempt reaches the server', async () => {
    const before = await loginLines()
    const result = await testConnection(remote({ hostKeyFingerprint: wrongFingerprint }), sshd.rootDir)
    expect(result.error?.code).toBe('HOST_KEY_MISMATCH')
    expect(result.error?.message).toContain(sshd.hostKeyFingerprint)
    expect(await loginLines()).toEqual(before)
  })

  it('the first successful mount records the key; a later different key fails with HOST_KEY_MISMATCH and runs no rclone', async () => {
    const pinsFile = join(await tempDir('rmount-pins-'), 'host-keys.json')
    const first = await newMount(pinsFile)
    await first.mount()
    expect(isMounted(first.localPath)).toBe(true)
    const name = knownHostsName('127.0.0.1', sshd.port)
    expect(JSON.parse(await readFile(pinsFile, 'utf8'))).toEqual({ [name]: sshd.hostKeyFingerprint })
    await first.unmount()

    // The server "changed its key": the pin says something else now.
    await writeFile(pinsFile, JSON.stringify({ [name]: wrongFingerprint }))
    const before = await loginLines()
    const second = await newMount(pinsFile)
    const error = await second.mount().then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(RmountError)
    expect((error as RmountError).code).toBe('HOST_KEY_MISMATCH')
    expect(isMounted(second.localPath)).toBe(false)
    expect(rclonePidsFor(second.localPath)).toEqual([])
    expect(await loginLines()).toEqual(before)
  })

  it('with a pin required, an unpinned host is HOST_KEY_UNKNOWN and nothing is recorded', async () => {
    const pinsFile = join(await tempDir('rmount-pins-'), 'host-keys.json')
    const m = await newMount(pinsFile, true)
    await expect(m.mount()).rejects.toMatchObject({ code: 'HOST_KEY_UNKNOWN' })
    await expect(readFile(pinsFile)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('prefers ed25519 among the keys a server offers', () => {
    const keys = [{ type: 'ssh-rsa' }, { type: 'ecdsa-sha2-nistp256' }, { type: 'ssh-ed25519' }, { type: 'unknown-type' }]
    expect(preferredKey(keys)?.type).toBe('ssh-ed25519')
    expect(preferredKey([{ type: 'unknown-type' }, { type: 'ssh-rsa' }])?.type).toBe('ssh-rsa')
  })
})

describe('the desktop app', () => {
  it('pins an imported or unpinned SSH host at its first successful mount, in the saved remote', async () => {
    const dir = await tempDir('rmount-pin-app-')
    const core = await AppCore.open({
      repository: new FileConfigRepository({ cwd: join(dir, 'config') }),
      cipher: await createAesFileCipher(join(dir, 'key')),
      shell: { pickFolder: async () => null, pickFile: async () => null, pickSavePath: async () => null, openPath: async () => undefined },
      appVersion: '0.0.0-test',
    })
    const saved = await core.saveRemote({
      name: 'Box',
      remote: { type: 'sftp', host: '127.0.0.1', port: sshd.port, user: sshd.user, keyFile: sshd.keyFile },
    })
    expect(saved.remote).not.toHaveProperty('hostKeyFingerprint')
    const localPath = join(dir, 'mnt')
    mountPoints.add(localPath)
    const mount = await core.saveMount({ remoteId: saved.id, remotePath: sshd.rootDir, localPath, mountAtStart: false, options: {} })
    try {
      expect((await core.mount(mount.id)).state).toBe('mounted')
      expect(core.snapshot().remotes[0]?.remote).toMatchObject({ hostKeyFingerprint: sshd.hostKeyFingerprint })
    } finally {
      await core.unmount(mount.id, { force: true })
    }
  })
})

describe('rmount up --require-pin', () => {
  it('exits non-zero naming HOST_KEY_UNKNOWN, and mounts nothing; pins go to the state folder', async () => {
    const dir = await tempDir('rmount-pin-cli-')
    const localPath = join(dir, 'mnt')
    mountPoints.add(localPath)
    const config = join(dir, 'rmount.json')
    await writeFile(
      config,
      JSON.stringify({
        version: 1,
        remotes: [{ id: 'box', name: 'Box', remote: remote() }],
        mounts: [{ id: 'box', remoteId: 'box', remotePath: sshd.rootDir, localPath }],
      }),
    )
    const env = { ...process.env, XDG_STATE_HOME: join(dir, 'state') }
    const failed = await run('node', ['dist/electron/cli/rmount.js', 'up', '--config', config, '--require-pin'], { env }).then(
      () => null,
      (e: { code: number; stdout: string; stderr: string }) => e,
    )
    expect(failed?.code).not.toBe(0)
    expect(`${failed?.stdout}${failed?.stderr}`).toMatch(/HOST_KEY_UNKNOWN/)
    expect(isMounted(localPath)).toBe(false)
    await expect(readFile(join(dir, 'state', 'rmount', 'host-keys.json'))).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
