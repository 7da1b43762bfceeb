/** The `rmount` command as a person runs it: the built CLI, real rclone, real FUSE, real servers. */
import { spawn, type ChildProcess } from 'node:child_process'
import { chmod, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { isAlive, pendingUploadTotals, mountPaths } from '../../electron/engine/index.js'
import { startS3, stopAllServers, tempDir } from '../servers/index.js'
import { eventually, isMounted, list, putObjectAsAnotherClient, rclonePidsFor } from '../mount-helpers.js'

const cli = fileURLToPath(new URL('../../dist/electron/cli/rmount.js', import.meta.url))

interface Running {
  child: ChildProcess
  /** stdout and stderr together, in the order they came. */
  output: () => string
  stdout: () => string
  stderr: () => string
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>
  exit: Promise<number | null>
}

function run(args: string[], env: NodeJS.ProcessEnv = process.env, options: { terminal?: boolean } = {}): Running {
  // util-linux `script` gives the CLI a real terminal (a pty) whose keyboard is this test's pipe into it.
  const child = options.terminal
    ? spawn('script', ['-qfec', [process.execPath, cli, ...args].map((arg) => `'${arg}'`).join(' '), '/dev/null'], {
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d: Buffer) => ((output += d), (stdout += d)))
  child.stderr!.on('data', (d: Buffer) => ((output += d), (stderr += d)))
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return {
    child,
    output: () => output,
    stdout: () => stdout,
    stderr: () => stderr,
    exit,
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const match = output.match(pattern)
        if (match) return match
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`waited for ${pattern}; output:\n${output}`)
        await sleep(50)
      }
    },
  }
}

afterAll(stopAllServers)

describe('rmount check', () => {
  it('reports rclone, /dev/fuse and fusermount and exits 0 when all are there', async () => {
    const r = run(['check'])
    expect(await r.exit).toBe(0)
    expect(r.output()).toMatch(/ok +rclone: v1\.\d+/)
    expect(r.output()).toMatch(/ok +\/dev\/fuse/)
    expect(r.output()).toMatch(/ok +fusermount/)
  })

  it('exits 1 with a fix when rclone is missing', async () => {
    const r = run(['check', '--rclone', '/nonexistent/rclone'])
    expect(await r.exit).toBe(1)
    expect(r.output()).toMatch(/MISSING rclone/)
    expect(r.output()).toMatch(/fix: .*rclone path/)
  })
})

