import { execa } from 'execa'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readProc } from './process-tree.js'
import { sshBanner } from './probes.js'
import { startManaged, startS3, startSftpPasswordServer, startSshd, stopAllServers, tempDir, type SshdServer } from './index.js'

afterAll(stopAllServers)

/** The test process's environment minus what breaks rclone 1.60 (AWS_CA_BUNDLE) or changes its behaviour (RCLONE_*). */
function rcloneEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined && name !== 'AWS_CA_BUNDLE' && !name.startsWith('RCLONE_')) env[name] = value
  return { ...env, ...extra }
}

function rclone(args: string[], env: Record<string, string>, input?: string) {
  return execa('rclone', ['--config', '/dev/null', '--low-level-retries', '1', '--retries', '1', ...args], {
    env: rcloneEnv(env),
    extendEnv: false,
    input,
    reject: false,
    timeout: 15_000,
  })
}

/** GET / and resolve with the status, or 'timeout' when no answer comes within `ms`. */
function httpGet(port: number, ms: number): Promise<number | 'timeout' | 'error'> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 'error')
    })
    const timer = setTimeout(() => {
      resolve('timeout')
      req.destroy()
    }, ms)
    req.on('error', () => resolve('error'))
    req.on('close', () => clearTimeout(timer))
    req.end()
  })
}

function states(pids: number[]): string[] {
  return pids.map((pid) => readProc(pid)?.state ?? 'gone')
}

describe('s3rver', () => {
  it('stores what rclone uploads, hangs while frozen, keeps data across a restart', async () => {
    const s3 = await startS3({ buckets: ['b'] })
    const remote = {
      RCLONE_CONFIG_X_TYPE: 's3',
      RCLONE_CONFIG_X_PROVIDER: 'Minio',
      RCLONE_CONFIG_X_ENDPOINT: s3.endpoint,
      RCLONE_CONFIG_X_ACCESS_KEY_ID: s3.accessKeyId,
      RCLONE_CONFIG_X_SECRET_ACCESS_KEY: s3.secretAccessKey,
      RCLONE_CONFIG_X_REGION: 'us-east-1',
    }
    const put = await rclone(['rcat', 'x:b/dir/k'], remote, 'hello s3')
    expect(put.exitCode, put.stderr).toBe(0)
    expect((await s3.readObject('b', 'dir/k'))?.toString()).toBe('hello s3')
    expect(await s3.readObject('b', 'missing')).toBeNull()
    expect(await s3.readObject('nobucket', 'k')).toBeNull()
    expect(await s3.listKeys('b')).toEqual(['dir/k'])
    expect(s3.pids()).toHaveLength(1)

    s3.freeze()
    expect(states(s3.pids())).toEqual(['T'])
    // The kernel still accepts the connection into the backlog; only the answer never comes.
    expect(await httpGet(s3.port, 500)).toBe('timeout')
    const pending = httpGet(s3.port, 5_000)
    s3.thaw()
    expect(await pending).toBe(200)
    expect(await httpGet(s3.port, 2_000)).toBe(200)

    const [oldPid] = s3.pids()
    await s3.restart()
    expect(s3.pids()).not.toContain(oldPid)
    const get = await rclone(['cat', 'x:b/dir/k'], remote)
    expect(get.exitCode, get.stderr).toBe(0)
    expect(get.stdout).toBe('hello s3')

    await s3.stop()
    expect(s3.pids()).toEqual([])
    expect(readProc(oldPid!)).toBeNull()
    expect(await httpGet(s3.port, 1_000)).toBe('error')
  })
})

