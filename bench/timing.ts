/** Waiting for a mount's events and a server's first answer, with the time each happened. */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { MountState, RemoteMount } from '../electron/engine/index.js'
import { httpStatus, sshBanner } from '../test/servers/index.js'

/** Rejects with `what` when `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** Resolves with the time of the next 'state' event into one of `wanted`; rejects on timeout or on 'failed'. */
export function nextState(mount: RemoteMount, wanted: MountState | MountState[], timeoutMs: number): Promise<number> {
  const set = new Set<MountState>(Array.isArray(wanted) ? wanted : [wanted])
  return new Promise((resolve, reject) => {
    const onState = (state: MountState) => {
      const at = performance.now()
      if (set.has(state)) {
        done()
        resolve(at)
      } else if (state === 'failed') {
        done()
        reject(new Error(`${mount.localPath} failed: ${mount.health().reason}`))
      }
    }
    const timer = setTimeout(() => {
      done()
      reject(new Error(`no '${[...set].join("'/'")}' within ${timeoutMs} ms (state ${mount.state}: ${mount.health().reason})`))
    }, timeoutMs)
    const done = () => {
      clearTimeout(timer)
      mount.off('state', onState)
    }
    mount.on('state', onState)
  })
}

/** Resolves at the end of the mount's next health report (every round while busy, every fifteenth while idle). */
export function nextTick(mount: RemoteMount, timeoutMs: number): Promise<void> {
  return withTimeout(new Promise<void>((resolve) => mount.once('health', () => resolve())), timeoutMs, `health tick of ${mount.localPath}`)
}

/**
 * Resolves with the time a server on `port` first answered a client: an HTTP status for S3, the SSH banner for
 * SFTP. Polls every few milliseconds, independently of the test harness's own start-up wait, which can return up
 * to a second after the server answers; the time is that of the answer, not of the poll that asked.
 */
export async function firstAnswer(port: number, kind: 's3' | 'sftp', timeoutMs: number, signal: AbortSignal): Promise<number> {
  const deadline = performance.now() + timeoutMs
  while (!signal.aborted) {
    const answered = kind === 's3' ? (await httpStatus(port, 500)) !== null : (await sshBanner(port, 500)) !== null
    if (answered) return performance.now()
    if (performance.now() > deadline) throw new Error(`port ${port} gave no answer within ${timeoutMs} ms`)
    await sleep(3)
  }
  throw new Error('cancelled')
}

/** Calls `check` every millisecond until it returns true; resolves with the time it did. */
export async function pollUntil(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    if (check()) return performance.now()
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await sleep(1)
  }
}
