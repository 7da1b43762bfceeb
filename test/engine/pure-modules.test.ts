/** The engine's pure decisions, each checked on plain data (and, for obscure, against rclone itself). */
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { remoteSchema, configFileSchema, mountOptionsSchema } from '../../shared/config.js'
import { classifyRcloneError } from '../../electron/engine/classify-error.js'
import { parseMountinfo, findMount } from '../../electron/engine/mountinfo.js'
import { obscure } from '../../electron/engine/obscure.js'
import { atLeast, parseVersion, type RcloneInfo } from '../../electron/engine/rclone-binary.js'
import { backendArgs, backendConfig, caBundleFromEnv, childEnv, mountArgs, mountPaths } from '../../electron/engine/rclone-config.js'
import { LineSplitter, parseLogLine, Ring } from '../../electron/engine/rclone-log.js'
import { makeRedactor } from '../../electron/engine/redact.js'
import { decideRestart, defaultRestartPolicy } from '../../electron/engine/restart-policy.js'
import { canTransition } from '../../electron/engine/mount-states.js'
import { parseKeyscan, knownHostsName } from '../../electron/engine/host-key-pin.js'
import { refreshCalls } from '../../electron/engine/change-check.js'
import { rcEndpoint } from '../../electron/engine/rc-endpoint.js'

const rclone160: RcloneInfo = { path: '/usr/bin/rclone', version: 'v1.60.1-DEV', semver: [1, 60, 1] }
const rclone168: RcloneInfo = { path: '/opt/rclone', version: 'v1.68.2', semver: [1, 68, 2] }

