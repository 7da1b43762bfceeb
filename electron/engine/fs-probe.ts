/**
 * Filesystem calls on mount folders, made by a killable helper process with a hard deadline.
 *
 * Any stat, readdir or mkdir that reaches a FUSE mount can block for minutes, or for ever, when rclone or its
 * remote hangs (the kernel has no FUSE timeout). In this process such a call would also hold one of libuv's four
 * pool threads, and four of them stall every fs, dns and crypto call of the app. So the supervisor never touches a
 * mount folder itself: it asks one long-lived helper, and kills it with SIGKILL (FUSE waits are killable) when an
 * answer is late.
 */
import type { ChildProcess } from 'node:child_process'
import { resolve as resolvePath } from 'node:path'
import { performance } from 'node:perf_hooks'
import { spawnTied } from './child-process.js'

/** One filesystem operation for the helper. Relative paths are resolved against this process's working directory. */
export type FsOp =
  /** fs.stat, following symlinks. */
  | { op: 'stat'; path: string }
  /** lstat of a name that should not exist: it reaches the FUSE daemon (a LOOKUP) because negative answers are not cached for long. */
  | { op: 'lookup'; path: string }
  /** opendir and read one entry. */
  | { op: 'isEmpty'; path: string }
  /** mkdir -p. */
  | { op: 'mkdir'; path: string }
  /** fs.access with W_OK. */
  | { op: 'access'; path: string }
  /** The real path (symlinks resolved) of a folder that may not exist yet, and whether the name itself is a symlink. */
  | { op: 'realpath'; path: string }

/** The successful answer of each operation. */
export interface FsOkResults {
  stat: { ok: true; isDirectory: boolean; dev: number }
  /** A missing name is a success: `exists: false`. */
  lookup: { ok: true; exists: boolean }
  isEmpty: { ok: true; empty: boolean }
  mkdir: { ok: true }
  access: { ok: true }
  /** `path`: the nearest existing ancestor's real path, joined with the names below it that do not exist yet. */
  realpath: { ok: true; path: string; isSymlink: boolean }
}

/**
 * A failed operation. `code` is the errno name (`ENOENT`, `ENOTDIR`, `ENOTCONN` for a mount whose rclone died,
 * `EACCES`, `EIO`, ...) or one of the probe's own codes:
 * - `TIMEOUT`: no answer within the deadline; the helper was killed and the next request starts a new one.
 * - `PROBE_FAILED`: the helper could not start or died by itself (the message says how).
 * - `CLOSED`: close() was called while the request was waiting.
 */
export interface FsFailure {
  ok: false
  code: string
  message: string
}

/** The answer to `op`: its success shape or a failure. */
export type FsResult<O extends FsOp = FsOp> = FsOkResults[O['op']] | FsFailure

/** Options of {@link FsProbe}. */
export interface FsProbeOptions {
  /** Node (or Electron, run as Node) binary for the helper; default process.execPath. */
  nodePath?: string
}

// The helper, in plain JavaScript so that it runs the same from TypeScript under vitest, from dist/ and from an Electron
// app: no file to locate. Requests are `[id,"op","path"]` lines, answers `[id,{...}]` lines. Its fs calls are the async
// ones, so a call stuck in a FUSE wait holds one pool thread while the others keep answering.
const helperSource = `'use strict'
const fs = require('fs')
const nodePath = require('path')
const out = process.stdout
let pending = 0
let carry = ''
function reply(id, result) {
  pending--
  out.write('[' + id + ',' + JSON.stringify(result) + ']\\n')
}
function failure(e) {
  return { ok: false, code: (e && e.code) || 'EIO', message: String((e && e.message) || e) }
}
function handle(line) {
  let id, op, path
  try {
    ;[id, op, path] = JSON.parse(line)
  } catch {
    return
  }
  pending++
  try {
    switch (op) {
      case 'stat':
        fs.stat(path, (e, s) => reply(id, e ? failure(e) : { ok: true, isDirectory: s.isDirectory(), dev: s.dev }))
        break
      case 'lookup':
        fs.lstat(path, (e) => reply(id, !e ? { ok: true, exists: true } : e.code === 'ENOENT' ? { ok: true, exists: false } : failure(e)))
        break
      case 'isEmpty':
        fs.opendir(path, (e, dir) => {
          if (e) return reply(id, failure(e))
          dir.read((e2, entry) => {
            dir.close(() => {})
            reply(id, e2 ? failure(e2) : { ok: true, empty: entry === null })
          })
        })
        break
      case 'mkdir':
        fs.mkdir(path, { recursive: true }, (e) => reply(id, e ? failure(e) : { ok: true }))
        break
      case 'access':
        fs.access(path, fs.constants.W_OK, (e) => reply(id, e ? failure(e) : { ok: true }))
        break
      case 'realpath':
        // The parent's real path plus the name: the folder itself may be a dead mount (ENOTCONN) or not exist yet.
        fs.lstat(path, (e, s) => {
          const isSymlink = !e && s.isSymbolicLink()
          const names = [nodePath.basename(path)]
          const up = (dir) =>
            fs.realpath(dir, (e2, real) => {
              if (!e2) return reply(id, { ok: true, path: nodePath.join(real, ...names), isSymlink })
              if (e2.code !== 'ENOENT' || dir === '/') return reply(id, failure(e2))
              names.unshift(nodePath.basename(dir))
              up(nodePath.dirname(dir))
            })
          up(nodePath.dirname(path))
        })
        break
      default:
        reply(id, { ok: false, code: 'EINVAL', message: 'unknown operation ' + op })
    }
  } catch (e) {
    reply(id, failure(e))
  }
}
// process.exit() waits for libuv's pool threads, and one stuck in a FUSE wait never returns: with calls still out,
// only SIGKILL ends this process.
function quit() {
  if (pending === 0) process.exit(0)
  process.kill(process.pid, 'SIGKILL')
}
out.on('error', quit)
process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => {
  let start = 0
  let nl = chunk.indexOf('\\n')
  if (nl === -1) {
    carry += chunk
    return
  }
  handle(carry + chunk.slice(0, nl))
  carry = ''
  start = nl + 1
  while ((nl = chunk.indexOf('\\n', start)) !== -1) {
    handle(chunk.slice(start, nl))
    start = nl + 1
  }
  carry = chunk.slice(start)
})
process.stdin.on('end', quit)
`

