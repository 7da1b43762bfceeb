/** Runs supervisor-process.mjs as a child and follows its JSON lines: a supervising app the tests can kill or freeze. */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { MountHealth, MountOptionsInput, RemoteInput } from '../../electron/engine/index.js'

/** One mount for the supervisor to keep. */
export interface SupervisedMount {
  name: string
  remote: RemoteInput
  remotePath: string
  localPath: string
  options?: MountOptionsInput
}

/** A line the supervisor printed. */
export type SupervisorEvent =
  { type: 'state' | 'health'; time: number; name: string; health: MountHealth } | { type: 'ready'; time: number; failed: string[] }

/** A running supervisor process. */
export interface Supervisor {
  child: ChildProcess
  /** Every line so far, oldest first. */
  events: SupervisorEvent[]
  /** Resolves with the first event (from index `from` on) that matches; rejects after `timeoutMs` or when the process exits. */
  waitFor(match: (event: SupervisorEvent) => boolean, timeoutMs?: number, from?: number): Promise<SupervisorEvent>
  exit: Promise<void>
}

const script = fileURLToPath(new URL('./supervisor-process.mjs', import.meta.url))

/** Starts the supervisor (needs `npm run build`) and resolves once every mount has been tried. */
export async function startSupervisor(mounts: SupervisedMount[]): Promise<Supervisor> {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, RMOUNT_SUPERVISOR_SPEC: JSON.stringify({ mounts }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const events: SupervisorEvent[] = []
  const waiters = new Set<() => void>()
  createInterface({ input: child.stdout! }).on('line', (line) => {
    events.push(JSON.parse(line) as SupervisorEvent)
    waiters.forEach((wake) => wake())
  })
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  void exit.then(() => waiters.forEach((wake) => wake()))
  const waitFor: Supervisor['waitFor'] = (match, timeoutMs = 30_000, from = 0) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = events.slice(from).find(match)
        if (found) done(() => resolve(found))
        else if (child.exitCode !== null || child.signalCode !== null)
          done(() => reject(new Error(`supervisor exited; last lines:\n${lastLines(events)}`)))
      }
      const timer = setTimeout(
        () => done(() => reject(new Error(`timed out after ${timeoutMs} ms; last lines:\n${lastLines(events)}`))),
        timeoutMs,
      )
      const done = (settle: () => void) => {
        clearTimeout(timer)
        waiters.delete(check)
        settle()
      }
      waiters.add(check)
      check()
    })
  const supervisor = { child, events, waitFor, exit }
  await waitFor((event) => event.type === 'ready', 60_000)
  return supervisor
}

function lastLines(events: SupervisorEvent[]): string {
  return events
    .slice(-8)
    .map((e) => (e.type === 'ready' ? `ready ${e.failed.join('; ')}` : `${e.type} ${e.name} ${e.health.state}: ${e.health.reason}`))
    .join('\n')
}