describe('rmount up', () => {
  it('refuses a malformed config file with a specific error and leaves the file alone', async () => {
    const dir = await tempDir('rmount-cli-')
    const file = join(dir, 'config.json')
    const broken = '{ "version": 1, "remotes": [ }'
    await writeFile(file, broken)
    const r = run(['up', '--config', file])
    expect(await r.exit).toBe(2)
    expect(r.output()).toMatch(/INVALID_CONFIG: The config file .* is not valid JSON/)
    expect(await readFile(file, 'utf8')).toBe(broken)

    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        remotes: [{ id: 'r', name: 'R', remote: { type: 'sftp', host: 'h', user: 'u', port: 0, agent: true } }],
        mounts: [],
      }),
    )
    const r2 = run(['up', '--config', file])
    expect(await r2.exit).toBe(2)
    expect(r2.output()).toMatch(/remotes\.0\.remote\.port: Ports go from 1 to 65535\./)
  })

  it('mounts what the config lists, supervises, and on Ctrl-C unmounts only after the uploads are done', async () => {
    const s3 = await startS3({ buckets: ['cli'] })
    const dir = await tempDir('rmount-cli-')
    const localPath = join(dir, 'mnt')
    const file = join(dir, 'config.json')
    process.env.RMOUNT_TEST_S3_SECRET = s3.secretAccessKey
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        remotes: [
          {
            id: 'local-s3',
            name: 'Local S3',
            remote: {
              type: 's3',
              provider: 'Minio',
              endpoint: s3.endpoint,
              accessKeyId: s3.accessKeyId,
              secretAccessKey: { env: 'RMOUNT_TEST_S3_SECRET' },
            },
          },
        ],
        mounts: [{ id: 'cli', remoteId: 'local-s3', remotePath: 'cli', localPath, options: { stateDir: join(dir, 'state') } }],
      }),
    )
    await chmod(file, 0o600)
    const r = run(['up', '--config', file])
    try {
      await r.waitFor(/\[cli\] mounted/)
      const data = Buffer.from('written through rmount up\n'.repeat(1000))
      await writeFile(join(localPath, 'up.txt'), data)
      r.child.kill('SIGINT')
      expect(await r.exit).toBe(0)
      expect(r.output()).toMatch(/\[cli\] unmounted/)
      expect(await s3.readObject('cli', 'up.txt')).toEqual(data)
      expect(isMounted(localPath)).toBe(false)
    } finally {
      r.child.kill('SIGKILL')
      delete process.env.RMOUNT_TEST_S3_SECRET
    }
  })

  it('in a terminal, r shows a file another client put into the bucket at once, and Ctrl-C unmounts', async () => {
    const s3 = await startS3({ buckets: ['keys'] })
    const dir = await tempDir('rmount-cli-keys-')
    const localPath = join(dir, 'mnt')
    const file = join(dir, 'config.json')
    const remote = {
      type: 's3',
      provider: 'Minio',
      endpoint: s3.endpoint,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    }
    // An hour between change checks: only the r key can show the new file this soon.
    const options = { stateDir: join(dir, 'state'), changeCheckSeconds: 3600 }
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        remotes: [{ id: 's3', name: 'S3', remote }],
        mounts: [{ id: 'keys', remoteId: 's3', remotePath: 'keys', localPath, options }],
      }),
    )
    await chmod(file, 0o600)
    const r = run(['up', '--config', file], process.env, { terminal: true })
    try {
      await r.waitFor(/Press r to show changes made on the remote now/)
      expect(await list(localPath)).toEqual([])
      await putObjectAsAnotherClient(s3, 'keys', 'from-colleague.txt', 'hello')
      expect(await list(localPath)).toEqual([])
      r.child.stdin!.write('r')
      await r.waitFor(/\[keys\] refreshed/)
      expect(await list(localPath)).toEqual(['from-colleague.txt'])
      r.child.stdin!.write('\u0003')
      expect(await r.exit).toBe(0)
      expect(isMounted(localPath)).toBe(false)
    } finally {
      r.child.kill('SIGKILL')
    }
  })

  it('leaves no rclone and no mount behind when the supervisor is killed with SIGKILL', async () => {
    const s3 = await startS3({ buckets: ['killed'] })
    const dir = await tempDir('rmount-cli-')
    const localPath = join(dir, 'mnt')
    const file = join(dir, 'config.json')
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        remotes: [
          {
            id: 's3',
            name: 'S3',
            remote: {
              type: 's3',
              provider: 'Minio',
              endpoint: s3.endpoint,
              accessKeyId: s3.accessKeyId,
              secretAccessKey: s3.secretAccessKey,
            },
          },
        ],
        mounts: [{ id: 'm', remoteId: 's3', remotePath: 'killed', localPath, options: { stateDir: join(dir, 'state') } }],
      }),
      { mode: 0o600 },
    )
    const r = run(['up', '--config', file])
    await r.waitFor(/\[m\] mounted/)
    const [rclonePid] = rclonePidsFor(localPath)
    expect(rclonePid).toBeGreaterThan(0)
    expect(isAlive(rclonePid!)).toBe(true)
    r.child.kill('SIGKILL')
    await r.exit
    const deadline = Date.now() + 5000
    while ((isAlive(rclonePid!) || isMounted(localPath)) && Date.now() < deadline) await sleep(50)
    expect(isAlive(rclonePid!)).toBe(false)
    expect(isMounted(localPath)).toBe(false)
  })
})

