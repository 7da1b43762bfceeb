/**
 * The IPC handler table over the real app core: the real store (config file, AES key file), real
 * rclone FUSE mounts of a real s3rver. Only the shell's dialogs are stood in for (ShellServices is the
 * seam for that). Every request channel is exercised; every bad payload is refused before any work;
 * no response and no event ever carries a secret.
 */
import { randomBytes } from 'node:crypto'
import { execFile } from 'node:child_process'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventChannels, requestChannels } from '../../shared/ipc-channels.js'
import type { EventChannel, IpcResult, RequestChannel, RequestPayload, RequestResponses } from '../../shared/ipc.js'
import { AppCore } from '../../electron/app/app-core.js'
import type { ShellServices } from '../../electron/app/contracts.js'
import { createIpcHandlers, forwardedEvents, isTrustedSender, type IpcHandlers } from '../../electron/app/ipc-handlers.js'
import { FileConfigRepository } from '../../electron/app/store/config-repository.js'
import { createAesFileCipher } from './aes-file-cipher.js'
import { isMounted, list, putObjectAsAnotherClient, rcloneGoneFor } from '../mount-helpers.js'
import { startS3, stopAllServers, tempDir, type S3Server } from '../servers/index.js'

const run = promisify(execFile)
const bucket = 'bucket'
// s3rver checks the access key id only: a secret of our own can be searched for in every answer.
const secret = `ipc-secret-${randomBytes(8).toString('hex')}`
const sftpPassword = `ipc-pass-${randomBytes(8).toString('hex')}`

/** ShellServices answering what the test sets, as a person in the dialogs would. */
class ScriptedShell implements ShellServices {
  nextFolder: string | null = null
  nextFile: string | null = null
  nextSavePath: string | null = null
  opened: string[] = []
  failOpen: Error | null = null
  async pickFolder() {
    return this.nextFolder
  }
  async pickFile() {
    return this.nextFile
  }
  async pickSavePath() {
    return this.nextSavePath
  }
  async openPath(path: string) {
    if (this.failOpen) throw this.failOpen
    this.opened.push(path)
  }
}

interface Rig {
  core: AppCore
  handlers: IpcHandlers
  shell: ScriptedShell
  configFile: string
  events: Array<{ channel: EventChannel; payload: unknown }>
}

let s3: S3Server
let previousStateHome: string | undefined
const rigs: Rig[] = []
const mountPoints: string[] = []
/** Every answer and event, as JSON, to search for secrets at the end. */
const transcript: string[] = []
const channelsCalled = new Set<RequestChannel>()
const unexpected: unknown[] = []

async function newRig(): Promise<Rig> {
  const dir = await tempDir('rmount-ipc-app-')
  const repository = new FileConfigRepository({ cwd: join(dir, 'config') })
  const cipher = await createAesFileCipher(join(dir, 'secrets.key'))
  const shell = new ScriptedShell()
  const core = await AppCore.open({
    repository,
    cipher,
    shell,
    appVersion: '0.0.0-test',
    quitProgressIntervalMs: 100,
    demoDir: join(dir, 'demo'),
  })
  const events: Rig['events'] = []
  for (const channel of eventChannels)
    core.on(channel, (payload: unknown) => {
      events.push({ channel, payload })
      transcript.push(JSON.stringify(payload))
    })
  const rig = {
    core,
    handlers: createIpcHandlers(core, { onUnexpected: (_c, error) => unexpected.push(error) }),
    shell,
    configFile: repository.path,
    events,
  }
  rigs.push(rig)
  return rig
}

/** One request as the renderer makes it; the payload is `unknown` on purpose, as it is when it arrives. */
async function call<C extends RequestChannel>(rig: Rig, channel: C, payload: unknown): Promise<IpcResult<RequestResponses[C]>> {
  channelsCalled.add(channel)
  const result = await rig.handlers[channel](payload)
  transcript.push(JSON.stringify(result) ?? 'undefined')
  return result
}

