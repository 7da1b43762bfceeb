/**
 * The life cycle shared by all test servers: start on a free port, freeze, thaw, stop, restart on the
 * same port, plus the module-wide registry that `stopAllServers()` and the exit hook clean up from.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, fstatSync, openSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { NetNamespace } from './netns.js'
import { isRunning, ownsListener, processTree, signalAll, type ProcInfo } from './process-tree.js'

/** A server process (tree) under test control. */
export interface TestServer {
  /** '127.0.0.1', or the address inside the network namespace the server runs in. */
  host: string
  /** Fixed for the server's whole life, restarts included. */
  port: number
  /** The server's stdout and stderr, appended across restarts: read it when a test fails. */
  logFile: string
  /** Every process of the server right now, the listener first; empty when stopped. */
  pids(): number[]
  /** SIGSTOP every process of the server, so open connections hang as well as new ones. */
  freeze(): void
  /** SIGCONT every process of the server. */
  thaw(): void
  /** SIGTERM every process of the tree, SIGKILL after 2 s; resolves when all are gone. No-op when stopped. */
  stop(): Promise<void>
  /** Stop, then start again on the same port with the same data and keys; resolves once it serves. */
  restart(): Promise<void>
}

/** What to run for one start of a server. */
export interface LaunchSpec {
  command: string
  args: string[]
  env?: NodeJS.ProcessEnv
  cwd?: string
}

/** How to run and recognise one kind of server. */
export interface ServerSpec {
  /** For error messages. */
  name: string
  logFile: string
  /** Called before every start, so it may write port-dependent config files. */
  launch(port: number): LaunchSpec | Promise<LaunchSpec>
  /** Resolves true once a client can really talk to the server on `host:port`. */
  probe(port: number, host: string): Promise<boolean>
  /** Run inside this network namespace (see netns.ts) and listen on its address instead of 127.0.0.1. */
  netns?: Pick<NetNamespace, 'address' | 'wrap'>
}

const loopback = '127.0.0.1'
const startTimeoutMs = 15_000
const termGraceMs = 2_000
const killWaitMs = 5_000

const live = new Set<ManagedServer>()
const tempDirs = new Set<string>()
const portsHandedOut = new Set<number>()

/** A fresh temp directory under os.tmpdir() with the given prefix, removed by stopAllServers(). */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  tempDirs.add(dir)
  return dir
}

/**
 * Stops every server started by this module and removes the temp dirs; for afterAll. Unmounts nothing: a temp dir
 * with a mount still inside is left alone (rm would walk into the mount and delete the remote's files, or hang on a
 * frozen server) and reported in the thrown error, after everything else is cleaned up.
 */
export async function stopAllServers(): Promise<void> {
  const servers = [...live]
  live.clear()
  const results = await Promise.allSettled(servers.map((server) => server.stop()))
  const dirs = [...tempDirs]
  tempDirs.clear()
  results.push(...(await Promise.allSettled(dirs.map((dir) => removeUnlessMounted(dir)))))
  const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected')
  if (failures.length > 0)
    throw new AggregateError(
      failures.map((failure) => failure.reason),
      'stopAllServers: cleanup incomplete',
    )
}

async function removeUnlessMounted(dir: string): Promise<void> {
  const mounted = mountsUnder(dir)
  if (mounted.length > 0) throw new Error(`left ${dir} in place: still mounted inside it: ${mounted.join(', ')}`)
  await rm(dir, { recursive: true, force: true, maxRetries: 3 })
}