describe('rclone launch plan', () => {
  const s3 = remoteSchema.parse({
    type: 's3',
    provider: 'Minio',
    endpoint: 'http://127.0.0.1:9000',
    accessKeyId: 'AKID',
    secretAccessKey: 'very-secret-key',
  })
  const sftp = remoteSchema.parse({ type: 'sftp', host: 'example.org', user: 'me', password: 'pa55word!', keyFile: '/home/me/.ssh/id' })
  const options = mountOptionsSchema.parse({})
  const paths = mountPaths('/mnt/x', '/state/x')

  it('puts secrets in the environment only, never in the arguments', () => {
    for (const remote of [s3, sftp]) {
      const backend = backendConfig(remote, rclone160, { caBundle: '/etc/ssl/ca.pem' })
      const args = mountArgs('bucket', '/mnt/x', options, paths, backend)
      for (const secret of backend.secrets) expect(args.join(' ')).not.toContain(secret)
      expect(backend.secrets.length).toBeGreaterThan(0)
    }
    const sftpEnv = backendConfig(sftp, rclone160).env
    expect(sftpEnv.RCLONE_CONFIG_RMOUNT_PASS).not.toBe('pa55word!')
    expect(sftpEnv.RCLONE_CONFIG_RMOUNT_KEY_FILE).toBe('/home/me/.ssh/id')
  })

  it('uses no config file, a private cache, a log file, an rc endpoint on loopback and bounded timeouts', () => {
    const args = mountArgs('bucket/prefix', '/mnt/x', options, paths, backendConfig(s3, rclone160))
    const flag = (name: string) => args[args.indexOf(name) + 1]
    expect(args.slice(0, 3)).toEqual(['mount', 'rmount:bucket/prefix', '/mnt/x'])
    expect(flag('--config')).toBe('/dev/null')
    expect(flag('--cache-dir')).toBe('/state/x/cache')
    expect(flag('--log-file')).toBe('/state/x/rclone.log')
    expect(flag('--log-level')).toBe('INFO')
    expect(flag('--rc-addr')).toBe('127.0.0.1:0')
    expect(flag('--vfs-cache-mode')).toBe('writes')
    expect(flag('--timeout')).toBe('15s')
    expect(args).not.toContain('--rc-no-auth')
    expect(args).not.toContain('--allow-non-empty')
  })

  it('refuses extra arguments that would open the rc endpoint or move the cache, in the schema and in mountArgs', () => {
    for (const bad of ['--rc-no-auth', '--rc-addr=0.0.0.0:5572', '--config', '--cache-dir=/tmp', '-vv', '--log-level=DEBUG']) {
      expect(mountOptionsSchema.safeParse({ extraArgs: [bad] }).success).toBe(false)
      // Options built by hand, past the schema, are refused by mountArgs too.
      const withBad = { ...mountOptionsSchema.parse({}), extraArgs: [bad] }
      expect(() => mountArgs('b', '/mnt/x', withBad, paths, backendConfig(s3, rclone160))).toThrow(
        expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining(bad.split('=')[0]!) }),
      )
    }
    expect(
      mountArgs('b', '/mnt/x', mountOptionsSchema.parse({ extraArgs: ['--bwlimit=1M'] }), paths, backendConfig(s3, rclone160)),
    ).toContain('--bwlimit=1M')
  })

  it('drops AWS_CA_BUNDLE and every RCLONE_ variable from the child environment, and hands the bundle to --ca-cert', () => {
    const env = childEnv(
      { PATH: '/usr/bin', AWS_CA_BUNDLE: '/ca.pem', RCLONE_RC_NO_AUTH: 'true', RCLONE_CONFIG_RMOUNT_TYPE: 'local' },
      { RCLONE_RC_USER: 'u' },
    )
    expect(env).toEqual({ PATH: '/usr/bin', RCLONE_RC_USER: 'u' })
    expect(backendConfig(s3, rclone160, { caBundle: '/ca.pem' }).args).toEqual(['--ca-cert', '/ca.pem'])
    // The one rule for every rclone RMount starts (mount, Test connection, the rclone flags shown): an existing file, S3 only.
    expect(caBundleFromEnv({ AWS_CA_BUNDLE: '/no/such/ca.pem' })).toBeUndefined()
    expect(caBundleFromEnv({ AWS_CA_BUNDLE: process.execPath })).toBe(process.execPath)
    expect(backendArgs('sftp', process.execPath)).toEqual([])
  })

  it('gates GCS on rclone 1.63 and sets the AWS ACL rclone 1.60 needs', () => {
    const gcs = remoteSchema.parse({ type: 's3', provider: 'GCS', accessKeyId: 'GOOG', secretAccessKey: 'secret' })
    expect(() => backendConfig(gcs, rclone160)).toThrow(
      expect.objectContaining({ code: 'RCLONE_TOO_OLD', message: expect.stringContaining('1.63') }),
    )
    expect(backendConfig(gcs, rclone168).env.RCLONE_CONFIG_RMOUNT_ENDPOINT).toBe('https://storage.googleapis.com')
    const aws = remoteSchema.parse({ type: 's3', provider: 'AWS', accessKeyId: 'AKID', secretAccessKey: 'secret' })
    expect(backendConfig(aws, rclone160).env.RCLONE_CONFIG_RMOUNT_ACL).toBe('bucket-owner-full-control')
    expect(backendConfig(aws, rclone168).env.RCLONE_CONFIG_RMOUNT_ACL).toBeUndefined()
    expect(backendConfig(aws, rclone160).env.RCLONE_CONFIG_RMOUNT_REGION).toBe('us-east-1')
  })

  it('reads secrets from named environment variables, and says which one is missing', () => {
    const fromEnv = remoteSchema.parse({
      type: 's3',
      provider: 'Minio',
      endpoint: 'http://h:1',
      accessKeyId: 'A',
      secretAccessKey: { env: 'RMOUNT_TEST_SECRET_UNSET' },
    })
    expect(() => backendConfig(fromEnv, rclone160)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('RMOUNT_TEST_SECRET_UNSET') }),
    )
    process.env.RMOUNT_TEST_SECRET_SET = 'from-env-secret'
    try {
      const set = remoteSchema.parse({ ...fromEnv, secretAccessKey: { env: 'RMOUNT_TEST_SECRET_SET' } })
      expect(backendConfig(set, rclone160).env.RCLONE_CONFIG_RMOUNT_SECRET_ACCESS_KEY).toBe('from-env-secret')
    } finally {
      delete process.env.RMOUNT_TEST_SECRET_SET
    }
  })

  it('keeps the default state folder stable per local folder', () => {
    expect(mountPaths('/home/me/a').stateDir).toBe(mountPaths('/home/me/a').stateDir)
    expect(mountPaths('/home/me/a').stateDir).not.toBe(mountPaths('/home/me/b').stateDir)
  })
})

