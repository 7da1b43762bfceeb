/**
 * A mount folder is matched against the kernel's mount table by its canonical path: trailing
 * slashes, `//`, `.`, `..` and symlinked parents (Fedora Atomic's /home → /var/home) no longer end
 * in MOUNT_TIMEOUT, and two names of one folder are one folder. Real s3rver, rclone and FUSE.
 */
import { existsSync } from 'node:fs'
import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { configFileSchema, normalizeFolderPath, RemoteMount } from '../../electron/engine/index.js'
import { unsafeMountFolder } from '../../electron/engine/mount-folder.js'
import { startS3, stopAllServers, tempDir, type S3Server } from '../servers/index.js'
import { cleanUpMounts, isMounted, rclonePidsFor, s3RemoteOf } from '../mount-helpers.js'

const bucket = 'paths'
const mounts: RemoteMount[] = []
const mountPoints = new Set<string>()
let s3: S3Server | null = null

afterEach(() => cleanUpMounts(mounts, mountPoints))
afterAll(stopAllServers)

async function newMount(localPath: string): Promise<RemoteMount> {
  s3 ??= await startS3({ buckets: [bucket] })
  // A short mount timeout: before the fix these mounts came up but were never recognised, and timed out.
  const m = new RemoteMount(s3RemoteOf(s3), bucket, localPath, { stateDir: await tempDir('rmount-paths-state-'), mountTimeoutMs: 8000 })
  mounts.push(m)
  return m
}

describe('mount folder paths', () => {
  it('normalises trailing slashes, //, . and .. as pure text', () => {
    expect(normalizeFolderPath('/srv/data/')).toBe('/srv/data')
    expect(normalizeFolderPath('//srv//data///')).toBe('/srv/data')
    expect(normalizeFolderPath('/srv/./x/../data/.')).toBe('/srv/data')
    expect(normalizeFolderPath('/../srv')).toBe('/srv')
    expect(normalizeFolderPath('/')).toBe('/')
  })

  it('mounts a folder given with a trailing slash, // and .. at once', async () => {
    const base = await realpath(await tempDir('rmount-paths-'))
    const folder = join(base, 'mnt')
    mountPoints.add(folder)
    const m = await newMount(`${base}//sub/../mnt/`)
    const started = performance.now()
    await m.mount()
    expect(performance.now() - started).toBeLessThan(5000)
    expect(m.localPath).toBe(folder)
    expect(m.health().localPath).toBe(folder)
    expect(isMounted(folder)).toBe(true)
    await writeFile(join(folder, 'through-the-mount.txt'), 'ok')
    await m.unmount()
    expect(isMounted(folder)).toBe(false)
    expect(await s3!.listKeys(bucket)).toContain('through-the-mount.txt')
  })

  it('mounts under a symlinked parent, recognised by its real path', async () => {
    const base = await realpath(await tempDir('rmount-paths-'))
    await mkdir(join(base, 'var-home'))
    await symlink(join(base, 'var-home'), join(base, 'home'))
    const real = join(base, 'var-home', 'mnt')
    mountPoints.add(real)
    const m = await newMount(join(base, 'home', 'mnt'))
    await m.mount()
    expect(m.localPath).toBe(real)
    expect(isMounted(real)).toBe(true)
    await m.unmount()
    expect(isMounted(real)).toBe(false)
  })

  it('refuses a mount folder that is itself a symlink with MOUNTPOINT_INVALID, before starting rclone', async () => {
    const base = await realpath(await tempDir('rmount-paths-'))
    await mkdir(join(base, 'target'))
    await symlink(join(base, 'target'), join(base, 'link'))
    const m = await newMount(join(base, 'link'))
    await expect(m.mount()).rejects.toMatchObject({ code: 'MOUNTPOINT_INVALID', message: expect.stringMatching(/symbolic link/) })
    expect(isMounted(join(base, 'target')) || isMounted(join(base, 'link'))).toBe(false)
    expect(rclonePidsFor(join(base, 'target'))).toEqual([])
    expect(rclonePidsFor(join(base, 'link'))).toEqual([])
  })

  it('refuses to mount on the home folder, its parents, inside its hidden folders, or on system folders', async () => {
    const base = await realpath(await tempDir('rmount-paths-'))
    const home = join(base, 'home', 'me')
    await mkdir(join(home, '.ssh'), { recursive: true })
    await writeFile(join(home, '.ssh', 'authorized_keys'), 'ssh-ed25519 AAAA mine\n')
    const savedHome = process.env.HOME
    process.env.HOME = home
    try {
      const cases: [string, RegExp][] = [
        [home, /is your home folder/],
        [join(base, 'home'), /holds your home folder/],
        [join(home, '.ssh'), /is inside .*\.ssh, where programs keep keys/],
        [join(home, '.config', 'autostart'), /is inside .*\.config/],
        ['/etc/cron.d', /is a system folder \(\/etc\)/],
        ['/', /does not mount on \//],
      ]
      for (const [folder, message] of cases) {
        const m = await newMount(folder)
        await expect(m.mount(), folder).rejects.toMatchObject({ code: 'MOUNTPOINT_INVALID', message: expect.stringMatching(message) })
        expect(rclonePidsFor(folder)).toEqual([])
      }
      expect(isMounted(join(home, '.ssh'))).toBe(false)
      expect(existsSync(join(home, '.config'))).toBe(false)
    } finally {
      process.env.HOME = savedHome
    }
    expect(unsafeMountFolder('/home/me/remote', '/home/me')).toBeNull()
    expect(unsafeMountFolder('/mnt/remote', '/home/me')).toBeNull()
    expect(unsafeMountFolder('/root/remote', '/root')).toBeNull()
  })

  it('counts two spellings of one folder as a duplicate in a config', () => {
    const remote = { id: 'r', name: 'R', remote: { type: 'sftp', host: 'h', user: 'u', agent: true } }
    for (const [a, b] of [
      ['/srv/m', '/srv/m/'],
      ['/srv/m', '//srv/./m'],
      ['/srv/m', '/srv/x/../m'],
    ]) {
      const result = configFileSchema.safeParse({
        version: 1,
        remotes: [remote],
        mounts: [
          { id: 'a', remoteId: 'r', remotePath: '/', localPath: a },
          { id: 'b', remoteId: 'r', remotePath: '/', localPath: b },
        ],
      })
      expect(result.success, `${a} and ${b}`).toBe(false)
      expect(result.error?.issues[0]?.message).toBe('Two mounts use the folder /srv/m.')
    }
  })
})
