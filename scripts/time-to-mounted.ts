/**
 * Time to mounted: RemoteMount.mount() against a plain `rclone mount` with the same arguments and
 * environment, alternated, on s3rver and OpenSSH sshd on loopback. A check for the engine's own
 * overhead; the bench (npm run bench) carries the official numbers.
 * Usage: npx tsx scripts/time-to-mounted.ts [rounds] [rclone path]
 */
import { randomBytes } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { remoteSchema, mountOptionsSchema, type RemoteInput } from '../shared/config.js'
import { exited, spawnTied } from '../electron/engine/child-process.js'
import { fuseUnmount } from '../electron/engine/fuse.js'
import { findMount, readMountTable } from '../electron/engine/mountinfo.js'
import { rcEndpoint } from '../electron/engine/rc-endpoint.js'
import { findRclone } from '../electron/engine/rclone-binary.js'
import { backendConfig, childEnv, mountArgs, mountPaths } from '../electron/engine/rclone-config.js'
import { RemoteMount } from '../electron/engine/remote-mount.js'
import { startS3, startSshd, stopAllServers, tempDir } from '../test/servers/index.js'

const rounds = Number(process.argv[2] ?? 7)
const rclonePath = process.argv[3]

async function plain(remote: RemoteInput, remotePath: string): Promise<number> {
  const dir = await tempDir('rmount-ttm-plain-')
  const localPath = join(dir, 'mnt')
  const stateDir = join(dir, 'state')
  const rclone = await findRclone(rclonePath)
  const paths = mountPaths(localPath, stateDir)
  await mkdir(paths.cacheDir, { recursive: true, mode: 0o700 })
  await mkdir(localPath, { recursive: true })
  const backend = backendConfig(remoteSchema.parse(remote), rclone, {})
  const args = mountArgs(remotePath, localPath, mountOptionsSchema.parse({ stateDir }), paths, backend, rcEndpoint(rclone, stateDir).addr)
  const env = childEnv(process.env, { ...backend.env, RCLONE_RC_USER: 'u', RCLONE_RC_PASS: randomBytes(16).toString('hex') })
  const started = performance.now()
  const child = spawnTied(rclone.path, args, { env, stdio: 'ignore', detached: true })
  const exit = exited(child)
  for (;;) {
    if (findMount(await readMountTable(), localPath)?.fsType === 'fuse.rclone') break
    await sleep(5)
  }
  const ms = performance.now() - started
  await fuseUnmount(localPath, false)
  await exit
  return ms
}

async function managed(remote: RemoteInput, remotePath: string): Promise<number> {
  const dir = await tempDir('rmount-ttm-managed-')
  const m = new RemoteMount(remote, remotePath, join(dir, 'mnt'), { stateDir: join(dir, 'state'), ...(rclonePath ? { rclonePath } : {}) })
  const started = performance.now()
  await m.mount()
  const ms = performance.now() - started
  await m.unmount()
  return ms
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

async function main(): Promise<void> {
  const s3 = await startS3({ buckets: ['ttm'] })
  const sshd = await startSshd()
  const targets: Array<[string, RemoteInput, string]> = [
    [
      'S3',
      { type: 's3', provider: 'Minio', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      'ttm',
    ],
    ['SFTP', { type: 'sftp', host: '127.0.0.1', port: sshd.port, user: sshd.user, keyFile: sshd.keyFile }, sshd.rootDir],
  ]
  const rclone = await findRclone(rclonePath)
  console.log(`rclone ${rclone.version} (${rclone.path}), ${rounds} rounds each, alternated`)
  try {
    for (const [name, remote, path] of targets) {
      await managed(remote, path) // warm-up: page cache, first-connection costs
      const p: number[] = []
      const m: number[] = []
      for (let i = 0; i < rounds; i++) {
        p.push(await plain(remote, path))
        m.push(await managed(remote, path))
      }
      const ratio = median(m) / median(p)
      console.log(
        `${name}: plain ${Math.round(median(p))} ms (${p.map(Math.round).join(', ')}), RemoteMount ${Math.round(median(m))} ms (${m.map(Math.round).join(', ')}), ratio ${ratio.toFixed(2)}x`,
      )
    }
  } finally {
    await stopAllServers()
  }
}

await main()
