/**
 * A compromised window: payloads that try each hole of the trust boundary over the real IPC handler table,
 * against the real app core, store and cipher (only the shell's dialogs are scripted). After each one:
 * nothing ran (a program that would leave a marker file never does; a listening server sees no connection),
 * nothing was written outside the app's folders, the store is byte for byte the same, and no secret appears
 * in any answer, event, log or diagnostics text.
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { requestChannels } from '../../shared/ipc-channels.js'
import type { IpcResult, RequestChannel, RequestResponses } from '../../shared/ipc.js'
import { AppCore } from '../../electron/app/app-core.js'
import type { ShellServices } from '../../electron/app/contracts.js'
import { createIpcHandlers, type IpcHandlers } from '../../electron/app/ipc-handlers.js'
import { FileConfigRepository } from '../../electron/app/store/config-repository.js'
import { createAesFileCipher } from './aes-file-cipher.js'
import { startS3, stopAllServers, tempDir, type S3Server } from '../servers/index.js'

const bucket = 'bucket'
const s3Secret = `hostile-s3-${randomBytes(8).toString('hex')}`
const sshPassword = `hostile-pass-${randomBytes(8).toString('hex')}`
const envName = `RMOUNT_HOSTILE_TOKEN_${randomBytes(4).toString('hex').toUpperCase()}`
const envToken = `hostile-token-${randomBytes(8).toString('hex')}`

class ScriptedShell implements ShellServices {
  nextFile: string | null = null
  opened: string[] = []
  async pickFolder() {
    return null
  }
  async pickFile() {
    return this.nextFile
  }
  async pickSavePath() {
    return null
  }
  async openPath(path: string) {
    this.opened.push(path)
  }
}

let s3: S3Server
let previousStateHome: string | undefined
let core: AppCore
let handlers: IpcHandlers
let shell: ScriptedShell
let configFile: string
let sandbox: string
/** A program that leaves `marker` when anything runs it. */
let evil: string
let marker: string
/** Stands for the user's ~/.ssh: nothing may write there. */
let fakeSsh: string
/** A server that only counts who connects: where a stolen secret would be sent. */
let trap: Server
let trapPort: number
let trapConnections = 0
const transcript: string[] = []
const unexpected: unknown[] = []
let remoteId: string
let sftpId: string
let mountId: string

async function call<C extends RequestChannel>(channel: C, payload: unknown): Promise<IpcResult<RequestResponses[C]>> {
  const result = await handlers[channel](payload)
  transcript.push(JSON.stringify(result) ?? 'undefined')
  return result
}

async function ok<C extends RequestChannel>(channel: C, payload: unknown): Promise<RequestResponses[C]> {
  const result = await call(channel, payload)
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`)
  return result.value
}

async function listing(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true })
  const entries = await Promise.all(names.sort().map(async (name) => `${name}:${await readFile(join(dir, name)).catch(() => 'dir')}`))
  return entries.join('\n')
}

/** The store, the sandbox outside the app's folders, and the trap, as they are now. */
async function world() {
  return { store: await readFile(configFile, 'utf8'), sandbox: await listing(sandbox), trap: trapConnections }
}

/** Sends a payload that must be refused, and checks that nothing happened. */
async function refusedWithoutEffect(channel: RequestChannel, payload: unknown, message?: RegExp): Promise<void> {
  const before = await world()
  const events = transcript.length
  const result = await call(channel, payload)
  expect(result.ok, `${channel} ${inspect(payload, { depth: 2 }).slice(0, 200)} should be refused`).toBe(false)
  if (!result.ok && message) expect(result.error.message).toMatch(message)
  expect(await world()).toEqual(before)
  expect(existsSync(marker)).toBe(false)
  // Only the refusal itself was recorded: no config:changed, no health change.
  expect(transcript.length).toBe(events + 1)
}

beforeAll(async () => {
  previousStateHome = process.env.XDG_STATE_HOME
  const dir = await tempDir('rmount-hostile-')
  process.env.XDG_STATE_HOME = join(dir, 'state')
  process.env[envName] = envToken
  s3 = await startS3({ buckets: [bucket] })
  sandbox = join(dir, 'outside')
  fakeSsh = join(sandbox, 'home', '.ssh')
  await mkdir(fakeSsh, { recursive: true })
  await writeFile(
    join(fakeSsh, 'known_hosts'),
    'github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n',
  )
  marker = join(sandbox, 'ran')
  evil = join(dir, 'evil.sh')
  await writeFile(evil, `#!/bin/sh\necho ran > ${marker}\necho "rclone v1.99.0"\n`)
  await chmod(evil, 0o755)
  trap = createServer((socket) => {
    trapConnections++
    socket.destroy()
  })
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve))
  trapPort = (trap.address() as { port: number }).port

  const repository = new FileConfigRepository({ cwd: join(dir, 'config') })
  configFile = repository.path
  shell = new ScriptedShell()
  core = await AppCore.open({ repository, cipher: await createAesFileCipher(join(dir, 'secrets.key')), shell, appVersion: '0.0.0-test' })
  for (const channel of ['mount:health', 'mount:log', 'config:changed', 'quit:progress'] as const)
    core.on(channel, (payload: unknown) => transcript.push(JSON.stringify(payload)))
  handlers = createIpcHandlers(core, { onUnexpected: (_channel, error) => unexpected.push(error) })

  remoteId = (
    await ok('remote:save', {
      name: 'S3',
      remote: { type: 's3', provider: 'Minio', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3Secret },
    })
  ).id
  sftpId = (
    await ok('remote:save', { name: 'NAS', remote: { type: 'sftp', host: 'nas.lan', port: 22, user: 'me', password: sshPassword } })
  ).id
  mountId = (await ok('mount:save', { remoteId, remotePath: bucket, localPath: join(dir, 'mnt', 'photos') })).id
})