describe('obscure', () => {
  it('is what rclone reveals, and stable for one password (the cache path depends on it)', () => {
    const password = 'correct horse battery staple ✓'
    const obscured = obscure(password)
    expect(obscure(password)).toBe(obscured)
    expect(obscure('other')).not.toBe(obscured)
    expect(execFileSync('rclone', ['reveal', obscured, '--config', '/dev/null'], { encoding: 'utf8' }).trim()).toBe(password)
  })
})

describe('schemas', () => {
  it('explains a bad SFTP port and a missing login method in words a person understands', () => {
    const result = remoteSchema.safeParse({ type: 'sftp', host: 'h', port: 70000, user: 'u' })
    expect(result.success).toBe(false)
    const messages = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    expect(messages).toContain('port: Ports go from 1 to 65535.')
  })

  it('asks S3 remotes for keys or environment credentials, and non-AWS providers for an endpoint', () => {
    expect(remoteSchema.safeParse({ type: 's3', provider: 'AWS' }).error?.issues[0]?.message).toMatch(/access key/)
    expect(remoteSchema.safeParse({ type: 's3', provider: 'AWS', envAuth: true }).success).toBe(true)
    expect(remoteSchema.safeParse({ type: 's3', provider: 'Minio', envAuth: true }).error?.issues[0]?.path).toEqual(['endpoint'])
  })

  it('checks that mounts name existing remotes and distinct folders', () => {
    const remote = { id: 'r1', name: 'R', remote: { type: 'sftp', host: 'h', user: 'u', agent: true } }
    const mount = { id: 'm1', remoteId: 'r1', remotePath: '/srv', localPath: '/mnt/a' }
    expect(configFileSchema.safeParse({ version: 1, remotes: [remote], mounts: [mount] }).success).toBe(true)
    const bad = configFileSchema.safeParse({ version: 1, remotes: [remote], mounts: [mount, { ...mount, id: 'm2', remoteId: 'nope' }] })
    expect(bad.error?.issues.map((i) => i.message)).toEqual(['No remote has the id "nope".', 'Two mounts use the folder /mnt/a.'])
  })
})

describe('rclone output', () => {
  it('parses JSON log lines, NOTICE written as warning, and plain-text fatal lines', () => {
    const json = parseLogLine(
      '{"level":"warning","msg":"Serving remote control on http://127.0.0.1:1234/","source":"x","time":"2026-11-25T16:20:06.531273+00:00"}',
    )
    expect(json).toMatchObject({ level: 'notice', message: 'Serving remote control on http://127.0.0.1:1234/' })
    expect(json!.time).toBe(Date.parse('2026-11-25T16:20:06.531273+00:00'))
    expect(parseLogLine('2026/11/23 10:00:00 Failed to create file system for "rmount:": NewFs: couldn\'t connect SSH')).toMatchObject({
      level: 'critical',
    })
    expect(parseLogLine('2026/11/23 10:00:00 ERROR : a.txt: failed to upload')).toMatchObject({
      level: 'error',
      message: 'a.txt: failed to upload',
    })
    expect(parseLogLine('   ')).toBeNull()
  })

  it('splits a stream into whole lines and keeps a bounded tail', () => {
    const splitter = new LineSplitter()
    expect(splitter.push('a\nb')).toEqual(['a'])
    expect(splitter.push('c\nd\n')).toEqual(['bc', 'd'])
    const ring = new Ring<number>(3)
    for (let i = 0; i < 10; i++) ring.push(i)
    expect(ring.toArray()).toEqual([7, 8, 9])
    expect(ring.tail(2)).toEqual([8, 9])
  })

  it('maps the error texts rclone prints to codes', () => {
    expect(
      classifyRcloneError(
        "NewFs: couldn't connect SSH: ssh: handshake failed: ssh: unable to authenticate, attempted methods [none publickey]",
      ),
    ).toBe('AUTH_FAILED')
    expect(classifyRcloneError('InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.')).toBe('AUTH_FAILED')
    expect(classifyRcloneError('ssh: handshake failed: knownhosts: key mismatch')).toBe('HOST_KEY_MISMATCH')
    expect(classifyRcloneError('error in ListJSON: directory not found')).toBe('REMOTE_NOT_FOUND')
    expect(classifyRcloneError('dial tcp 127.0.0.1:1: connect: connection refused')).toBe('REMOTE_UNREACHABLE')
    expect(classifyRcloneError('Fatal error: directory already mounted, use --allow-non-empty to mount anyway')).toBe('MOUNTPOINT_BUSY')
    expect(classifyRcloneError('something else entirely')).toBeNull()
  })

  it('reads versions and compares them', () => {
    expect(parseVersion('rclone v1.60.1-DEV\n- os/version: debian')).toEqual({ version: 'v1.60.1-DEV', semver: [1, 60, 1] })
    expect(parseVersion('not rclone')).toBeNull()
    expect(atLeast([1, 63, 0], [1, 63, 0])).toBe(true)
    expect(atLeast([1, 60, 9], [1, 63, 0])).toBe(false)
    expect(atLeast([2, 0, 0], [1, 63, 0])).toBe(true)
  })
})

