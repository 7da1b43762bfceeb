/** What the fault tests (and the soak and the bench) share: a server that can be partitioned, and the ways to look at it. */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { remoteSchema, type RemoteInput } from '../../electron/engine/index.js'
import { findRclone } from '../../electron/engine/rclone-binary.js'
import { backendConfig, childEnv, fsString } from '../../electron/engine/rclone-config.js'
import { s3RemoteOf } from '../mount-helpers.js'
import { startS3, startSshd, type NetNamespace, type TestServer } from '../servers/index.js'

/** A test server with what a mount of it needs, and a way to read back what reached it. */
export interface RemoteUnderTest {
  kind: 's3' | 'sftp'
  server: TestServer
  remote: RemoteInput
  remotePath: string
  /** The bytes of `name` (relative to the mounted folder) as the server holds them, or null. */
  read(name: string): Promise<Buffer | null>
}

/** s3rver (bucket `bucket`) or OpenSSH sshd (a fresh folder), on 127.0.0.1 or inside `netns`. */
export async function startRemote(kind: 's3' | 'sftp', netns?: NetNamespace, bucket = 'faults'): Promise<RemoteUnderTest> {
  if (kind === 's3') {
    const s3 = await startS3({ buckets: [bucket], netns })
    return { kind, server: s3, remote: s3RemoteOf(s3), remotePath: bucket, read: (name) => s3.readObject(bucket, name) }
  }
  const sshd = await startSshd({ netns })
  return {
    kind,
    server: sshd,
    remote: {
      type: 'sftp',
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      keyFile: sshd.keyFile,
      hostKeyFingerprint: sshd.hostKeyFingerprint,
    },
    remotePath: sshd.rootDir,
    read: (name) => readFile(join(sshd.rootDir, name)).catch(() => null),
  }
}

/**
 * Puts `data` at `name` (relative to the remote path) with `rclone rcat`, not through any mount: a file the mounts
 * have never seen, so reading it must reach the server.
 */
export async function putOnRemote(remote: RemoteUnderTest, name: string, data: Buffer): Promise<void> {
  const rclone = await findRclone()
  const backend = backendConfig(remoteSchema.parse(remote.remote), rclone)
  const child = spawn(rclone.path, ['rcat', '--config', '/dev/null', ...backend.args, `${fsString(remote.remotePath)}/${name}`], {
    env: childEnv(process.env, backend.env),
    stdio: ['pipe', 'ignore', 'inherit'],
  })
  child.stdin!.end(data)
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 0) throw new Error(`rclone rcat ${name} exited with ${code}`)
}

/** Measures the event loop's worst delay between start() and stop(), in ms. */
export function eventLoopLag(): { stop(): number } {
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  histogram.enable()
  return {
    stop() {
      histogram.disable()
      return histogram.max / 1e6
    },
  }
}

/** A child process running `command args`, with a promise of its exit; for work that may block in a mount folder. */
export function runChild(command: string, args: string[], cwd?: string): { child: ChildProcess; exit: Promise<number | null> } {
  const child = spawn(command, args, { cwd, stdio: 'ignore' })
  const exit = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code))
    child.once('error', () => resolve(null))
  })
  return { child, exit }
}