describe('sshd', () => {
  let sshd: SshdServer
  let local: string

  function sftp(batch: string, keyFile: string) {
    return execa(
      'sftp',
      [
        ...['-i', keyFile, '-P', String(sshd.port)],
        ...[
          '-o',
          `UserKnownHostsFile=${sshd.knownHostsFile}`,
          '-o',
          'StrictHostKeyChecking=yes',
          '-o',
          'BatchMode=yes',
          '-o',
          'IdentitiesOnly=yes',
        ],
        ...['-b', '-', `${sshd.user}@127.0.0.1`],
      ],
      { input: batch, reject: false, timeout: 15_000 },
    )
  }

  it('accepts the authorized key over sftp and refuses the other one', async () => {
    sshd = await startSshd()
    local = await tempDir('rmount-servers-test-')
    await writeFile(join(local, 'up.txt'), 'over sftp')
    expect(sshd.host).toBe('127.0.0.1')
    expect((await stat(sshd.keyFile)).mode & 0o777).toBe(0o600)
    expect(await readFile(sshd.knownHostsFile, 'utf8')).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 \\S+\\n$`))
    const { stdout: listed } = await execa('ssh-keygen', ['-l', '-f', sshd.knownHostsFile])
    expect(listed.split(' ')[1]).toBe(sshd.hostKeyFingerprint)

    const ok = await sftp(`put ${join(local, 'up.txt')} ${sshd.rootDir}/up.txt\n`, sshd.keyFile)
    expect(ok.exitCode, ok.stderr).toBe(0)
    expect(await readFile(join(sshd.rootDir, 'up.txt'), 'utf8')).toBe('over sftp')

    const refused = await sftp(`ls ${sshd.rootDir}\n`, sshd.otherKeyFile)
    expect(refused.exitCode).not.toBe(0)
    expect(refused.stderr).toMatch(/Permission denied/)
  })

  it("runs commands (rclone's md5sum) with HOME in the server's folder, so the shell reads none of the user's rc files", async () => {
    // Its own server: the tests after this one go on with the first test's server and its files.
    const server = await startSshd()
    const ssh = await execa(
      'ssh',
      [
        ...['-i', server.keyFile, '-p', String(server.port)],
        ...[
          '-o',
          `UserKnownHostsFile=${server.knownHostsFile}`,
          '-o',
          'StrictHostKeyChecking=yes',
          '-o',
          'BatchMode=yes',
          '-o',
          'IdentitiesOnly=yes',
        ],
        `${server.user}@127.0.0.1`,
        'echo "$HOME"; test -e "$HOME/.bashrc" && echo has-rc || echo no-rc',
      ],
      { reject: false, timeout: 15_000 },
    )
    expect(ssh.exitCode, ssh.stderr).toBe(0)
    expect(ssh.stdout.split('\n')).toEqual([join(server.rootDir, '..'), 'no-rc'])
  })

  it('freezes the per-connection children too, and an open session survives a thaw', async () => {
    // A session held open: sftp reads its batch from stdin, which stays open until we end it.
    const session = spawn(
      'sftp',
      [
        '-i',
        sshd.keyFile,
        '-P',
        String(sshd.port),
        '-o',
        `UserKnownHostsFile=${sshd.knownHostsFile}`,
        '-o',
        'BatchMode=yes',
        '-b',
        '-',
        'root@127.0.0.1',
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    )
    const exit = new Promise<number | null>((resolve) => session.once('exit', resolve))
    let output = ''
    session.stdout.on('data', (chunk) => (output += chunk))
    session.stdin.write(`ls ${sshd.rootDir}\n`)
    for (let i = 0; i < 100 && !output.includes('up.txt'); i++) await new Promise((r) => setTimeout(r, 50))
    expect(output).toContain('up.txt')
    const pids = sshd.pids()
    // The listener, the privileged monitor and the session process that runs internal-sftp.
    expect(pids.length).toBeGreaterThanOrEqual(3)

    sshd.freeze()
    expect(states(sshd.pids())).toEqual(pids.map(() => 'T'))
    expect(await sshBanner(sshd.port, 500)).toBeNull()
    sshd.thaw()
    expect(states(sshd.pids()).every((s) => s !== 'T')).toBe(true)
    expect(await sshBanner(sshd.port)).toMatch(/^SSH-2\.0-OpenSSH/)

    session.stdin.end(`ls ${sshd.rootDir}\n`)
    expect(await exit).toBe(0)
  })

  it('restarts on the same port with the same host key, and stop leaves no process', async () => {
    const { port, hostKeyFingerprint } = sshd
    const before = sshd.pids()
    await sshd.restart()
    expect(sshd.port).toBe(port)
    expect(sshd.hostKeyFingerprint).toBe(hostKeyFingerprint)
    expect(sshd.pids().some((pid) => before.includes(pid))).toBe(false)
    // StrictHostKeyChecking=yes against the old known_hosts: proves the key is the same.
    const again = await sftp(`ls ${sshd.rootDir}\n`, sshd.keyFile)
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.stdout).toContain('up.txt')

    const last = sshd.pids()
    await sshd.stop()
    expect(sshd.pids()).toEqual([])
    // Orphans are reaped by init, which may take a moment: a zombie counts as gone.
    expect(last.map((pid) => readProc(pid)?.state ?? 'Z')).toEqual(last.map(() => 'Z'))
  })
})

describe('rclone serve sftp with a password', () => {
  it('lets rclone list rootDir with the obscured password and refuses a wrong one', async () => {
    const server = await startSftpPasswordServer({ user: 'alice', password: 'test-pass-1' })
    await writeFile(join(server.rootDir, 'listed.txt'), 'x')
    const obscure = async (plain: string) => (await execa('rclone', ['obscure', '-'], { input: plain })).stdout.trim()
    const remote = (pass: string) => ({
      RCLONE_CONFIG_P_TYPE: 'sftp',
      RCLONE_CONFIG_P_HOST: server.host,
      RCLONE_CONFIG_P_PORT: String(server.port),
      RCLONE_CONFIG_P_USER: server.user,
      RCLONE_CONFIG_P_PASS: pass,
      RCLONE_CONFIG_P_KNOWN_HOSTS_FILE: server.knownHostsFile,
      RCLONE_CONFIG_P_SHELL_TYPE: 'unix',
      RCLONE_CONFIG_P_MD5SUM_COMMAND: 'md5sum',
      RCLONE_CONFIG_P_SHA1SUM_COMMAND: 'sha1sum',
    })
    const ok = await rclone(['lsf', 'p:'], remote(await obscure(server.password)))
    expect(ok.exitCode, ok.stderr).toBe(0)
    expect(ok.stdout.trim()).toBe('listed.txt')

    const wrong = await rclone(['lsf', 'p:'], remote(await obscure('wrong')))
    expect(wrong.exitCode).not.toBe(0)
    expect(wrong.stderr).toMatch(/unable to authenticate/)

    // The password travels in the environment, never on the command line.
    const [pid] = server.pids()
    expect(await readFile(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(server.password)
  })
})

describe('startManaged', () => {
  it('fails with the log when the server exits while starting', async () => {
    const dir = await tempDir('rmount-servers-test-')
    const start = startManaged({
      name: 'broken',
      logFile: join(dir, 'broken.log'),
      launch: () => ({ command: '/bin/sh', args: ['-c', 'echo boom >&2; exit 3'] }),
      probe: async () => true,
    })
    await expect(start).rejects.toThrow(/broken exited \(3\)[^]*boom/)
  })
})

describe('stopAllServers', () => {
  it('stops what is still running, frozen or not, and removes the temp dirs', async () => {
    const s3 = await startS3()
    const dir = await tempDir('rmount-servers-test-')
    const pids = s3.pids()
    s3.freeze()
    const started = Date.now()
    await stopAllServers()
    // SIGCONT follows SIGTERM, so a frozen server exits at once instead of waiting out the grace period for SIGKILL.
    expect(Date.now() - started).toBeLessThan(1_500)
    expect(pids.map((pid) => readProc(pid))).toEqual([null])
    expect(existsSync(dir)).toBe(false)
    expect(existsSync(s3.dataDir)).toBe(false)
  })

  it('leaves a temp dir with a mount inside in place and says so', async () => {
    const dir = await tempDir('rmount-servers-test-')
    const mountPoint = join(dir, 'a mount')
    await mkdir(mountPoint)
    await execa('mount', ['-t', 'tmpfs', 'rmount-test', mountPoint])
    try {
      await writeFile(join(mountPoint, 'keep'), 'x')
      const error = await stopAllServers().then(
        () => null,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(AggregateError)
      expect(String((error as AggregateError).errors[0])).toContain(mountPoint)
      expect(await readFile(join(mountPoint, 'keep'), 'utf8')).toBe('x')
    } finally {
      await execa('umount', [mountPoint])
      await rm(dir, { recursive: true })
    }
  })
})