describe('mount table', () => {
  it('parses mountinfo with escaped paths and finds the last mount at a path', () => {
    const text = [
      '42 27 0:39 / /tmp/with\\040space rw,nosuid - fuse.rclone rmount{abc}:bkt rw,user_id=0',
      '43 27 0:40 / /tmp/x rw - tmpfs none rw',
      '44 27 0:41 / /tmp/x rw - fuse.rclone rmount:b rw',
    ].join('\n')
    const entries = parseMountinfo(text)
    expect(entries[0]).toEqual({ mountPoint: '/tmp/with space', fsType: 'fuse.rclone', source: 'rmount{abc}:bkt' })
    expect(findMount(entries, '/tmp/x')?.fsType).toBe('fuse.rclone')
    expect(findMount(entries, '/tmp/none')).toBeUndefined()
  })
})

describe('restart policy', () => {
  it('restarts at once first, then backs off with jitter, then gives up within the window', () => {
    const policy = { ...defaultRestartPolicy, maxRestarts: 3, windowMs: 60_000, baseDelayMs: 500 }
    expect(decideRestart(policy, [], 1000)).toEqual({ restart: true, delayMs: 0 })
    const second = decideRestart(policy, [0], 1000, () => 0.5)
    expect(second).toEqual({ restart: true, delayMs: 375 })
    const third = decideRestart(policy, [0, 500], 1000, () => 1)
    expect(third).toEqual({ restart: true, delayMs: 1000 })
    expect(decideRestart(policy, [0, 500, 900], 1000)).toEqual({ restart: false })
    // Old restarts fall out of the window.
    expect(decideRestart(policy, [0, 500, 900], 70_000)).toEqual({ restart: true, delayMs: 0 })
  })

  it('allows only the transitions of the state diagram', () => {
    expect(canTransition('mounted', 'degraded')).toBe(true)
    expect(canTransition('unmounted', 'mounted')).toBe(false)
    expect(canTransition('failed', 'mounting')).toBe(true)
  })
})

