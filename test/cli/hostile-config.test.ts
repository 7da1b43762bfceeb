/**
 * `rmount up --config` with a config file written by someone else. Each payload tries one hole of
 * the trust boundary; after each, nothing ran, nothing was written outside the test's folders, no
 * secret is in the output, and the command exited non-zero naming the problem. Built CLI, real rclone.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { stopAllServers, tempDir } from '../servers/index.js'
import { rclonePidsFor } from '../mount-helpers.js'
import { hostileArgs } from '../hostile-payloads.js'

const cli = fileURLToPath(new URL('../../dist/electron/cli/rmount.js', import.meta.url))
const inlineSecret = 'INLINE-Pa55w0rd-7f3c9e'
const envSecret = 'ENV-SecretKey-a81d2b'

function runUp(file: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'up', '--config', file], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d))
    child.stderr.on('data', (d: Buffer) => (output += d))
    child.on('close', (code) => resolve({ code, output }))
  })
}

interface Case {
  /** What the payload tries. */
  name: string
  /** The config file's text. */
  text: (paths: Paths) => string
  /** What the error must say. */
  names: RegExp
}

interface Paths {
  dir: string
  marker: string
  outside: string
  goodFolder: string
  badFolder: string
}

/** A config with a valid mount and one carrying `options`, both on remotes holding secrets. */
function configWith(paths: Paths, options: Record<string, unknown>): string {
  return JSON.stringify({
    version: 1,
    remotes: [
      { id: 'ssh', name: 'SSH', remote: { type: 'sftp', host: '127.0.0.1', port: 9, user: 'u', password: inlineSecret } },
      {
        id: 's3',
        name: 'S3',
        remote: {
          type: 's3',
          provider: 'Minio',
          endpoint: 'http://127.0.0.1:9',
          accessKeyId: 'AK',
          secretAccessKey: { env: 'HOSTILE_SECRET' },
        },
      },
    ],
    mounts: [
      { id: 'good', remoteId: 's3', remotePath: 'bucket', localPath: paths.goodFolder, mountAtStart: true },
      { id: 'bad', remoteId: 'ssh', remotePath: '/', localPath: paths.badFolder, mountAtStart: true, options },
    ],
  })
}

const cases: Case[] = [
  ...hostileArgs.map(([arg, name]): Case => ({
    name: `extra option ${name}`,
    text: (paths) => configWith(paths, { extraArgs: [arg.replace('/tmp/x', paths.marker)] }),
    names: new RegExp(`mounts\\.1\\.options\\.extraArgs\\.0: ${name} is not an allowed rclone flag`),
  })),
  {
    name: '--sftp-ssh with its command as a separate item',
    text: (paths) => configWith(paths, { extraArgs: ['--transfers=4', '--sftp-ssh', `sh -c 'touch ${paths.marker}'`] }),
    names: /extraArgs\.1: --sftp-ssh is not an allowed rclone flag/,
  },
  {
    name: '--dump headers as two items',
    text: (paths) => configWith(paths, { extraArgs: ['--dump', 'headers'] }),
    names: /extraArgs\.0: --dump is not an allowed rclone flag/,
  },
  {
    name: 'a log file outside the state folder',
    text: (paths) => configWith(paths, { extraArgs: [`--log-file=${join(paths.outside, 'leak.log')}`] }),
    names: /--log-file is not an allowed rclone flag/,
  },
  {
    name: 'rclonePath naming another program',
    text: (paths) => configWith(paths, { rclonePath: '/bin/sh' }),
    names: /mounts\.1\.options\.rclonePath: a config file may not name a program to run/,
  },
  {
    name: 'a JSON syntax error right beside a secret',
    text: () => `{\n  "version": 1,\n  "remotes": [{ "password": ${inlineSecret} }]\n}`,
    names: /is not valid JSON at line 3, column 29: expected a value/,
  },
  {
    name: 'an unterminated string holding a secret',
    text: () => `{ "version": 1, "remotes": [{ "password": "${envSecret}`,
    names: /is not valid JSON at line 1, column \d+: expected a closing " of the string/,
  },
]

describe('rmount up with a hostile config file', () => {
  it.each(cases)('refuses $name: exits non-zero naming it, runs nothing, writes nothing, leaks nothing', async ({ text, names }) => {
    const dir = await tempDir('rmount-hostile-')
    const paths: Paths = {
      dir,
      marker: join(dir, 'PWNED'),
      outside: join(dir, 'outside'),
      goodFolder: join(dir, 'good'),
      badFolder: join(dir, 'bad'),
    }
    await mkdir(paths.outside)
    const stateHome = join(dir, 'state-home')
    const file = join(dir, 'config.json')
    const content = text(paths)
    await writeFile(file, content, { mode: 0o600 })

    const { code, output } = await runUp(file, { ...process.env, HOSTILE_SECRET: envSecret, XDG_STATE_HOME: stateHome })

    expect(code, output).toBe(2)
    expect(output).toMatch(/INVALID_CONFIG/)
    expect(output).toMatch(names)
    for (const secret of [inlineSecret, envSecret]) expect(output).not.toContain(secret)
    expect(existsSync(paths.marker), 'the payload ran').toBe(false)
    // Nothing was written: no mount folder, no state folder, nothing in the "outside" folder, the file untouched.
    expect((await readdir(dir)).sort()).toEqual(['config.json', 'outside'])
    expect(await readdir(paths.outside)).toEqual([])
    expect(await readFile(file, 'utf8')).toBe(content)
    expect([...rclonePidsFor(paths.goodFolder), ...rclonePidsFor(paths.badFolder)]).toEqual([])
  })

  it("refuses a state folder that is not RMount's (a .ssh folder), before writing there or starting rclone", async () => {
    const dir = await tempDir('rmount-hostile-')
    const ssh = join(dir, 'dot-ssh')
    await mkdir(ssh)
    const knownHosts = 'github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n'
    await writeFile(join(ssh, 'known_hosts'), knownHosts)
    await writeFile(join(ssh, 'id_ed25519'), 'PRIVATE KEY')
    const file = join(dir, 'config.json')
    const localPath = join(dir, 'mnt')
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        remotes: [{ id: 'ssh', name: 'SSH', remote: { type: 'sftp', host: '127.0.0.1', port: 9, user: 'u', password: inlineSecret } }],
        mounts: [{ id: 'm', remoteId: 'ssh', remotePath: '/', localPath, options: { stateDir: ssh } }],
      }),
      { mode: 0o600 },
    )
    const { code, output } = await runUp(file, { ...process.env, XDG_STATE_HOME: join(dir, 'state-home') })
    expect(code, output).toBe(1)
    expect(output).toMatch(/INVALID_CONFIG: The state folder .*dot-ssh already holds files RMount did not make/)
    expect(output).not.toContain(inlineSecret)
    expect((await readdir(ssh)).sort()).toEqual(['id_ed25519', 'known_hosts'])
    expect(await readFile(join(ssh, 'known_hosts'), 'utf8')).toBe(knownHosts)
    expect(rclonePidsFor(localPath)).toEqual([])
  })
})

afterAll(() => stopAllServers())
