// RemoteServer against real rclone and the real OpenSSH sftp client, keys made with ssh-keygen.
import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RmountError } from '../../shared/errors.js'
import { isAlive } from '../../electron/engine/child-process.js'
import { fingerprintOf, parseAuthorizedKeys } from '../../electron/engine/host-key.js'
import { defaultStateDir, isLoopback, RemoteServer, type RemoteServerOptions } from '../../electron/engine/remote-server.js'

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

interface Result {
  code: number
  stdout: string
  stderr: string
}

function run(command: string, args: string[], cwd?: string): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}

let root: string
let share: string
let client: string
let allowedKey: string
let otherKey: string
const secret = `TOP-SECRET-${randomBytes(6).toString('hex')}`
const servers: RemoteServer[] = []
const pids = new Set<number>()

function server(options: Partial<RemoteServerOptions> = {}): RemoteServer {
  const created = new RemoteServer({ localPath: share, publicKey: `${allowedKey}.pub`, stateDir: join(root, 'state'), ...options })
  servers.push(created)
  return created
}

async function started(created: RemoteServer): Promise<RemoteServer> {
  await created.start()
  if (created.pid) pids.add(created.pid)
  return created
}

let sessions = 0
/** Runs an sftp batch as a strict client: key only, host key pinned to `knownHosts`, no prompts. */
async function sftp(target: RemoteServer, commands: string[], options: { key?: string; knownHosts?: string } = {}): Promise<Result> {
  const id = ++sessions
  const batch = join(root, `batch-${id}`)
  const knownHostsFile = join(root, `known_hosts-${id}`)
  await writeFile(batch, commands.join('\n') + '\n')
  await writeFile(knownHostsFile, (options.knownHosts ?? target.knownHostsLine) + '\n')
  const args = ['-F', '/dev/null', '-b', batch, '-P', String(target.port), '-i', options.key ?? allowedKey]
  for (const option of [
    'IdentitiesOnly=yes',
    'IdentityAgent=none',
    'BatchMode=yes',
    'StrictHostKeyChecking=yes',
    'GlobalKnownHostsFile=/dev/null',
    'ConnectTimeout=5',
  ]) {
    args.push('-o', option)
  }
  args.push('-o', `UserKnownHostsFile=${knownHostsFile}`, `${target.user}@${target.host}`)
  return run('sftp', args, client)
}

/** Output lines that are not sftp's echo of the batch commands. */
function listing(result: Result): string {
  return result.stdout
    .split('\n')
    .filter((line) => !line.startsWith('sftp>'))
    .join('\n')
}

async function keygen(name: string): Promise<string> {
  const path = join(root, 'keys', name)
  const result = await run('ssh-keygen', ['-t', 'ed25519', '-N', '', '-q', '-C', `${name}@test`, '-f', path])
  expect(result.code).toBe(0)
  return path
}

let main: RemoteServer

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rmount-server-'))
  share = join(root, 'share')
  client = join(root, 'client')
  for (const dir of [share, client, join(root, 'keys'), join(root, 'outside')]) await mkdir(dir)
  ;[allowedKey, otherKey] = await Promise.all([keygen('allowed'), keygen('other')])
  // A trailing comment makes rclone 1.60 refuse the whole file; the server must cope with it.
  await writeFile(`${allowedKey}.pub`, (await readFile(`${allowedKey}.pub`, 'utf8')) + '# trailing comment\n')
  await writeFile(join(root, 'secret.txt'), secret)
  await writeFile(join(root, 'outside', 'secret-in-dir.txt'), secret)
  await writeFile(join(share, 'inside.txt'), 'visible')
  await symlink('../secret.txt', join(share, 'link-file'))
  await symlink(join(root, 'outside'), join(share, 'link-dir'))

  // A user's RCLONE_COPY_LINKS would make rclone follow the symlinks out of the folder: it must not reach rclone.
  const saved = process.env.RCLONE_COPY_LINKS
  process.env.RCLONE_COPY_LINKS = 'true'
  try {
    main = await started(server())
  } finally {
    if (saved === undefined) delete process.env.RCLONE_COPY_LINKS
    else process.env.RCLONE_COPY_LINKS = saved
  }
})