/** A request that must succeed: its value. */
async function ok<C extends RequestChannel>(rig: Rig, channel: C, payload: RequestPayload<C>): Promise<RequestResponses[C]> {
  const result = await call(rig, channel, payload)
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`)
  return result.value
}

/** A request that must be refused with `code`: the error. */
async function refused(rig: Rig, channel: RequestChannel, payload: unknown, code = 'INVALID_CONFIG') {
  const result = await call(rig, channel, payload)
  expect(result.ok, `${channel} ${JSON.stringify(payload)} should be refused`).toBe(false)
  if (result.ok) throw new Error('unreachable')
  expect(result.error.code).toBe(code)
  return result.error
}

function s3Draft(secretAccessKey: string | { keep: true } = secret, accessKeyId = s3.accessKeyId) {
  return { type: 's3' as const, provider: 'Minio' as const, endpoint: s3.endpoint, accessKeyId, secretAccessKey }
}

async function newMountFolder(): Promise<string> {
  const path = join(await tempDir('rmount-ipc-mnt-'), 'photos')
  mountPoints.push(path)
  return path
}

beforeAll(async () => {
  previousStateHome = process.env.XDG_STATE_HOME
  process.env.XDG_STATE_HOME = await tempDir('rmount-ipc-xdg-')
  s3 = await startS3({ buckets: [bucket] })
})

afterAll(async () => {
  for (const rig of rigs.splice(0)) {
    for (const id of Object.keys(rig.core.manager.healthAll())) await rig.core.manager.unmount(id, { force: true }).catch(() => undefined)
  }
  for (const path of mountPoints) if (isMounted(path)) await run('fusermount3', ['-uz', path]).catch(() => undefined)
  if (previousStateHome === undefined) delete process.env.XDG_STATE_HOME
  else process.env.XDG_STATE_HOME = previousStateHome
  await stopAllServers()
})

describe('IPC handlers over the app core', () => {
  let rig: Rig
  let remoteId: string
  let mountId: string
  let localPath: string
  const written = randomBytes(200_000)

  beforeAll(async () => {
    rig = await newRig()
  })

  it('answers a snapshot without any remote, with how secrets are kept', async () => {
    const snapshot = await ok(rig, 'app:snapshot', undefined)
    expect(snapshot).toMatchObject({
      remotes: [],
      mounts: [],
      health: {},
      secretStorage: { encrypted: true, backend: 'aes-file' },
      storeNotice: null,
    })
    expect(snapshot.settings).toEqual({
      startOnLogin: false,
      rclonePath: '',
      theme: 'system',
      allowPlaintextSecrets: false,
      fileManagerBookmarks: true,
    })
  })

  it('saves a remote with an id made from its name, and answers only whether its secret is set', async () => {
    const view = await ok(rig, 'remote:save', { name: 'Test S3', remote: s3Draft() })
    expect(view.id).toBe('test-s3')
    expect(view.remote).toMatchObject({ type: 's3', accessKeyId: s3.accessKeyId, secretAccessKey: { set: true } })
    remoteId = view.id
    // The same name again gets an id of its own.
    const twin = await ok(rig, 'remote:save', { name: 'Test S3', remote: s3Draft() })
    expect(twin.id).toBe('test-s3-2')
    await ok(rig, 'remote:delete', { id: twin.id })
    // On disk the secret is encrypted.
    const onDisk = await readFile(rig.configFile, 'utf8')
    expect(onDisk).not.toContain(secret)
    expect(onDisk).toContain('aes-gcm-v1:')
    expect(((await stat(rig.configFile)).mode & 0o777).toString(8)).toBe('600')
    // Keeping the stored secret on a later save keeps it working (checked by the test below).
    const renamed = await ok(rig, 'remote:save', { id: remoteId, name: 'Test S3 renamed', remote: s3Draft({ keep: true }) })
    expect(renamed).toMatchObject({ id: remoteId, name: 'Test S3 renamed', remote: { secretAccessKey: { set: true } } })
  })

  it('tests a connection: the kept secret resolved in the main process, a wrong key named AUTH_FAILED', async () => {
    const kept = await ok(rig, 'remote:test', { id: remoteId, remote: s3Draft({ keep: true }), remotePath: bucket })
    expect(kept).toMatchObject({ ok: true })
    const typed = await ok(rig, 'remote:test', { remote: s3Draft(), remotePath: bucket })
    expect(typed.ok).toBe(true)
    const wrong = await ok(rig, 'remote:test', { id: remoteId, remote: s3Draft({ keep: true }, 'NOT-THE-KEY'), remotePath: bucket })
    expect(wrong.ok).toBe(false)
    expect(wrong.error?.code).toBe('AUTH_FAILED')
    const missingBucket = await ok(rig, 'remote:test', { remote: s3Draft(), remotePath: 'no-such-bucket' })
    expect(missingBucket.error?.code).toBe('REMOTE_NOT_FOUND')
    // Nothing stored to keep: said so, not tested with an empty secret.
    const nothing = await refused(rig, 'remote:test', { remote: s3Draft({ keep: true }), remotePath: bucket })
    expect(nothing.message).toMatch(/no saved secretAccessKey to keep/)
  })

  it('lists the buckets and the folders of a bucket with the kept secret; a wrong key is named AUTH_FAILED', async () => {
    expect(await ok(rig, 'remote:list', { id: remoteId, remote: s3Draft({ keep: true }), remotePath: '' })).toEqual({
      entries: [`${bucket}/`],
      truncated: false,
    })
    // The bucket holds no folder yet: an empty listing, not an error.
    expect((await ok(rig, 'remote:list', { id: remoteId, remote: s3Draft({ keep: true }), remotePath: bucket })).entries).toEqual([])
    await refused(rig, 'remote:list', { id: remoteId, remote: s3Draft({ keep: true }, 'NOT-THE-KEY'), remotePath: bucket }, 'AUTH_FAILED')
  })

  it('suggests ~/RMount/<name> for a new mount, without path separators', async () => {
    expect(await ok(rig, 'mount:suggest-folder', { name: 'holiday/../photos' })).toBe(join(homedir(), 'RMount', 'holiday-..-photos'))
  })

  it('saves a mount, mounts it, writes through it, and the bytes are on the server after unmounting', async () => {
    localPath = await newMountFolder()
    // An hour between change checks: only mount:refresh below can show another client's file.
    const saved = await ok(rig, 'mount:save', {
      remoteId,
      remotePath: bucket,
      localPath,
      options: { writeBackMs: 500, changeCheckSeconds: 3600 },
    })
    expect(saved).toMatchObject({ id: 'photos', remoteId, localPath, mountAtStart: false })
    mountId = saved.id
    expect((await ok(rig, 'app:snapshot', undefined)).health[mountId]?.state).toBe('unmounted')

    const health = await ok(rig, 'mount:mount', { id: mountId })
    expect(health.state).toBe('mounted')
    expect(isMounted(localPath)).toBe(true)
    expect(
      rig.events.some((e) => e.channel === 'mount:health' && (e.payload as { health: { state: string } }).health.state === 'mounted'),
    ).toBe(true)
    expect(rig.events.some((e) => e.channel === 'mount:log')).toBe(true)
    await writeFile(join(localPath, 'through-ipc.bin'), written)

    const logs = await ok(rig, 'mount:logs', { id: mountId })
    expect(logs.length).toBeGreaterThan(0)
    expect(logs[0]).toMatchObject({ level: expect.any(String), message: expect.any(String), time: expect.any(Number) })

    await ok(rig, 'mount:open-folder', { id: mountId })
    expect(rig.shell.opened).toEqual([localPath])
  })

  it('refreshes: a file another client put into the bucket shows at once', async () => {
    const before = await list(localPath)
    await putObjectAsAnotherClient(s3, bucket, 'from-elsewhere.txt', 'hello')
    expect(await list(localPath)).toEqual(before)
    await ok(rig, 'mount:refresh', { id: mountId })
    expect(await list(localPath)).toContain('from-elsewhere.txt')
    await refused(rig, 'mount:refresh', { id: 'NOT AN ID' })
  })

  it('refuses to delete a mounted mount, and a remote a mount uses', async () => {
    const mounted = await refused(rig, 'mount:delete', { id: mountId })
    expect(mounted.message).toMatch(/unmount it first/)
    const used = await refused(rig, 'remote:delete', { id: remoteId })
    expect(used.message).toMatch(new RegExp(`used by the mount on ${localPath}: delete that mount first`))
    const snapshot = await ok(rig, 'app:snapshot', undefined)
    expect(snapshot.mounts.map((m) => m.id)).toEqual([mountId])
    expect(snapshot.remotes.map((r) => r.id)).toEqual([remoteId])
  })

  it('makes a share link for a file in the mount folder, the secret nowhere in it', async () => {
    await putObjectAsAnotherClient(s3, bucket, 'shared.txt', 'to share')
    const link = await ok(rig, 'mount:share-link', { id: mountId, path: join(localPath, 'shared.txt'), expire: '1h' })
    expect(link.url).toMatch(new RegExp(`^${s3.endpoint}/${bucket}/shared\\.txt\\?.*X-Amz-Expires=3600`))
    expect(link.url).not.toContain(secret)
  })

  it('writes diagnostics with versions, rclone flags and the log, and without any secret', async () => {
    const text = await ok(rig, 'mount:diagnostics', { id: mountId })
    expect(text).toMatch(/^RMount 0\.0\.0-test diagnostics/)
    expect(text).toMatch(/rclone: v1\.\d+/)
    expect(text).toContain(
      `rclone flags (secrets go through the environment, never here): mount rmount:${bucket} ${localPath} --config /dev/null`,
    )
    expect(text).toMatch(/Recent log \([1-9]\d* lines\)/)
    expect(text).toContain('"secretAccessKey": {\n')
    expect(text).toContain('"set": true')
    expect(text).not.toContain(secret)
    expect(text).not.toContain('aes-gcm-v1:')
  })

  it('unmounts after the upload: the file is on the server byte for byte', async () => {
    const result = await ok(rig, 'mount:unmount', { id: mountId })
    expect(result).toEqual({ pendingFiles: [] })
    expect(isMounted(localPath)).toBe(false)
    expect((await s3.readObject(bucket, 'through-ipc.bin'))?.equals(written)).toBe(true)
    // Retry from unmounted mounts it again; a forced unmount takes it down.
    expect((await ok(rig, 'mount:retry', { id: mountId })).state).toBe('mounted')
    expect(await ok(rig, 'mount:unmount', { id: mountId, force: true })).toEqual({ pendingFiles: [] })
  })

  it('changes settings and announces config changes without secrets', async () => {
    const before = rig.events.length
    const settings = await ok(rig, 'settings:set', { theme: 'dark' })
    expect(settings.theme).toBe('dark')
    const changed = rig.events.slice(before).find((e) => e.channel === 'config:changed')
    expect(changed?.payload).toMatchObject({
      settings: { theme: 'dark' },
      remotes: [{ id: remoteId, remote: { secretAccessKey: { set: true } } }],
    })
    expect((await ok(rig, 'app:snapshot', undefined)).settings.theme).toBe('dark')
  })

  it('checks the system', async () => {
    const report = await ok(rig, 'system:check', undefined)
    expect(report.ok).toBe(true)
    expect(report.rclone?.version).toMatch(/^v1\./)
    expect(report.items.map((i) => i.name)).toEqual(['rclone', '/dev/fuse', 'fusermount', 'setpriv'])
  })

  it('sets rclone only from the dialog, checked to be a supported rclone; back to the bundled one on request', async () => {
    rig.shell.nextFile = null
    expect(await ok(rig, 'settings:choose-rclone', {})).toBeNull()
    rig.shell.nextFile = '/usr/bin/rclone'
    expect((await ok(rig, 'settings:choose-rclone', {}))?.rclonePath).toBe('/usr/bin/rclone')
    rig.shell.nextFile = '/bin/true'
    expect((await refused(rig, 'settings:choose-rclone', {}, 'RCLONE_NOT_FOUND')).message).toMatch(/is not rclone/)
    expect((await ok(rig, 'app:snapshot', undefined)).settings.rclonePath).toBe('/usr/bin/rclone')
    expect((await ok(rig, 'settings:choose-rclone', { useBundled: true }))?.rclonePath).toBe('')
  })

  it('passes the dialogs through the shell', async () => {
    rig.shell.nextFolder = '/home/me/bucket'
    expect(await ok(rig, 'dialog:pick-folder', { title: 'Mount folder' })).toBe('/home/me/bucket')
    rig.shell.nextFile = null
    expect(await ok(rig, 'dialog:pick-file', {})).toBeNull()
  })

  it('exports (0600, secrets as env references unless asked) and imports the config into another app, round trip', async () => {
    const dir = await tempDir('rmount-ipc-export-')
    rig.shell.nextSavePath = null
    expect(await ok(rig, 'config:export', {})).toBeNull()

    rig.shell.nextSavePath = join(dir, 'without-secrets.json')
    expect(await ok(rig, 'config:export', {})).toEqual({ path: rig.shell.nextSavePath })
    const withoutSecrets = await readFile(rig.shell.nextSavePath, 'utf8')
    expect(withoutSecrets).not.toContain(secret)
    expect(JSON.parse(withoutSecrets).remotes[0].remote.secretAccessKey).toEqual({ env: 'RMOUNT_TEST_S3_SECRET_ACCESS_KEY' })
    expect((await stat(rig.shell.nextSavePath)).mode & 0o777).toBe(0o600)

    const withSecretsPath = join(dir, 'with-secrets.json')
    rig.shell.nextSavePath = withSecretsPath
    expect(await ok(rig, 'config:export', { includeSecrets: true })).toEqual({ path: withSecretsPath })
    expect(await readFile(withSecretsPath, 'utf8')).toContain(secret)
    expect((await stat(withSecretsPath)).mode & 0o777).toBe(0o600)

    const other = await newRig()
    other.shell.nextFile = withSecretsPath
    const review = await ok(other, 'config:import', undefined)
    expect(review).toMatchObject({ source: 'rmount', fileName: 'with-secrets.json', remotes: [{ id: remoteId, replaces: false }] })
    expect((await ok(other, 'app:snapshot', undefined)).remotes).toEqual([])
    expect(await ok(other, 'config:import-apply', { token: review!.token })).toEqual({ remotes: 1, mounts: 1 })
    const mine = await ok(rig, 'app:snapshot', undefined)
    const theirs = await ok(other, 'app:snapshot', undefined)
    expect(theirs.remotes).toEqual(mine.remotes)
    expect(theirs.mounts).toEqual(mine.mounts)
    // The imported secret was encrypted with the other app's key, and works.
    expect((await readFile(other.configFile, 'utf8')).includes(secret)).toBe(false)
    expect((await ok(other, 'remote:test', { id: remoteId, remote: s3Draft({ keep: true }), remotePath: bucket })).ok).toBe(true)

    other.shell.nextFile = join(dir, 'missing.json')
    expect((await refused(other, 'config:import', undefined)).message).toMatch(/ENOENT/)
  })

  it('imports the S3 and SFTP remotes of an rclone.conf, never replacing a remote of the same id', async () => {
    const { stdout: obscured } = await run('rclone', ['obscure', sftpPassword])
    const conf = join(await tempDir('rmount-ipc-rclone-'), 'rclone.conf')
    await writeFile(
      conf,
      [
        '[test-s3]',
        'type = s3',
        'provider = Minio',
        `endpoint = ${s3.endpoint}`,
        `access_key_id = ${s3.accessKeyId}`,
        `secret_access_key = ${secret}`,
        '',
        '[nas]',
        'type = sftp',
        'host = nas.lan',
        'user = me',
        `pass = ${obscured.trim()}`,
        '',
        '[drive]',
        'type = drive',
        '',
      ].join('\n'),
      { mode: 0o600 },
    )
    rig.shell.nextFile = conf
    const review = await ok(rig, 'config:import-rclone', undefined)
    expect(review?.remotes.map((r) => r.id)).toEqual(['test-s3-2', 'nas'])
    expect(review?.skipped.join('\n')).toMatch(/drive/)
    // The SSH host has no pinned key: the review says so, and it is pinned at its first connection.
    expect(review?.unpinnedHosts).toEqual([{ remoteId: 'nas', host: 'nas.lan:22' }])
    expect(await ok(rig, 'config:import-apply', { token: review!.token })).toEqual({ remotes: 2, mounts: 0 })
    const snapshot = await ok(rig, 'app:snapshot', undefined)
    expect(snapshot.remotes.map((r) => r.id)).toEqual([remoteId, 'test-s3-2', 'nas'])
    expect(snapshot.remotes.find((r) => r.id === remoteId)?.name).toBe('Test S3 renamed')
    expect(snapshot.remotes.find((r) => r.id === 'nas')?.remote).toMatchObject({ type: 'sftp', password: { set: true } })
    expect(await readFile(rig.configFile, 'utf8')).not.toContain(sftpPassword)
    await ok(rig, 'remote:delete', { id: 'nas' })
    await ok(rig, 'remote:delete', { id: 'test-s3-2' })
  })

  it('refuses bad payloads with INVALID_CONFIG and a field-level message, and changes nothing', async () => {
    const configBefore = await readFile(rig.configFile, 'utf8')
    const eventsBefore = rig.events.length
    const sftp = { type: 'sftp', host: 'nas.lan', port: 70000, user: 'me', password: sftpPassword }
    expect((await refused(rig, 'remote:save', { name: 'NAS', remote: sftp })).message).toBe('remote.port: Ports go from 1 to 65535.')
    expect((await refused(rig, 'remote:test', { remote: { ...sftp, port: '22' } })).message).toMatch(/^remote\.port: /)
    expect((await refused(rig, 'mount:mount', { id: mountId, extra: true })).message).toMatch(/Unrecognized key.*extra/)
    expect((await refused(rig, 'mount:unmount', { id: 5 })).message).toMatch(/^id: /)
    expect((await refused(rig, 'mount:unmount', { id: mountId, force: 'yes' })).message).toMatch(/^force: /)
    expect((await refused(rig, 'mount:delete', {})).message).toMatch(/^id: /)
    expect((await refused(rig, 'remote:delete', { id: '../../etc' })).message).toMatch(/^id: Use lower-case letters/)
    await refused(rig, 'mount:logs', null)
    await refused(rig, 'mount:diagnostics', 'photos')
    await refused(rig, 'mount:share-link', { id: 'photos', path: '/x', expire: '2y' })
    await refused(rig, 'app:snapshot', { all: true })
    await refused(rig, 'system:check', [])
    await refused(rig, 'settings:set', { theme: 'pink' })
    await refused(rig, 'settings:set', { allowPlaintextSecrets: true, isAdmin: true })
    await refused(rig, 'mount:save', { remoteId, remotePath: bucket, localPath: 'relative/path' })
    await refused(rig, 'mount:save', { remoteId, remotePath: bucket, localPath: '/tmp/x', options: { extraArgs: '--rc-no-auth' } })
    await refused(rig, 'config:export', { includeSecrets: 'true' })
    await refused(rig, 'dialog:pick-folder', { title: 'x'.repeat(201) })
    // A payload that carries a secret is refused without echoing it.
    const echoed = await refused(rig, 'remote:save', { name: 'S3', remote: { ...s3Draft(), provider: 'Nope' } })
    expect(echoed.message).not.toContain(secret)
    // Not one of those reached the store or the mounts.
    expect(await readFile(rig.configFile, 'utf8')).toBe(configBefore)
    expect(rig.events.length).toBe(eventsBefore)
    expect(isMounted(localPath)).toBe(false)
  })

  it('refuses unknown ids and turns unexpected failures into a plain sentence, with no stack or secret', async () => {
    expect((await refused(rig, 'mount:mount', { id: 'nope' }, 'NOT_FOUND')).message).toMatch(/No mount has the id "nope"/)
    expect((await refused(rig, 'mount:open-folder', { id: 'nope' }, 'NOT_FOUND')).message).toMatch(/No mount has the id "nope"/)
    expect((await refused(rig, 'remote:delete', { id: 'nope' }, 'NOT_FOUND')).message).toMatch(/No remote has the id "nope"/)
    expect((await refused(rig, 'mount:save', { remoteId: 'nope', remotePath: bucket, localPath: '/tmp/y' }, 'NOT_FOUND')).message).toMatch(
      /No remote has the id/,
    )
    rig.shell.failOpen = new Error(`boom with ${secret} inside`)
    const error = await refused(rig, 'mount:open-folder', { id: mountId }, 'INTERNAL')
    rig.shell.failOpen = null
    expect(error).toEqual({
      code: 'INTERNAL',
      message: expect.stringMatching(/^RMount failed unexpectedly while handling mount:open-folder \(Error\)/),
    })
    expect(unexpected.length).toBe(1)
  })

  it('answers a failed mount with its error code, and its health says failed', async () => {
    const bad = await ok(rig, 'remote:save', { name: 'Bad key', remote: s3Draft(secret, 'NOT-THE-KEY') })
    const folder = await newMountFolder()
    const mount = await ok(rig, 'mount:save', { id: 'bad-mount', remoteId: bad.id, remotePath: bucket, localPath: folder })
    const error = await refused(rig, 'mount:mount', { id: mount.id }, 'AUTH_FAILED')
    expect(error.message).toMatch(/refused the credentials/)
    expect((await ok(rig, 'app:snapshot', undefined)).health[mount.id]).toMatchObject({
      state: 'failed',
      lastError: { code: 'AUTH_FAILED' },
    })
    // A failed mount runs no rclone, so it may be deleted.
    await ok(rig, 'mount:delete', { id: mount.id })
    await ok(rig, 'remote:delete', { id: bad.id })
  })

  it('deletes the mount once unmounted, then its remote', async () => {
    await ok(rig, 'mount:delete', { id: mountId })
    await ok(rig, 'remote:delete', { id: remoteId })
    const snapshot = await ok(rig, 'app:snapshot', undefined)
    expect(snapshot.mounts).toEqual([])
    expect(snapshot.remotes).toEqual([])
    expect(snapshot.health).toEqual({})
    // Quitting with nothing mounted is immediate, and announced to the window.
    expect(await rig.core.quitAll()).toEqual({ pendingFiles: {}, failed: {} })
    expect(rig.events.some((e) => e.channel === 'quit:progress')).toBe(true)
  })

  it('starts the local demo: a shared folder on 127.0.0.1, mounted; what is written arrives there; quitting stops its server', async () => {
    const rig = await newRig()
    const started = await ok(rig, 'demo:start', undefined)
    expect(started).toMatchObject({ remoteId: 'demo', mountId: 'demo', health: { state: 'mounted' } })
    const mount = rig.core.snapshot().mounts.find((m) => m.id === 'demo')!
    mountPoints.push(mount.localPath)
    const data = randomBytes(4096)
    await writeFile(join(mount.localPath, 'from-the-demo.bin'), data)
    // A second start while it runs reuses the server and the saved entries.
    expect((await ok(rig, 'demo:start', undefined)).health.state).toBe('mounted')
    expect(rig.core.snapshot().remotes.filter((r) => r.id === 'demo')).toHaveLength(1)
    const quit = await rig.core.quitAll()
    expect(quit.pendingFiles).toEqual({})
    const shared = join(dirname(mount.localPath), 'shared')
    expect(await readFile(join(shared, 'from-the-demo.bin'))).toEqual(data)
    expect(await rcloneGoneFor(shared)).toEqual([])
  })

  it('reached every request channel, and no answer or event ever carried a secret', async () => {
    expect([...channelsCalled].sort()).toEqual([...requestChannels].sort())
    expect(forwardedEvents).toEqual(eventChannels)
    const leaks = transcript.filter((text) => text.includes(secret) || text.includes(sftpPassword) || text.includes('aes-gcm-v1:'))
    expect(leaks).toEqual([])
    expect(transcript.some((text) => text.includes('"stack"'))).toBe(false)
  })
})

describe('isTrustedSender', () => {
  const fileApp = 'file:///opt/RMount/resources/app.asar/dist/renderer/index.html'
  const devApp = 'http://localhost:5173/'

  it('accepts the bundled page, with any fragment or query', () => {
    expect(isTrustedSender(fileApp, fileApp)).toBe(true)
    expect(isTrustedSender(`${fileApp}#mount=photos&view=logs`, fileApp)).toBe(true)
    expect(isTrustedSender(`${fileApp}?x=1`, fileApp)).toBe(true)
  })

  it('refuses every other file, traversal and encoding included', () => {
    for (const url of [
      'file:///opt/RMount/resources/app.asar/dist/renderer/other.html',
      'file:///tmp/index.html',
      'file:///opt/RMount/resources/app.asar/dist/renderer/index.html/',
      'file:///opt/RMount/resources/app.asar/dist/renderer/../../../../../tmp/evil/index.html',
      'file:///opt/RMount/resources/app.asar/dist/renderer/index%2ehtml',
      'file://evil.example/opt/RMount/resources/app.asar/dist/renderer/index.html',
    ])
      expect(isTrustedSender(url, fileApp), url).toBe(false)
  })

  it('accepts the dev server origin only', () => {
    expect(isTrustedSender('http://localhost:5173/', devApp)).toBe(true)
    expect(isTrustedSender('http://localhost:5173/src/index.html#mount=x', devApp)).toBe(true)
    for (const url of [
      'http://localhost:5174/',
      'https://localhost:5173/',
      'http://127.0.0.1:5173/',
      'http://localhost.evil.com:5173/',
      'file:///index.html',
    ])
      expect(isTrustedSender(url, devApp), url).toBe(false)
  })

  it('refuses other schemes, empty and unparsable URLs, whatever the app URL', () => {
    for (const url of [
      '',
      'about:blank',
      'devtools://devtools/bundled/inspector.html',
      'data:text/html,hi',
      'javascript:alert(1)',
      'not a url',
      'chrome-extension://abc/index.html',
    ])
      for (const app of [fileApp, devApp]) expect(isTrustedSender(url, app), `${url} vs ${app}`).toBe(false)
    expect(isTrustedSender(fileApp, 'not a url')).toBe(false)
    expect(isTrustedSender('about:blank', 'about:blank')).toBe(false)
  })
})
