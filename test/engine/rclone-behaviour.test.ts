/**
 * What the running rclone (vendored in the main run, 1.60 in the compatibility run) does where the
 * engine's workarounds depend on it, measured with rclone itself against a loopback SFTP server:
 *   - SIGTERM during an upload: 1.60 leaves a truncated file under the real name; 1.63+ only a .partial.
 *   - DEBUG prints the rc password (given in the environment) on stderr, on every version measured, so
 *     the engine logs at INFO; NOTICE's JSON level is "warning" before 1.70 and "notice" after.
 * docs/RCLONE.md has the numbers.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { execa } from 'execa'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { atLeast, features, findRclone, type RcloneInfo } from '../../electron/engine/rclone-binary.js'
import { startSftpPasswordServer, stopAllServers, tempDir, type SftpPasswordServer } from '../servers/index.js'
import { eventually, isMounted, rclonePidsFor } from '../mount-helpers.js'

let rclone: RcloneInfo
let sftp: SftpPasswordServer
const mountPoints: string[] = []

beforeAll(async () => {
  rclone = await findRclone()
  sftp = await startSftpPasswordServer()
})

afterEach(async () => {
  for (const path of mountPoints.splice(0)) {
    for (const pid of rclonePidsFor(path)) process.kill(pid, 'SIGKILL')
    if (isMounted(path)) await execa('fusermount3', ['-uz', path], { reject: false })
  }
})

afterAll(async () => {
  await stopAllServers()
})

/** The environment for an rclone mount of the test SFTP server as `:sftp:`, with nothing of the caller's RCLONE_*. */
async function sftpEnv(extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('RCLONE_') && key !== 'AWS_CA_BUNDLE') env[key] = value
  const obscured = (await execa(rclone.path, ['obscure', '-'], { input: sftp.password })).stdout.trim()
  return {
    ...env,
    RCLONE_SFTP_HOST: '127.0.0.1',
    RCLONE_SFTP_PORT: String(sftp.port),
    RCLONE_SFTP_USER: sftp.user,
    RCLONE_SFTP_PASS: obscured,
    RCLONE_SFTP_KNOWN_HOSTS_FILE: sftp.knownHostsFile,
    RCLONE_SFTP_SHELL_TYPE: 'unix',
    RCLONE_SFTP_MD5SUM_COMMAND: 'md5sum',
    RCLONE_SFTP_SHA1SUM_COMMAND: 'sha1sum',
    ...extra,
  }
}

/** Starts `rclone mount :sftp:` on a fresh folder; resolves once it is in the mount table. */
async function mount(args: string[], env: NodeJS.ProcessEnv, cacheDir: string) {
  const mnt = join(await tempDir('rmount-behaviour-mnt-'), 'mnt')
  await mkdir(mnt)
  mountPoints.push(mnt)
  const child = spawn(
    rclone.path,
    ['mount', ':sftp:', mnt, '--config', '/dev/null', '--cache-dir', cacheDir, '--vfs-cache-mode', 'writes', ...args],
    {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  )
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk))
  const exit = new Promise<number | null>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? -1 : null))))
  expect(await eventually(() => isMounted(mnt), 15_000), 'rclone mount came up').toBe(true)
  return { mnt, child, exit, stderr: () => stderr }
}

/** Files under the server's root with their sizes. */
async function serverFiles(): Promise<Record<string, number>> {
  const files: Record<string, number> = {}
  for (const name of await readdir(sftp.rootDir)) files[name] = (await stat(join(sftp.rootDir, name))).size
  return files
}

describe(`the running rclone's behaviour where workarounds depend on it`, () => {
  it('SIGTERM during an upload: truncated under the real name before 1.63, only a .partial after; the next mount completes it', async () => {
    const cacheDir = await tempDir('rmount-behaviour-cache-')
    const logFile = join(cacheDir, 'mount.log')
    const env = await sftpEnv()
    const first = await mount(['--vfs-write-back', '300ms', '--bwlimit', '200K', '--log-file', logFile, '-v'], env, cacheDir)
    const data = randomBytes(3 * 1024 * 1024)
    await writeFile(join(first.mnt, 'big.bin'), data)
    // Stop while the upload (about 15 s at 200 KiB/s) is under way: once part of it is on the server.
    expect(
      await eventually(async () => Object.values(await serverFiles()).some((size) => size > 256 * 1024), 20_000),
      'the upload started',
    ).toBe(true)
    first.child.kill('SIGTERM')
    expect(await first.exit).toBe(143)
    const left = await serverFiles()
    console.log(`${rclone.version}: after SIGTERM mid-upload the server holds ${JSON.stringify(left)}`)
    if (atLeast(rclone.semver, features.partialUploads)) {
      expect(left['big.bin'], 'no truncated file under the real name').toBeUndefined()
      expect(Object.keys(left)).toEqual([expect.stringMatching(/^big\.bin\..*\.partial$/)])
    } else {
      expect(left['big.bin']).toBeGreaterThan(0)
      expect(left['big.bin']).toBeLessThan(data.length)
    }
    // The file is still dirty in the cache: the next mount uploads it whole.
    const second = await mount(['--vfs-write-back', '300ms'], env, cacheDir)
    expect(await eventually(async () => (await serverFiles())['big.bin'] === data.length, 30_000), 'the next mount uploads it whole').toBe(
      true,
    )
    expect((await readFile(join(sftp.rootDir, 'big.bin'))).equals(data)).toBe(true)
    await execa('fusermount3', ['-u', second.mnt])
    expect(await second.exit).toBe(0)
  })

  it('DEBUG prints the rc password from the environment on stderr (so the engine logs at INFO); INFO does not; NOTICE in JSON per version', async () => {
    const password = randomBytes(12).toString('hex')
    const seen: Record<string, { leaked: boolean; levels: string[] }> = {}
    for (const level of ['DEBUG', 'INFO']) {
      const cacheDir = await tempDir('rmount-behaviour-cache-')
      const logFile = join(cacheDir, 'mount.log')
      const env = await sftpEnv({ RCLONE_RC_USER: 'rmount', RCLONE_RC_PASS: password })
      const m = await mount(
        ['--rc', '--rc-addr', '127.0.0.1:0', '--use-json-log', '--log-level', level, '--log-file', logFile],
        env,
        cacheDir,
      )
      await sleep(300)
      await execa('fusermount3', ['-u', m.mnt])
      await m.exit
      const log = await readFile(logFile, 'utf8')
      const levels = [...new Set([...log.matchAll(/"level":"(\w+)"/g)].map((match) => match[1]!))].sort()
      seen[level] = { leaked: m.stderr().includes(password) || log.includes(password), levels }
    }
    console.log(`${rclone.version}: ${JSON.stringify(seen)}`)
    expect(seen.DEBUG!.leaked).toBe(true)
    expect(seen.INFO!.leaked).toBe(false)
    // The rc address line is NOTICE, so it is in the INFO log under the version's name for that level.
    expect(seen.INFO!.levels).toContain(atLeast(rclone.semver, [1, 70, 0]) ? 'notice' : 'warning')
  })
})