// A few hung calls must not starve the helper's pool: each pending stat on a frozen mount holds one thread until the
// helper is killed.
const helperThreads = '16'

// A request waiting for its answer. The promise's resolve is the only per-request closure.
interface Pending {
  id: number
  op: FsOp
  line: string
  timeoutMs: number
  deadline: number
  resolve: (result: FsResult) => void
}

/**
 * One helper process that makes filesystem calls for this process, each with a hard deadline. All mounts share it.
 * run() never rejects and answers within its timeout (plus a few ms). The helper does not keep Node alive; a pending
 * request does, through its deadline timer.
 */
export class FsProbe {
  readonly #nodePath: string
  #child: ChildProcess | null = null
  #carry = ''
  #stderrTail = ''
  #nextId = 0
  readonly #pending = new Map<number, Pending>()
  #timer: NodeJS.Timeout | null = null
  #timerAt = Infinity

  constructor(options: FsProbeOptions = {}) {
    this.#nodePath = options.nodePath ?? process.execPath
  }

  /** Pid of the running helper, or null when none runs (before the first request, after close() or a timeout). */
  get pid(): number | null {
    return this.#child?.pid ?? null
  }

  /**
   * Runs `op` in the helper. After `timeoutMs` without an answer it resolves with code `TIMEOUT` and kills the helper;
   * other requests in flight move to a fresh helper with what is left of their own deadlines. The deadline counts from
   * this call, helper start-up (about 50 ms) included.
   */
  run<O extends FsOp>(op: O, timeoutMs: number): Promise<FsResult<O>> {
    if (typeof op?.path !== 'string') return Promise.resolve({ ok: false, code: 'EINVAL', message: 'fs probe: path must be a string' })
    if (!(timeoutMs > 0)) return Promise.resolve(timeout(op, timeoutMs))
    const path = op.path.charCodeAt(0) === 47 /* '/' */ ? op.path : resolvePath(op.path)
    const id = ++this.#nextId
    const line = `[${id},${JSON.stringify(op.op)},${JSON.stringify(path)}]\n`
    const deadline = performance.now() + timeoutMs
    return new Promise<FsResult<O>>((resolve) => {
      this.#pending.set(id, { id, op, line, timeoutMs, deadline, resolve: resolve as (result: FsResult) => void })
      this.#send(line)
      this.#arm(deadline)
    })
  }

  /** Kills the helper; requests still waiting resolve with code `CLOSED`. A later run() starts a new helper. */
  close(): void {
    this.#kill()
    this.#failAll('CLOSED', 'fs probe closed')
  }