describe('rmount serve and demo', () => {
  it('serve prints the address and fingerprint and stops on Ctrl-C', async () => {
    const dir = await tempDir('rmount-cli-')
    const pub = join(dir, 'key.pub')
    await writeFile(pub, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEvqk1sGfzW1jv2vqVmsH2nMmv1VhTsyxEfmhU4zyFMv test\n')
    const r = run(['serve', dir, '--public-key', pub], { ...process.env, XDG_DATA_HOME: join(dir, 'data') })
    await r.waitFor(/Host key fingerprint: SHA256:[A-Za-z0-9+/]{43}/)
    expect(r.output()).toMatch(/Serving .* over SFTP on 127\.0\.0\.1:\d+/)
    r.child.kill('SIGINT')
    expect(await r.exit).toBe(0)
  })

  it('demo shares, mounts, writes through the mount and unmounts cleanly on Ctrl-C', async () => {
    const r = run(['demo'])
    const [, mountPoint] = await r.waitFor(/The mount is at (\S+)\. Press Ctrl-C/)
    expect(isMounted(mountPoint!)).toBe(true)
    r.child.kill('SIGINT')
    expect(await r.exit).toBe(0)
    expect(r.output()).toMatch(/in the shared folder, byte for byte/)
    expect(isMounted(mountPoint!)).toBe(false)
  })
})

/** A config file with one Minio-style remote on `s3` and the given mounts, private to the user. */
async function writeS3Config(dir: string, s3: { endpoint: string; accessKeyId: string; secretAccessKey: string }, mounts: object[]) {
  const file = join(dir, 'config.json')
  const remote = { type: 's3', provider: 'Minio', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }
  await writeFile(file, JSON.stringify({ version: 1, remotes: [{ id: 's3', name: 'S3', remote }], mounts }), { mode: 0o600 })
  return file
}

const occurrences = (text: string, part: string) => text.split(part).length - 1

describe('rmount help, version and exit codes', () => {
  it('prints the version of package.json on --version', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    const r = run(['--version'])
    expect(await r.exit).toBe(0)
    expect(r.stdout()).toBe(`${version}\n`)
    expect(r.stderr()).toBe('')
  })

  it('prints each command its own help on stdout, and demo --help runs no demo', async () => {
    for (const command of ['check', 'up', 'serve', 'demo']) {
      const r = run([command, '--help'])
      expect(await r.exit).toBe(0)
      expect(r.stdout()).toMatch(new RegExp(`^Usage: rmount ${command}`))
      expect(r.stderr()).toBe('')
    }
    const demo = run(['demo', '--help'])
    expect(await demo.exit).toBe(0)
    expect(demo.output()).not.toMatch(/Sharing|mounted/)
    const overview = run(['--help'])
    expect(await overview.exit).toBe(0)
    expect(overview.stdout()).toMatch(/Exit codes: 0 done, 1 something failed, 2 wrong command line or config file, 3 stopped/)
  })

  it('answers every usage error with exit code 2 and the usage on stderr, once', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /Give a command/],
      [['frob'], /Unknown command "frob"/],
      [['up'], /needs --config FILE/],
      [['up', '--config'], /--config/],
      [['up', '--bogus'], /Unknown option '--bogus'/],
      [['serve', '/tmp', '--public-key', 'k.pub', '--port', 'abc'], /--port takes a number/],
      [['demo', 'extra'], /extra/],
    ]
    for (const [args, message] of cases) {
      const r = run(args)
      expect(await r.exit, args.join(' ')).toBe(2)
      expect(r.stdout(), args.join(' ')).toBe('')
      expect(r.stderr()).toMatch(message)
      expect(occurrences(r.stderr(), 'Usage:'), args.join(' ')).toBe(1)
      expect(occurrences(r.stderr(), r.stderr().split('\n')[0]!), args.join(' ')).toBe(1)
    }
  })

  it('prints a failed mount once, on stderr, with its code, and exits 1', async () => {
    const s3 = await startS3({ buckets: ['present'] })
    const dir = await tempDir('rmount-cli-')
    const file = await writeS3Config(dir, s3, [
      { id: 'gone', remoteId: 's3', remotePath: 'no-such-bucket', localPath: join(dir, 'mnt'), options: { stateDir: join(dir, 'state') } },
    ])
    const r = run(['up', '--config', file])
    expect(await r.exit).toBe(1)
    expect(occurrences(r.stderr(), 'REMOTE_NOT_FOUND')).toBe(1)
    expect(occurrences(r.output(), 'Bucket no-such-bucket does not exist')).toBe(1)
    expect(r.stdout()).not.toMatch(/REMOTE_NOT_FOUND|does not exist/)
  })
})

