/** What the mount tests share: waiting for states, and looking at the mount table and rclone processes. */
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { execa } from 'execa'
import type { MountState, RemoteMount } from '../electron/engine/index.js'
import { parseMountinfo } from '../electron/engine/mountinfo.js'

/** Resolves with the ms waited once `m` is in `state` (at once when it already is); rejects after `timeoutMs` with its recent log. */
export function waitForState(m: RemoteMount, state: MountState, timeoutMs = 15_000): Promise<number> {
  const started = performance.now()
  if (m.state === state) return Promise.resolve(0)
  return new Promise((resolve, reject) => {
    const onState = (next: MountState) => {
      if (next !== state) return
      clearTimeout(timer)
      m.off('state', onState)
      resolve(performance.now() - started)
    }
    const timer = setTimeout(() => {
      m.off('state', onState)
      const logs = m
        .recentLogs()
        .slice(-20)
        .map((line) => `${line.level} ${line.object ?? ''} ${line.message}`)
      reject(new Error(`still ${m.state} (${m.health().reason}) after ${timeoutMs} ms, waiting for ${state}\n${logs.join('\n')}`))
    }, timeoutMs)
    m.on('state', onState)
  })
}

/** Mount points in the kernel's table right now. */
export function mountedPoints(): string[] {
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).map((entry) => entry.mountPoint)
}

export function isMounted(path: string): boolean {
  return mountedPoints().includes(path)
}

/** Pids of rclone processes whose command line names `path`: the ones a mount of that folder started. */
export function rclonePidsFor(path: string): number[] {
  const pids: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')
      if (argv[0]?.endsWith('rclone') && argv.includes(path)) pids.push(Number(name))
    } catch {
      // gone meanwhile
    }
  }
  return pids
}

/** Waits for `check` to hold, up to `timeoutMs`; returns whether it did. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) return false
    await sleep(50)
  }
  return true
}

/** Waits until no rclone mounts `path`; returns the pids still there at the deadline. */
export async function rcloneGoneFor(path: string, timeoutMs = 5000): Promise<number[]> {
  await eventually(() => rclonePidsFor(path).length === 0, timeoutMs)
  return rclonePidsFor(path)
}

/** Tears down what a test left: force-unmounts its mounts, then lazily unmounts and kills by pid whatever remains. */
export async function cleanUpMounts(mounts: RemoteMount[], mountPoints: Set<string>): Promise<void> {
  for (const m of mounts.splice(0)) await m.unmount({ force: true }).catch(() => undefined)
  for (const path of mountPoints) {
    if (isMounted(path)) await execa('fusermount3', ['-uz', path], { reject: false })
    for (const pid of rclonePidsFor(path)) process.kill(pid, 'SIGKILL')
  }
  mountPoints.clear()
}

/** The S3 remote of a test s3rver. */
export function s3RemoteOf(s3: { endpoint: string; accessKeyId: string; secretAccessKey: string }) {
  return {
    type: 's3' as const,
    provider: 'Minio' as const,
    endpoint: s3.endpoint,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  }
}

/** Where a mount's rclone serves rc: its unix socket (rclone 1.69 on) or the loopback port it logged. */
export function rcTargetOf(m: RemoteMount): { socketPath: string } | { port: number } | null {
  const socketPath = join(m.paths.stateDir, 'rc.sock')
  if (existsSync(socketPath)) return { socketPath }
  const line = m.recentLogs().find((l) => /Serving remote control on http:\/\/127\.0\.0\.1:\d+\//.test(l.message))
  return line ? { port: Number(/127\.0\.0\.1:(\d+)\//.exec(line.message)![1]) } : null
}

/** POSTs to a mount's rc endpoint without credentials and returns the HTTP status. */
export function rcStatusWithoutAuth(target: { socketPath: string } | { port: number }, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const where = 'socketPath' in target ? { socketPath: target.socketPath } : { host: '127.0.0.1', port: target.port }
    const req = request({ ...where, path, method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.setTimeout(5000, () => req.destroy(new Error(`no answer from rc ${path}`)))
    req.on('error', reject)
    req.end('{}')
  })
}

const vendoredRclone = fileURLToPath(new URL('../vendor/bin/rclone', import.meta.url))

/** `ls -A` in a child with a deadline, so a hung mount costs the child, not the test. */
export function list(dir: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('ls', ['-A', dir], { timeout: 5000 }, (error, stdout) => {
      if (error) reject(error)
      else resolve(stdout.split('\n').filter(Boolean))
    })
  })
}

/** Another S3 client (its own rclone process, not the mount) puts an object into the bucket, as a colleague would. */
export function putObjectAsAnotherClient(
  s3: { endpoint: string; accessKeyId: string; secretAccessKey: string },
  bucket: string,
  key: string,
  body: string,
): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    RCLONE_CONFIG_OTHER_TYPE: 's3',
    RCLONE_CONFIG_OTHER_PROVIDER: 'Minio',
    RCLONE_CONFIG_OTHER_ENDPOINT: s3.endpoint,
    RCLONE_CONFIG_OTHER_ACCESS_KEY_ID: s3.accessKeyId,
    RCLONE_CONFIG_OTHER_SECRET_ACCESS_KEY: s3.secretAccessKey,
    RCLONE_CONFIG_OTHER_NO_CHECK_BUCKET: 'true',
  }
  return new Promise((resolve, reject) => {
    const child = execFile(
      vendoredRclone,
      ['--config', '/dev/null', 'rcat', `other:${bucket}/${key}`],
      { env, timeout: 20_000 },
      (error) => (error ? reject(error) : resolve()),
    )
    child.stdin!.end(body)
  })
}