  #send(line: string): void {
    const child = this.#child ?? this.#spawn()
    if (child) child.stdin?.write(line)
  }

  #spawn(): ChildProcess | null {
    // The helper runs in / so that it never holds a mount folder as its working directory, and so that spawn's chdir
    // cannot hang on one. NODE_OPTIONS is dropped: a loader or --inspect meant for the app would slow or break it.
    const { NODE_OPTIONS: _nodeOptions, ...env } = process.env
    let child: ChildProcess
    try {
      child = spawnTied(this.#nodePath, ['-e', helperSource], {
        deathSignal: 'KILL',
        cwd: '/',
        env: { ...env, ELECTRON_RUN_AS_NODE: '1', UV_THREADPOOL_SIZE: helperThreads },
        stdio: ['pipe', 'pipe', 'pipe'],
      })
    } catch (error) {
      queueMicrotask(() => this.#failAll('PROBE_FAILED', `fs probe: cannot start ${this.#nodePath}: ${(error as Error).message}`))
      return null
    }
    this.#child = child
    this.#carry = ''
    this.#stderrTail = ''
    const stdin = child.stdin!
    const stdout = child.stdout!
    const stderr = child.stderr!
    // A write to a helper that just died fails with EPIPE; its exit handler settles the requests.
    stdin.on('error', ignore)
    stdout.setEncoding('utf8')
    stdout.on('data', (chunk: string) => {
      if (child === this.#child) this.#onData(chunk)
    })
    stderr.setEncoding('utf8')
    stderr.on('data', (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-500)
    })
    child.on('error', (error) => {
      if (child === this.#child) this.#lost(`fs probe: cannot run ${this.#nodePath}: ${error.message}`)
    })
    // Node reaps the child on SIGCHLD; a helper killed on timeout may outlive its replacement while its stuck thread
    // finishes, so only the current one's end matters. 'close' rather than 'exit': by then stderr has been read.
    child.on('close', (code, signal) => {
      if (child !== this.#child) return
      const stderr = this.#stderrTail.trim()
      this.#lost(`fs probe helper exited (${signal ?? `code ${code}`})${stderr ? `: ${stderr}` : ''}`)
    })
    child.unref()
    unref(stdin)
    unref(stdout)
    unref(stderr)
    return child
  }

  #lost(message: string): void {
    this.#child = null
    this.#failAll('PROBE_FAILED', message)
  }

  #kill(): void {
    const child = this.#child
    if (!child) return
    this.#child = null
    child.kill('SIGKILL')
  }

  #onData(chunk: string): void {
    let nl = chunk.indexOf('\n')
    if (nl === -1) {
      this.#carry += chunk
      return
    }
    this.#onLine(this.#carry === '' ? chunk.slice(0, nl) : this.#carry + chunk.slice(0, nl))
    let start = nl + 1
    while ((nl = chunk.indexOf('\n', start)) !== -1) {
      this.#onLine(chunk.slice(start, nl))
      start = nl + 1
    }
    this.#carry = start < chunk.length ? chunk.slice(start) : ''
  }

  #onLine(line: string): void {
    let id: number
    let result: FsResult
    try {
      ;[id, result] = JSON.parse(line) as [number, FsResult]
    } catch {
      return
    }
    const request = this.#pending.get(id)
    if (!request) return
    this.#pending.delete(id)
    if (this.#pending.size === 0) this.#timer?.unref()
    request.resolve(result)
  }

  // One timer for all requests, set for the earliest deadline. It is ref'ed only while requests wait, so awaiting code
  // keeps Node alive and an idle probe does not.
  #arm(deadline: number): void {
    if (deadline < this.#timerAt) {
      if (this.#timer) clearTimeout(this.#timer)
      this.#timerAt = deadline
      this.#timer = setTimeout(this.#onTimer, Math.max(1, Math.ceil(deadline - performance.now())))
    } else {
      this.#timer?.ref()
    }
  }

  readonly #onTimer = (): void => {
    this.#timer = null
    this.#timerAt = Infinity
    // libuv's clock is read once per loop turn, so the timer can fire up to a millisecond early.
    const now = performance.now() + 1
    let next = Infinity
    let late = false
    for (const request of this.#pending.values()) {
      if (request.deadline <= now) late = true
      else if (request.deadline < next) next = request.deadline
    }
    if (late) this.#recycle(now)
    else if (next !== Infinity) this.#arm(next)
  }

  // The stuck call holds a thread of the helper that nothing but SIGKILL frees, so the whole helper goes, and the
  // requests it was still working on go again to a new one.
  #recycle(now: number): void {
    this.#kill()
    let next = Infinity
    for (const request of this.#pending.values()) {
      if (request.deadline <= now) {
        this.#pending.delete(request.id)
        request.resolve(timeout(request.op, request.timeoutMs))
      } else {
        if (request.deadline < next) next = request.deadline
        this.#send(request.line)
      }
    }
    if (next !== Infinity) this.#arm(next)
  }

  #failAll(code: string, message: string): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    this.#timerAt = Infinity
    const requests = [...this.#pending.values()]
    this.#pending.clear()
    for (const request of requests) request.resolve({ ok: false, code, message })
  }
}

function timeout(op: FsOp, timeoutMs: number): FsFailure {
  return { ok: false, code: 'TIMEOUT', message: `${op.op} ${op.path}: no answer within ${timeoutMs} ms (is the mount hung?)` }
}

function ignore(): void {}

function unref(stream: object): void {
  ;(stream as { unref?: () => void }).unref?.()
}

let shared: FsProbe | undefined

/** The process-wide probe, created on first use. Its helper does not keep Node alive. */
export function sharedFsProbe(): FsProbe {
  return (shared ??= new FsProbe())
}