/** Mount points at or below `dir`, from /proc/self/mountinfo. */
function mountsUnder(dir: string): string[] {
  let real: string
  try {
    // Resolve only the parent: a lookup of the dir itself would block forever if it is a mount of a frozen server.
    real = join(realpathSync(dirname(dir)), basename(dir))
  } catch {
    return []
  }
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((field): field is string => field !== undefined)
    .map((field) => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((mountPoint) => mountPoint === real || mountPoint.startsWith(`${real}/`))
}

/** Starts a server on a free port and registers it for cleanup. */
export async function startManaged(spec: ServerSpec): Promise<TestServer> {
  const server = new ManagedServer(spec)
  live.add(server)
  installExitHook()
  try {
    await server.startOnFreePort()
  } catch (error) {
    await server.stop()
    throw error
  }
  return server.handle()
}

/**
 * A port nobody listens on right now, below the kernel's ephemeral range: the kernel never hands those out as the
 * source port of an outgoing connection or for a bind to port 0, so while a server is stopped for a restart nothing
 * but another harness picking the same random number can take its port. Another program may still take it before the
 * server binds; callers retry.
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow = 32768] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
  const low = Math.min(20_000, ephemeralLow - 1_000)
  for (let attempt = 0; ; attempt++) {
    // Fall back to a kernel-chosen port if the range below is crowded (or the range is configured oddly).
    const wanted = attempt < 50 && low > 1024 ? low + Math.floor(Math.random() * (ephemeralLow - low)) : 0
    if (portsHandedOut.has(wanted)) continue
    const port = await tryListen(wanted)
    if (port === null || portsHandedOut.has(port)) continue
    portsHandedOut.add(port)
    return port
  }
}

/** Binds 127.0.0.1:port (0: any) and closes again; the port bound, or null when it was taken. */
function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', () => resolve(null))
    probe.listen(port, loopback, () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : null))
    })
  })
}

class AddressInUseError extends Error {}

class ManagedServer {
  port = 0
  private child: ChildProcess | null = null
  /** Every process ever seen in the tree, so children orphaned by a dead listener are still found and killed. */
  private readonly known = new Map<number, ProcInfo>()

  private readonly host: string

  constructor(private readonly spec: ServerSpec) {
    this.host = spec.netns?.address ?? loopback
  }

  handle(): TestServer {
    return {
      host: this.host,
      port: this.port,
      logFile: this.spec.logFile,
      pids: () => this.procs().map((info) => info.pid),
      freeze: () => this.freeze(),
      thaw: () => signalAll(this.procs(), 'SIGCONT'),
      stop: () => this.stop(),
      restart: () => this.restart(),
    }
  }

