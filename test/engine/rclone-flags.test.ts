/**
 * The allow-list of extra rclone options: what it lets through, what it refuses (naming the flag,
 * never quoting a value), that each allowed flag exists in the rclones we ship and support, and
 * that the library refuses before anything runs.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { mountOptionsSchema, RemoteMount, RmountError } from '../../electron/engine/index.js'
import type { RcloneInfo } from '../../electron/engine/rclone-binary.js'
import { backendConfig, mountArgs, mountPaths, requireFlagSupport } from '../../electron/engine/rclone-config.js'
import { allowedRcloneFlags, extraArgProblem } from '../../shared/rclone-flags.js'
import { stopAllServers, tempDir } from '../servers/index.js'
import { hostileArgs } from '../hostile-payloads.js'

const rclone160: RcloneInfo = { path: '/usr/bin/rclone', version: 'v1.60.1-DEV', semver: [1, 60, 1] }
const rclone175: RcloneInfo = { path: 'vendor/bin/rclone', version: 'v1.75.2', semver: [1, 75, 2] }

describe('extra rclone options', () => {
  it('lets through what people tune, as --name=value or bare booleans', () => {
    for (const arg of [
      '--vfs-cache-mode=full',
      '--vfs-cache-max-size=10G',
      '--vfs-cache-max-age=1h30m',
      '--vfs-cache-min-free-space=5Gi',
      '--buffer-size=32M',
      '--vfs-read-ahead=128Mi',
      '--vfs-read-chunk-size-limit=off',
      '--bwlimit=10M:1M',
      '--bwlimit=off',
      '--tpslimit=2.5',
      '--transfers=8',
      '--checkers=16',
      '--timeout=1m',
      '--contimeout=500ms',
      '--low-level-retries=5',
      '--read-only',
      '--read-only=false',
      '--uid=1000',
      '--gid=1000',
      '--umask=022',
      '--dir-perms=0755',
      '--file-perms=644',
      '--s3-chunk-size=16M',
      '--sftp-concurrency=4',
      '--allow-other',
    ])
      expect(extraArgProblem(arg), arg).toBeNull()
  })

  it('refuses flags that run programs, dump, open the rc or move config, cache and logs, naming each', () => {
    for (const [arg, name] of hostileArgs) {
      const problem = extraArgProblem(arg)
      expect(problem, arg).toMatch(new RegExp(`^${name.replace(/[-]/g, '\\-')} is not an allowed rclone flag\\.`))
      const parsed = mountOptionsSchema.safeParse({ extraArgs: [arg] })
      expect(parsed.success).toBe(false)
      expect(parsed.error?.issues[0]?.path).toEqual(['extraArgs', 0])
    }
  })

  it('refuses values of the wrong shape, values given apart, and line breaks', () => {
    const refused = [
      '--transfers',
      '--transfers=8 --dump',
      '--transfers=-1',
      '--bwlimit=10M 1M',
      '--bwlimit=08:00,512k',
      '--umask=4777',
      '--uid=-1',
      '--allow-other=yes',
      '--vfs-cache-mode=everything',
      '--timeout=5 minutes',
      '--vfs-cache-max-size=10G\n--dump=headers',
      '--read-only=true\n',
    ]
    for (const arg of refused) expect(extraArgProblem(arg), arg).not.toBeNull()
    expect(mountOptionsSchema.safeParse({ extraArgs: ['--transfers', '8'] }).success).toBe(false)
    expect(extraArgProblem('--allow-other=1')).toMatch(/user_allow_other/)
  })

  it('never quotes a value or an item that is not a flag: it may be a secret', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
    for (const arg of [`--s3-secret-access-key=${secret}`, secret, `--transfers=${secret}`, `-${secret}`, `--sftp-pass=${secret}`]) {
      const problem = extraArgProblem(arg)
      expect(problem).not.toBeNull()
      expect(problem).not.toContain(secret)
      expect(problem).not.toContain('EXAMPLEKEY')
    }
  })

  it('names only flags that exist in the bundled rclone and in 1.60, unless gated on the version that added them', () => {
    const known = (rclone: string) => {
      const help =
        execFileSync(rclone, ['help', 'flags'], { encoding: 'utf8' }) + execFileSync(rclone, ['mount', '--help'], { encoding: 'utf8' })
      return new Set(help.match(/--[a-z0-9-]+/g))
    }
    const bundled = known(join('vendor', 'bin', 'rclone'))
    const debian = existsSync('/usr/bin/rclone') ? known('/usr/bin/rclone') : null
    expect(debian, 'Debian rclone 1.60 is the compatibility floor and must be installed').not.toBeNull()
    for (const [name, flag] of Object.entries(allowedRcloneFlags)) {
      expect(bundled.has(name), `${name} in rclone 1.75`).toBe(true)
      expect(debian!.has(name), `${name} in rclone 1.60`).toBe(!flag.since)
    }
  })

  it('refuses a flag newer than the rclone that would run it', () => {
    expect(() => requireFlagSupport(['--vfs-read-chunk-streams=4'], rclone160)).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message: expect.stringMatching(/--vfs-read-chunk-streams needs rclone v1\.68\.0/),
      }),
    )
    expect(() => requireFlagSupport(['--vfs-read-chunk-streams=4', '--transfers=8'], rclone175)).not.toThrow()
  })

  it('the library refuses them too: the constructor, and mountArgs and mount() for options changed behind its back', async () => {
    const remote = { type: 's3', provider: 'Minio', endpoint: 'http://127.0.0.1:1', accessKeyId: 'K', secretAccessKey: 'S' } as const
    const folder = join(await tempDir('rmount-flags-'), 'mnt')
    for (const [arg, name] of hostileArgs) {
      let caught: unknown
      try {
        new RemoteMount(remote, 'b', folder, { extraArgs: [arg] })
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(RmountError)
      expect(caught).toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining(name) })
    }
    const stateDir = join(await tempDir('rmount-flags-'), 'state')
    const m = new RemoteMount(remote, 'b', folder, { stateDir, extraArgs: ['--transfers=8'] })
    ;(m.options.extraArgs as string[]).push(`--sftp-ssh=sh -c 'touch /tmp/x'`)
    expect(() => mountArgs('b', folder, m.options, mountPaths(folder, stateDir), backendConfig(remote, rclone175))).toThrow(/--sftp-ssh/)
    await expect(m.mount()).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('--sftp-ssh') })
    // Refused before the cache folder (the first thing a start writes) exists.
    expect(existsSync(stateDir)).toBe(false)
  })
})

afterAll(() => stopAllServers())