beforeEach(() => {
  expect(existsSync(marker)).toBe(false)
})

afterAll(async () => {
  await new Promise((resolve) => trap?.close(resolve))
  delete process.env[envName]
  if (previousStateHome === undefined) delete process.env.XDG_STATE_HOME
  else process.env.XDG_STATE_HOME = previousStateHome
  await stopAllServers()
})

describe('a hostile window', () => {
  it('cannot name a program to run or a state folder, in a mount or in the settings', async () => {
    const base = { id: mountId, remoteId, remotePath: bucket, localPath: join(sandbox, 'photos') }
    await refusedWithoutEffect('mount:save', { ...base, options: { rclonePath: evil } }, /Unrecognized key.*rclonePath/)
    await refusedWithoutEffect('mount:save', { ...base, options: { stateDir: fakeSsh } }, /Unrecognized key.*stateDir/)
    await refusedWithoutEffect('settings:set', { rclonePath: evil }, /Unrecognized key.*rclonePath/)
    await refusedWithoutEffect('settings:set', { stateDir: fakeSsh })
    await refusedWithoutEffect('settings:choose-rclone', { path: evil })
    // What reads the rclone path still finds none of it.
    await ok('system:check', undefined)
    expect(await ok('mount:diagnostics', { id: mountId })).not.toContain(evil)
    expect(existsSync(marker)).toBe(false)
  })

  it('gets a program chosen in the dialog checked by running it, and nothing saved when it is not a supported rclone', async () => {
    // The person picked it in the main process's own dialog: running `version` is how it is checked.
    shell.nextFile = join(sandbox, 'no-such-rclone')
    const before = await world()
    expect((await call('settings:choose-rclone', {})).ok).toBe(false)
    expect(await world()).toEqual(before)
  })

  it('cannot open any folder but a saved mount folder that is a real folder', async () => {
    await refusedWithoutEffect('mount:open-folder', { id: mountId, path: '/etc' }, /Unrecognized key/)
    await refusedWithoutEffect('mount:open-folder', { id: '../../etc' })
    // The mount's folder does not exist yet: not opened.
    await refusedWithoutEffect('mount:open-folder', { id: mountId }, /is not a folder/)
    // A folder that is a link elsewhere, or a file, is not opened either.
    const link = join(sandbox, 'link-to-ssh')
    await symlink(fakeSsh, link)
    const linked = (await ok('mount:save', { remoteId, remotePath: `${bucket}/l`, localPath: link })).id
    await refusedWithoutEffect('mount:open-folder', { id: linked }, /is not a folder/)
    await ok('mount:delete', { id: linked })
    expect(shell.opened).toEqual([])
  })

  it('cannot send a saved secret to another host: keep after a host, port, user or endpoint change', async () => {
    const nas = { type: 'sftp', host: 'nas.lan', port: 22, user: 'me', password: { keep: true } }
    for (const change of [{ host: '127.0.0.1', port: trapPort }, { port: trapPort }, { user: 'root' }]) {
      await refusedWithoutEffect('remote:test', { id: sftpId, remote: { ...nas, ...change } }, /stays with its server/)
      await refusedWithoutEffect('remote:save', { id: sftpId, name: 'NAS', remote: { ...nas, ...change } }, /stays with its server/)
    }
    const s3Keep = {
      type: 's3',
      provider: 'Other',
      endpoint: `http://127.0.0.1:${trapPort}`,
      accessKeyId: 'x',
      secretAccessKey: { keep: true },
    }
    await refusedWithoutEffect('remote:test', { id: remoteId, remote: s3Keep }, /stays with its server/)
    await refusedWithoutEffect('remote:save', { id: remoteId, name: 'S3', remote: s3Keep }, /stays with its server/)
    expect(trapConnections).toBe(0)
  })

  it('sees an imported file reviewed first: env references, mounts at start, options, unpinned hosts; nothing changes or runs before confirming', async () => {
    const file = join(sandbox, 'shared-rmount.json')
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        remotes: [
          { id: 'gift', name: 'Gift', remote: { type: 'sftp', host: '127.0.0.1', port: trapPort, user: 'me', password: { env: envName } } },
        ],
        mounts: [
          {
            id: 'gift',
            remoteId: 'gift',
            remotePath: '/',
            localPath: join(sandbox, 'gift'),
            mountAtStart: true,
            options: { rclonePath: evil, stateDir: fakeSsh, readOnly: true },
          },
        ],
      }),
    )
    shell.nextFile = file
    const before = await world()
    const review = await ok('config:import', undefined)
    expect(await world()).toEqual(before)
    expect(review).toMatchObject({
      remotes: [{ id: 'gift', replaces: false, where: `SSH me@127.0.0.1:${trapPort}` }],
      mountAtStart: [{ id: 'gift' }],
      envRefs: [{ remoteId: 'gift', field: 'password', variable: envName, sentTo: `SSH me@127.0.0.1:${trapPort}` }],
      options: [{ mountId: 'gift', option: 'readOnly', value: 'true' }],
      unpinnedHosts: [{ remoteId: 'gift', host: `127.0.0.1:${trapPort}` }],
    })
    expect(review!.skipped.join('\n')).toMatch(/rclonePath is not taken from a file[\s\S]*stateDir is not taken from a file/)

    // A forged token, or none, applies nothing.
    await refusedWithoutEffect('config:import-apply', { token: 'f'.repeat(32) }, /no longer open/)
    await refusedWithoutEffect('config:import-apply', { token: review!.token, mountAtStart: 'yes' })

    // Confirmed without "mount at start": imported, but nothing mounts at start, and nothing dangerous came along.
    await ok('config:import-apply', { token: review!.token })
    const snapshot = await ok('app:snapshot', undefined)
    expect(snapshot.mounts.find((m) => m.id === 'gift')).toMatchObject({ mountAtStart: false, options: { readOnly: true } })
    expect(snapshot.mounts.find((m) => m.id === 'gift')?.options).not.toHaveProperty('rclonePath')
    expect(snapshot.mounts.find((m) => m.id === 'gift')?.options).not.toHaveProperty('stateDir')
    expect(await core.mountAtStart()).toEqual({})
    expect(trapConnections).toBe(0)
    // The review is used up.
    await refusedWithoutEffect('config:import-apply', { token: review!.token }, /no longer open/)
    await ok('mount:delete', { id: 'gift' })
    await ok('remote:delete', { id: 'gift' })
  })

  it('gets a review refused when the settings changed since it was shown', async () => {
    const file = join(sandbox, 'again.json')
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        remotes: [{ id: 'later', name: 'Later', remote: { type: 'sftp', host: 'h', user: 'u', agent: true } }],
      }),
    )
    shell.nextFile = file
    const review = await ok('config:import', undefined)
    // Meanwhile a remote of that id appears: the import would now replace it, which the review did not say.
    await ok('remote:save', { id: 'later', name: 'Mine', remote: { type: 'sftp', host: 'mine', user: 'me', agent: true } })
    await refusedWithoutEffect('config:import-apply', { token: review!.token }, /changed since this import was reviewed/)
    await ok('remote:delete', { id: 'later' })
  })

  it('cannot pollute prototypes, flood, or send cycles on any channel', async () => {
    const cyclic: Record<string, unknown> = { id: mountId }
    cyclic.self = cyclic
    const payloads: unknown[] = [
      JSON.parse('{"__proto__": {"polluted": true}}'),
      JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
      { id: mountId, title: 'x'.repeat(300_000) },
      cyclic,
    ]
    for (const channel of requestChannels) for (const payload of payloads) await refusedWithoutEffect(channel, payload)
    await refusedWithoutEffect('settings:set', JSON.parse('{"theme": "dark", "__proto__": {"polluted": true}}'))
    await refusedWithoutEffect('mount:save', {
      remoteId,
      remotePath: bucket,
      localPath: '/tmp/x',
      options: JSON.parse('{"__proto__": {"readOnly": true}}'),
    })
    await refusedWithoutEffect('remote:save', { name: 'n'.repeat(200_000), remote: { type: 'sftp', host: 'h', user: 'u', agent: true } })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
    expect(Object.prototype).not.toHaveProperty('readOnly')
  })

  it('never got a secret back, in any answer, event, log or diagnostics text, and nothing failed unexpectedly', async () => {
    transcript.push(await ok('mount:diagnostics', { id: mountId }))
    transcript.push(JSON.stringify(await ok('mount:logs', { id: mountId })))
    const leaks = transcript.filter((text) => [s3Secret, sshPassword, envToken, 'aes-gcm-v1:'].some((secret) => text.includes(secret)))
    expect(leaks).toEqual([])
    expect(unexpected).toEqual([])
    expect(existsSync(marker)).toBe(false)
  })
})

describe('a hostile window, once rclone flags go by allow-list (needs trust-engine)', () => {
  it('cannot give rclone a flag that runs a program, dumps secrets or opens the rc', async () => {
    const base = { id: mountId, remoteId, remotePath: bucket, localPath: join(sandbox, 'photos') }
    for (const extraArgs of [
      ['--sftp-ssh', `sh -c 'echo ran > ${marker}'`],
      ['--dump', 'headers'],
      ['--rc-no-auth'],
      ['--config', '/dev/null'],
    ])
      await refusedWithoutEffect('mount:save', { ...base, options: { extraArgs } }, /--(sftp-ssh|dump|rc-no-auth|config)/)
  })
})