afterAll(async () => {
  await Promise.allSettled(servers.map((created) => created.stop()))
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL')
  if (root) await rm(root, { recursive: true, force: true })
})

describe('RemoteServer', () => {
  it('lets a client with the key put and get files, byte for byte on disk', async () => {
    const bytes = randomBytes(200_000)
    await writeFile(join(client, 'upload.bin'), bytes)
    const result = await sftp(main, ['put upload.bin', 'get upload.bin download.bin'])
    expect(result.code, result.stderr).toBe(0)
    expect((await readFile(join(share, 'upload.bin'))).equals(bytes)).toBe(true)
    expect((await readFile(join(client, 'download.bin'))).equals(bytes)).toBe(true)
  })

  it('refuses a client with another key', async () => {
    await writeFile(join(client, 'intruder.bin'), 'intruder')
    const result = await sftp(main, ['put intruder.bin'], { key: otherKey })
    expect(result.code).not.toBe(0)
    expect(result.stderr).toMatch(/Permission denied/)
    expect(existsSync(join(share, 'intruder.bin'))).toBe(false)
  })

  it('gives no access outside the folder: parent paths, absolute paths, symlinks', async () => {
    await writeFile(join(client, 'escape.bin'), 'escape')
    // '-' keeps the batch going after a failed command.
    const result = await sftp(main, [
      '-get ../secret.txt got1',
      '-get /etc/passwd got2',
      `-get ${join(root, 'secret.txt')} got3`,
      '-get link-file got4',
      '-get link-dir/secret-in-dir.txt got5',
      '-ls -la link-dir',
      '-cd ..',
      '-ls -la',
      '-get secret.txt got6',
      '-cd /',
      '-ls -la',
      '-put escape.bin ../escaped.bin',
      `-put escape.bin ${join(root, 'escaped-abs.bin')}`,
      '-symlink /etc/passwd made-link',
      '-get made-link got7',
    ])
    expect(result.code, result.stderr).toBe(0)
    const output = listing(result)
    // The listings ran, and show the shared folder as the root.
    expect(output).toContain('inside.txt')
    expect(output).not.toContain('secret')
    expect(output).not.toContain(secret)
    for (let i = 1; i <= 7; i++) expect(existsSync(join(client, `got${i}`)), `got${i}`).toBe(false)
    expect(existsSync(join(root, 'escaped.bin'))).toBe(false)
    expect(existsSync(join(root, 'escaped-abs.bin'))).toBe(false)
    const environ = await readFile(`/proc/${main.pid}/environ`, 'utf8')
    expect(environ.split('\0').filter((entry) => entry.startsWith('RCLONE_'))).toEqual([])
  })

  it('pins its host key: the fingerprint matches ssh-keygen and ssh-keyscan, and survives a restart', async () => {
    const knownHosts = join(root, 'pinned_known_hosts')
    await writeFile(knownHosts, main.knownHostsLine + '\n')
    expect(main.knownHostsLine).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${main.port} ssh-ed25519 AAAA[A-Za-z0-9+/]+=*$`))
    const keygen = await run('ssh-keygen', ['-lf', knownHosts])
    expect(keygen.stdout.split(' ')[1]).toBe(main.hostKeyFingerprint)
    const scan = await run('ssh-keyscan', ['-T', '5', '-t', 'ed25519', '-p', String(main.port), '127.0.0.1'])
    expect(scan.stdout.trim()).toBe(main.knownHostsLine)
    expect(fingerprintOf(Buffer.from(main.knownHostsLine.split(' ')[2]!, 'base64'))).toBe(main.hostKeyFingerprint)
    expect(main.sshCommand).toBe(
      `sftp -P ${main.port} -o UserKnownHostsFile=${join(root, 'state', 'known_hosts')} -o StrictHostKeyChecking=yes ${main.user}@127.0.0.1`,
    )

    const restarted = await started(server())
    expect(restarted.hostKeyFingerprint).toBe(main.hostKeyFingerprint)
    expect(restarted.knownHostsLine.split(' ').slice(1)).toEqual(main.knownHostsLine.split(' ').slice(1))
    expect((await sftp(restarted, ['ls'])).code).toBe(0)
    const key = await stat(join(root, 'state', 'host_ed25519_key'))
    expect(key.mode & 0o777).toBe(0o600)
    expect((await stat(join(root, 'state'))).mode & 0o777).toBe(0o700)
    await restarted.stop()

    // Another folder, with the default state folder (under XDG_DATA_HOME): another key.
    const other = join(root, 'share2')
    await mkdir(other)
    const savedXdg = process.env.XDG_DATA_HOME
    process.env.XDG_DATA_HOME = join(root, 'xdg')
    let second: RemoteServer
    let expectedDir: string
    try {
      second = await started(server({ localPath: other, stateDir: undefined }))
      expectedDir = defaultStateDir(await realpath(other))
    } finally {
      if (savedXdg === undefined) delete process.env.XDG_DATA_HOME
      else process.env.XDG_DATA_HOME = savedXdg
    }
    expect(expectedDir).toMatch(new RegExp(`^${root}/xdg/rmount/server-keys/[0-9a-f]{16}$`))
    expect(existsSync(join(expectedDir, 'host_ed25519_key'))).toBe(true)
    expect(second.hostKeyFingerprint).not.toBe(main.hostKeyFingerprint)
    // A client that pinned the first server's key rejects the second one.
    const wrongPin = `[127.0.0.1]:${second.port} ${main.knownHostsLine.split(' ').slice(1).join(' ')}`
    const refused = await sftp(second, ['ls'], { knownHosts: wrongPin })
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/Host key verification failed|HOST IDENTIFICATION HAS CHANGED/)
    expect((await sftp(second, ['ls'])).code).toBe(0)
    await second.stop()
  })

  it('picks a free port for port 0, takes a given port, and serves read-only when asked', async () => {
    expect(main.port).toBeGreaterThan(0)
    const free = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number }
        probe.close(() => resolve(port))
      })
    })
    const fixed = await started(server({ port: free, readOnly: true }))
    expect(fixed.port).toBe(free)
    await writeFile(join(client, 'readonly.bin'), 'nope')
    const result = await sftp(fixed, ['get inside.txt got-readonly.txt', '-put readonly.bin'])
    expect(result.code, result.stderr).toBe(0)
    expect(await readFile(join(client, 'got-readonly.txt'), 'utf8')).toBe('visible')
    expect(existsSync(join(share, 'readonly.bin'))).toBe(false)

    // The port is now taken: the error says so and carries rclone's log.
    const clash = server({ port: free })
    const error = await clash.start().then(
      () => null,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(RmountError)
    expect((error as RmountError).code).toBe('SERVER_FAILED')
    expect((error as RmountError).message).toMatch(/Port \d+ is taken/)
    expect((error as RmountError).logTail.join('\n')).toMatch(/address already in use/)
    expect(clash.pid).toBeNull()
    await fixed.stop()
  })

  it('rejects bad inputs with INVALID_CONFIG before starting anything', async () => {
    await writeFile(join(root, 'not-a-folder'), 'x')
    await writeFile(join(root, 'garbage.pub'), 'hello world\n')
    await writeFile(join(root, 'empty.pub'), '# only a comment\n\n')
    await writeFile(join(root, 'options.pub'), `from="10.0.0.1" ${await readFile(`${allowedKey}.pub`, 'utf8')}`)
    const bad: Partial<RemoteServerOptions>[] = [
      { localPath: join(root, 'missing') },
      { localPath: join(root, 'not-a-folder') },
      { publicKey: join(root, 'missing.pub') },
      { publicKey: join(root, 'garbage.pub') },
      { publicKey: join(root, 'empty.pub') },
      { publicKey: join(root, 'options.pub') },
      { publicKey: allowedKey },
      { port: 70000 },
    ]
    for (const options of bad) {
      const created = server(options)
      await expect(created.start(), JSON.stringify(options)).rejects.toMatchObject({ code: 'INVALID_CONFIG' })
      expect(created.pid).toBeNull()
    }
    expect(() => parseAuthorizedKeys('ssh-ed25519 AAAAB3NzaC1yc2E=\n', 'damaged.pub')).toThrow(/damaged/)
  })

  it('refuses to share /, the home folder, a folder holding it, or one holding .ssh, each with its own message', async () => {
    const home = await realpath(await mkdtemp(join(root, 'home-')))
    const withKeys = join(root, 'with-keys')
    await mkdir(join(withKeys, '.ssh'), { recursive: true })
    await writeFile(join(withKeys, '.ssh', 'id_ed25519'), 'PRIVATE KEY')
    const savedHome = process.env.HOME
    process.env.HOME = home
    try {
      const cases: [string, RegExp][] = [
        ['/', /does not share \/ \(the whole system\)/],
        [`${home}/`, /is your home folder/],
        [join(home, 'sub', '..'), /is your home folder/],
        [root, /holds your home folder/],
        [withKeys, /holds a \.ssh folder/],
      ]
      for (const [localPath, message] of cases) {
        const created = server({ localPath, stateDir: join(root, 'state-refused') })
        await expect(created.start(), localPath).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringMatching(message) })
        expect(created.pid).toBeNull()
      }
      expect(existsSync(join(root, 'state-refused'))).toBe(false)
      // A folder inside the home folder, without .ssh, is fine.
      await mkdir(join(home, 'shared'))
      const inside = await started(server({ localPath: join(home, 'shared'), stateDir: join(root, 'state-inside') }))
      expect(inside.exposureWarning).toBeNull()
      await inside.stop()
    } finally {
      process.env.HOME = savedHome
    }
  })

  it('warns with the fingerprint when it listens beyond loopback (rmount serve in a private network namespace)', async () => {
    expect(main.exposureWarning).toBeNull()
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'].every(isLoopback)).toBe(true)
    expect(['0.0.0.0', '::', '192.168.1.2', '10.0.0.1'].some(isLoopback)).toBe(false)
    // 0.0.0.0 is only bound inside a network namespace of this test's own, which no other machine can reach.
    const cli = fileURLToPath(new URL('../../dist/electron/cli/rmount.js', import.meta.url))
    const stateHome = join(root, 'xdg-wide')
    const child = spawn(
      'unshare',
      ['--net', process.execPath, cli, 'serve', share, '--public-key', `${allowedKey}.pub`, '--host', '0.0.0.0'],
      {
        env: { ...process.env, XDG_DATA_HOME: stateHome },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk))
    const closed = new Promise((resolve) => child.on('close', resolve))
    try {
      const deadline = Date.now() + 20_000
      while (!/^warning: /m.test(output) && child.exitCode === null && Date.now() < deadline) await sleep(50)
      const fingerprint = /Host key fingerprint: (SHA256:\S+)/.exec(output)?.[1]
      expect(fingerprint, output).toBeDefined()
      expect(output).toMatch(new RegExp(`warning: The server listens on 0\\.0\\.0\\.0, beyond this machine.*${escapeRegExp(fingerprint!)}`))
    } finally {
      child.kill('SIGINT')
      await closed
    }
  })

  it('leaves no rclone process after stop(), emits exit once, and stop() is idempotent', async () => {
    const created = await started(server({ stateDir: join(root, 'state-stop') }))
    const pid = created.pid!
    expect(isAlive(pid)).toBe(true)
    const exits: number[] = []
    created.on('exit', (code) => exits.push(code))
    await Promise.all([created.stop(), created.stop()])
    await created.stop()
    expect(created.pid).toBeNull()
    expect(isAlive(pid)).toBe(false)
    expect(exits).toHaveLength(1)
  })
})