  async startOnFreePort(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort()
      try {
        await this.launch()
        return
      } catch (error) {
        if (!(error instanceof AddressInUseError) || attempt >= 5) throw error
      }
    }
  }

  async restart(): Promise<void> {
    await this.stop()
    live.add(this)
    const deadline = Date.now() + startTimeoutMs
    for (;;) {
      try {
        await this.launch()
        return
      } catch (error) {
        // Our own listener is gone by now, so this is a client's socket in the way; it rarely lasts.
        if (!(error instanceof AddressInUseError) || Date.now() > deadline) throw error
        await sleep(200)
      }
    }
  }

  /** SIGKILL at once, synchronously: for the exit hook, where nothing asynchronous runs any more. */
  killNow(): void {
    signalAll(this.procs(), 'SIGKILL')
  }

  /** Processes of the server that still run: the live tree under the listener plus any orphan seen earlier. */
  private procs(): ProcInfo[] {
    const root = this.child?.pid
    const tree = root !== undefined && this.child?.exitCode === null && this.child.signalCode === null ? processTree([root]) : []
    for (const info of tree) this.known.set(info.pid, info)
    for (const [pid, info] of this.known) if (!isRunning(info)) this.known.delete(pid)
    const result = [...tree]
    for (const info of this.known.values()) if (!tree.some((t) => t.pid === info.pid)) result.push(info)
    return result
  }

  private freeze(): void {
    // The listener is stopped first, but it may have forked a child between the walk and the signal, so walk until nothing new appears.
    const stopped = new Set<number>()
    for (;;) {
      const fresh = this.procs().filter((info) => !stopped.has(info.pid))
      if (fresh.length === 0) return
      signalAll(fresh, 'SIGSTOP')
      for (const info of fresh) stopped.add(info.pid)
    }
  }

  private async launch(): Promise<void> {
    const launched = await this.spec.launch(this.port)
    const { env, cwd } = launched
    const [command, args] = this.spec.netns ? this.spec.netns.wrap(launched.command, launched.args) : [launched.command, launched.args]
    const log = openSync(this.spec.logFile, 'a')
    // The log spans restarts: only what this start wrote may decide whether the port was taken.
    const logStart = fstatSync(log).size
    let child: ChildProcess
    try {
      // pdeathsig: if the test process dies without cleaning up, the kernel kills the server with it.
      child = spawn('/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', command, ...args], { stdio: ['ignore', log, log], env, cwd })
    } finally {
      closeSync(log)
    }
    // Node would otherwise crash the test process on a spawn error with no listener.
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve))
    // Keeps a forgotten server from holding the test process open; the exit hook and pdeathsig still kill it.
    child.unref()
    this.child = child
    const deadline = Date.now() + startTimeoutMs
    for (;;) {
      const failure = await Promise.race([spawnError, sleep(50).then(() => null)])
      if (failure) throw new Error(`${this.spec.name}: cannot start ${command}: ${failure.message}`)
      if (child.exitCode !== null || child.signalCode !== null) {
        const tail = await logTail(this.spec.logFile, logStart)
        const message = `${this.spec.name} exited (${child.exitCode ?? child.signalCode}) while starting on port ${this.port}:\n${tail}`
        this.child = null
        if (/address already in use|EADDRINUSE/i.test(tail)) throw new AddressInUseError(message)
        throw new Error(message)
      }
      const pids = this.procs().map((info) => info.pid)
      if (ownsListener(pids, this.port, this.host) && (await this.spec.probe(this.port, this.host))) {
        // sshd forks a child for the probe's connection; let it go, so pids() right after start is just the server.
        const settled = Date.now() + 1_000
        while (this.procs().length > 1 && Date.now() < settled) await sleep(10)
        return
      }
      if (Date.now() > deadline) {
        await this.stop()
        throw new Error(
          `${this.spec.name} did not serve on port ${this.port} within ${startTimeoutMs} ms:\n${await logTail(this.spec.logFile, logStart)}`,
        )
      }
    }
  }

  async stop(): Promise<void> {
    live.delete(this)
    let targets = this.procs()
    const child = this.child
    // A frozen process only acts on SIGTERM once it runs again.
    signalAll(targets, 'SIGTERM')
    signalAll(targets, 'SIGCONT')
    const graceEnd = Date.now() + termGraceMs
    while (targets.some(isRunning) && Date.now() < graceEnd) {
      await sleep(25)
      targets = mergeProcs(targets, this.procs())
    }
    const killEnd = Date.now() + killWaitMs
    while ((targets = mergeProcs(targets, this.procs())).some(isRunning)) {
      signalAll(targets, 'SIGKILL')
      if (Date.now() > killEnd)
        throw new Error(`${this.spec.name}: processes survived SIGKILL: ${targets.filter(isRunning).map((t) => t.pid)}`)
      await sleep(25)
    }
    // The listener is our child: wait for Node to reap it, so no zombie outlives stop(). The child is unref'd, so ref it
    // meanwhile, or a script whose only pending work is this wait would exit in the middle of it.
    if (child && child.exitCode === null && child.signalCode === null) {
      child.ref()
      await new Promise((resolve) => child.once('exit', resolve))
      child.unref()
    }
    this.child = null
    this.known.clear()
  }
}

function mergeProcs(a: readonly ProcInfo[], b: readonly ProcInfo[]): ProcInfo[] {
  const merged = new Map<string, ProcInfo>()
  for (const info of [...a, ...b]) merged.set(`${info.pid}/${info.startTime}`, info)
  return [...merged.values()]
}

/** The last few KiB the server wrote to its log since byte `from`. */
async function logTail(file: string, from: number, bytes = 4096): Promise<string> {
  try {
    const handle = await open(file, 'r')
    try {
      const { size } = await handle.stat()
      const start = Math.max(from, size - bytes)
      const buffer = Buffer.alloc(Math.max(0, size - start))
      await handle.read(buffer, 0, buffer.length, start)
      return buffer.toString('utf8')
    } finally {
      await handle.close()
    }
  } catch {
    return '(no log)'
  }
}

let exitHookInstalled = false

/**
 * SIGKILLs every registered server and removes the temp dirs when the test process exits without stopAllServers():
 * pdeathsig covers only direct children, not sshd's per-connection ones.
 */
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const server of live) server.killNow()
    for (const dir of tempDirs) {
      try {
        if (mountsUnder(dir).length === 0) rmSync(dir, { recursive: true, force: true, maxRetries: 3 })
      } catch {
        // Best effort: a process killed a moment ago may still be writing; a stray temp dir is harmless.
      }
    }
  })
}