describe('rmount up while uploads fail', () => {
  it('shows UPLOAD_FAILING, prints each retry and the progress, and a forced exit with files in the cache exits 3', async () => {
    const s3 = await startS3({ buckets: ['fails'] })
    const dir = await tempDir('rmount-cli-')
    const localPath = join(dir, 'mnt')
    const file = await writeS3Config(dir, s3, [
      { id: 'm', remoteId: 's3', remotePath: 'fails', localPath, options: { stateDir: join(dir, 'state'), writeBackMs: 200 } },
    ])
    const r = run(['up', '--config', file])
    try {
      await r.waitFor(/\[m\] mounted/)
      await writeFile(join(localPath, 'first.txt'), 'reaches the bucket\n')
      // Uploaded, and done with: rclone checks the object after the PUT, and the bucket must outlive that check.
      const { cacheDir } = mountPaths(localPath, join(dir, 'state'))
      await eventually(
        async () => (await s3.readObject('fails', 'first.txt')) !== null && (await pendingUploadTotals(cacheDir)).files === 0,
        10_000,
      )
      // The bucket goes away behind rclone's back: the remote still answers, but every upload now fails.
      await rm(join(s3.dataDir, 'fails'), { recursive: true, force: true })
      await writeFile(join(localPath, 'second.txt'), Buffer.alloc(12_345, 1))

      const [retry] = await r.waitFor(
        /\[m\] upload of second\.txt failed \(try #2\): .*NoSuchBucket.*; next try in \d+ m?s, at \d\d:\d\d:\d\d/,
      )
      expect(r.stderr()).toContain(retry)
      const [degraded] = await r.waitFor(
        /\[m\] degraded: UPLOAD_FAILING: Uploads to bucket fails .* keep failing .*Bucket fails does not exist/,
      )
      expect(r.stderr()).toContain(degraded)
      await r.waitFor(/\[m\] uploads waiting: 1 file\(s\), 12\.3 kB left, failing: next try at \d\d:\d\d:\d\d/, 15_000)

      r.child.kill('SIGINT')
      await r.waitFor(/press Ctrl-C again/)
      // While the unmount waits, the retries go on being reported.
      const triesBefore = occurrences(r.output(), 'upload of second.txt failed')
      await r.waitFor(new RegExp(`try #${triesBefore + 2}\\)`), 30_000)
      r.child.kill('SIGINT')
      expect(await r.exit).toBe(3)
      expect(r.stderr()).toMatch(/\[m\] 1 file\(s\) stay in the cache and upload at the next mount: second\.txt/)
      expect(isMounted(localPath)).toBe(false)
    } finally {
      r.child.kill('SIGKILL')
    }
  })
})

describe('rmount up names the real cause', () => {
  /** Runs `up` on a config file with this text; resolves with the finished run. */
  async function upWith(text: string): Promise<Running> {
    const dir = await tempDir('rmount-cli-')
    const file = join(dir, 'config.json')
    await writeFile(file, text, { mode: 0o600 })
    const r = run(['up', '--config', file])
    await r.exit
    return r
  }

  it('gives line and column of a JSON error and never quotes the file', async () => {
    const r = await upWith(
      '{\n  "version": 1,\n  "remotes": [{ "id": "r", "name": "R", "remote": { "type": "s3", "provider": "Minio",\n    "secretAccessKey": "hunter2-secret" "endpoint": "http://127.0.0.1:1" } }]\n}\n',
    )
    expect(await r.exit).toBe(2)
    expect(r.stderr()).toMatch(/is not valid JSON at line 4, column 41: expected a comma or \}/)
    expect(r.output()).not.toContain('hunter2')
  })

  it('says what a secret can be, and suggests the key a typo meant', async () => {
    const config = {
      version: 1,
      remotes: [
        {
          id: 'r',
          name: 'R',
          remote: { type: 's3', provider: 'Minio', endpoint: 'http://127.0.0.1:1', accessKeyId: 'a', secretAccessKey: { ENV: 'X' } },
        },
      ],
      mounts: [{ id: 'm', remoteId: 'r', remotePth: 'bucket', localPath: '/tmp/x' }],
    }
    const r = await upWith(JSON.stringify(config))
    expect(await r.exit).toBe(2)
    expect(r.stderr()).toContain('remotes.0.remote.secretAccessKey: A secret is a string, or { "env": "NAME" }')
    expect(r.stderr()).toContain('mounts.0: Unrecognized key "remotePth": did you mean "remotePath"?')
    expect(r.stderr()).not.toMatch(/Invalid input/)
  })

  it('refuses a folder under /proc at once, as a folder problem, not a hung mount', async () => {
    const s3 = await startS3({ buckets: ['proc'] })
    const dir = await tempDir('rmount-cli-')
    const file = await writeS3Config(dir, s3, [
      { id: 'p', remoteId: 's3', remotePath: 'proc', localPath: '/proc/rmount-test/mnt', options: { stateDir: join(dir, 'state') } },
    ])
    const started = Date.now()
    const r = run(['up', '--config', file])
    expect(await r.exit).toBe(1)
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(r.stderr()).toMatch(/MOUNTPOINT_INVALID: \/proc\/rmount-test\/mnt is a system folder \(\/proc\)/)
    expect(r.output()).not.toMatch(/MOUNTPOINT_BUSY|hung/)
  })

  it('warns that provider AWS with a custom endpoint puts the bucket in the host name, and says so again when it fails', async () => {
    const s3 = await startS3({ buckets: ['aws'] })
    const dir = await tempDir('rmount-cli-')
    const file = join(dir, 'config.json')
    const endpoint = `http://localhost:${s3.port}`
    const remote = { type: 's3', provider: 'AWS', endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }
    const mounts = [{ id: 'a', remoteId: 's3', remotePath: 'aws', localPath: join(dir, 'mnt'), options: { stateDir: join(dir, 'state') } }]
    await writeFile(file, JSON.stringify({ version: 1, remotes: [{ id: 's3', name: 'S3', remote }], mounts }), { mode: 0o600 })
    const r = run(['up', '--config', file])
    try {
      await r.waitFor(/warning: Remote "s3": Provider AWS with the endpoint .* puts the bucket in the host name \(my-bucket\.localhost/)
      expect(r.stderr()).toMatch(/choose provider Minio or Other/)
      expect(await r.exit).toBe(1)
      expect(r.stderr()).toMatch(/\[a\] failed: \w+: .*choose provider Minio or Other/)
    } finally {
      // Should it have mounted after all, unmount it rather than leave a stale mount.
      r.child.kill('SIGINT')
      await r.exit
    }
  })
})