describe('redaction and host keys', () => {
  it('removes secrets and their URL-encoded forms from text', () => {
    const redact = makeRedactor(['s3cr3t/key+x', 'abc'])
    expect(redact('key s3cr3t/key+x and s3cr3t%2Fkey%2Bx and abc')).toBe('key *** and *** and abc')
  })

  it('names hosts as known_hosts does and fingerprints keyscan output', () => {
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222')
    expect(knownHostsName('example.org', 22)).toBe('example.org')
    const line = '[127.0.0.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEvqk1sGfzW1jv2vqVmsH2nMmv1VhTsyxEfmhU4zyFMv'
    const [key] = parseKeyscan(`# comment\n${line}\n`)
    expect(key!.type).toBe('ssh-ed25519')
    expect(key!.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
  })
})

describe('pending uploads', () => {
  it('names dirty files relative to the mount root, with or without a running rclone', async () => {
    const { mkdtemp, mkdir, rm, writeFile } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { listDirtyFiles } = await import('../../electron/engine/pending-uploads.js')
    const { pendingUploadTotals } = await import('../../electron/engine/pending-uploads.js')
    const cache = await mkdtemp(join(tmpdir(), 'rmount-pending-'))
    try {
      const meta = join(cache, 'vfsMeta', 'rmount{abc}', 'bucket', 'prefix')
      await mkdir(join(meta, 'dir'), { recursive: true })
      await writeFile(join(meta, 'dir', 'a.txt'), JSON.stringify({ Dirty: true, Size: 1234 }))
      await writeFile(join(meta, 'dir', 'b.txt'), JSON.stringify({ Dirty: true, Size: 66 }))
      await writeFile(join(meta, 'clean.txt'), JSON.stringify({ Dirty: false, Size: 99 }))
      await writeFile(join(meta, 'torn.txt'), '{"Dirt')
      expect(await listDirtyFiles(cache, meta, 'bucket/prefix')).toEqual(['dir/a.txt', 'dir/b.txt'])
      expect(await listDirtyFiles(cache, null, 'bucket/prefix')).toEqual(['dir/a.txt', 'dir/b.txt'])
      expect(await listDirtyFiles(join(cache, 'none'), null, 'bucket')).toEqual([])
      expect(await pendingUploadTotals(cache)).toEqual({ files: 2, bytes: 1300 })
    } finally {
      await rm(cache, { recursive: true, force: true })
    }
  })
})

describe('rc endpoint and remote changes', () => {
  const s3 = remoteSchema.parse({
    type: 's3',
    provider: 'Minio',
    endpoint: 'http://127.0.0.1:9000',
    accessKeyId: 'AKID',
    secretAccessKey: 'k',
  })
  it('puts rc on a unix socket in the state folder from rclone 1.69 (auth on sockets), loopback TCP before', () => {
    expect(rcEndpoint({ semver: [1, 69, 0] }, '/state/x')).toEqual({ socketPath: '/state/x/rc.sock', addr: 'unix:///state/x/rc.sock' })
    // 1.61 to 1.68 serve sockets without checking credentials.
    expect(rcEndpoint(rclone168, '/state/x')).toEqual({ socketPath: null, addr: '127.0.0.1:0' })
    expect(rcEndpoint(rclone160, '/state/x')).toEqual({ socketPath: null, addr: '127.0.0.1:0' })
    // A socket path must fit in sun_path (108 bytes).
    expect(rcEndpoint({ semver: [1, 75, 2] }, `/${'d'.repeat(100)}`).socketPath).toBeNull()
    const args = mountArgs(
      'b',
      '/mnt/x',
      mountOptionsSchema.parse({}),
      mountPaths('/mnt/x', '/state/x'),
      backendConfig(s3, rclone160),
      'unix:///state/x/rc.sock',
    )
    expect(args[args.indexOf('--rc-addr') + 1]).toBe('unix:///state/x/rc.sock')
  })

  it('looks for remote changes every changeCheckSeconds (5 s unless set) through --dir-cache-time, and checks the range', () => {
    const args = (options: object) =>
      mountArgs('b', '/mnt/x', mountOptionsSchema.parse(options), mountPaths('/mnt/x', '/s'), backendConfig(s3, rclone160))
    expect(args({})[args({}).indexOf('--dir-cache-time') + 1]).toBe('5s')
    expect(args({ changeCheckSeconds: 60 })[args({ changeCheckSeconds: 60 }).indexOf('--dir-cache-time') + 1]).toBe('60s')
    for (const bad of [0, 1.5, 86_401]) expect(mountOptionsSchema.safeParse({ changeCheckSeconds: bad }).success).toBe(false)
  })

  it('refreshes by forgetting every listing, then rereading the root and each folder above a file waiting to upload', () => {
    expect(refreshCalls([])).toEqual([
      { method: 'vfs/forget', params: {} },
      { method: 'vfs/refresh', params: {} },
    ])
    expect(refreshCalls(['top.txt', 'a/b/c.txt', 'a/d.txt']).at(-1)).toEqual({ method: 'vfs/refresh', params: { dir0: 'a', dir1: 'a/b' } })
  })
})
