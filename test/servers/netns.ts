/**
 * A network namespace reached over a veth pair, for partition tests: servers run inside it (`ip netns exec`), the
 * test process reaches them on the namespace's address, and `cut()` takes the link down (packets then vanish, as on a
 * dropped Wi-Fi; this kernel has no tc netem). Every address is inside a /30 of 10.231.0.0/16 that this run picked
 * and checked to be unused, so nothing outside the namespace and its veth is touched.
 *
 * The cut takes down the namespace's end of the pair: our end stays up without carrier, its route stays (marked
 * linkdown) and packets sent to the namespace are dropped there. Taking our end down instead would delete that route,
 * and packets for the namespace would follow the default route off the machine; an `unreachable` route with a high
 * metric makes sure that never happens, whatever state the link is in.
 */
import { execFile, execFileSync } from 'node:child_process'
import { randomBytes, randomInt } from 'node:crypto'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** A namespace with one veth pair: `hostAddress` on our side, `address` inside. */
export interface NetNamespace {
  name: string
  /** The namespace's own address: where servers inside it listen. */
  address: string
  /** This side's address on the veth pair. */
  hostAddress: string
  /** Our side of the veth pair. */
  hostVeth: string
  /** The /30 both addresses are in. */
  subnet: string
  /** Takes the link down: connections stall, new ones fail, nothing answers. */
  cut(): Promise<void>
  /** Brings the link back. */
  restore(): Promise<void>
  /** `[command, args]` that run `command args` inside the namespace (exec, no extra process). */
  wrap(command: string, args: readonly string[]): [string, string[]]
  /** Deletes the namespace and the veth pair; processes still inside must be stopped first (by pid). */
  remove(): Promise<void>
}

const live = new Set<NetNamespace>()
const safetyMetric = '4000'
let exitHookInstalled = false

/** Creates a namespace with a veth pair on a fresh /30 inside 10.231.0.0/16 (needs root). */
export async function createNetns(): Promise<NetNamespace> {
  const id = randomBytes(3).toString('hex')
  const name = `rmount-${id}`
  const hostVeth = `rmh${id}`
  const nsVeth = `rmn${id}`
  const [hostAddress, address, subnet] = await freeSubnet()
  await run('ip', ['netns', 'add', name])
  const ns: NetNamespace = {
    name,
    address,
    hostAddress,
    hostVeth,
    subnet,
    cut: async () => void (await run('ip', ['-n', name, 'link', 'set', nsVeth, 'down'])),
    restore: async () => void (await run('ip', ['-n', name, 'link', 'set', nsVeth, 'up'])),
    wrap: (command, args) => ['ip', ['netns', 'exec', name, command, ...args]],
    remove: async () => {
      live.delete(ns)
      await run('ip', ['link', 'del', hostVeth]).catch(() => undefined)
      await run('ip', ['route', 'del', 'unreachable', subnet, 'metric', safetyMetric]).catch(() => undefined)
      await run('ip', ['netns', 'del', name]).catch(() => undefined)
    },
  }
  live.add(ns)
  installExitHook()
  try {
    await run('ip', ['route', 'add', 'unreachable', subnet, 'metric', safetyMetric])
    await run('ip', ['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', nsVeth, 'netns', name])
    await run('ip', ['addr', 'add', `${hostAddress}/30`, 'dev', hostVeth])
    await run('ip', ['link', 'set', hostVeth, 'up'])
    await run('ip', ['-n', name, 'addr', 'add', `${address}/30`, 'dev', nsVeth])
    await run('ip', ['-n', name, 'link', 'set', nsVeth, 'up'])
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up'])
  } catch (error) {
    await ns.remove()
    throw error
  }
  return ns
}

/** Removes every namespace this process created and has not removed; for afterAll, after the servers are stopped. */
export async function removeAllNetns(): Promise<void> {
  await Promise.all([...live].map((ns) => ns.remove()))
}

/** Two addresses of a /30 in 10.231.0.0/16 that no interface here uses yet, and the /30. */
async function freeSubnet(): Promise<[string, string, string]> {
  const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show'])
  const used = new Set([...stdout.matchAll(/inet 10\.231\.(\d+)\.(\d+)\//g)].map((m) => `${m[1]}.${Number(m[2]) & ~3}`))
  for (;;) {
    const third = randomInt(256)
    const fourth = randomInt(64) * 4
    if (!used.has(`${third}.${fourth}`))
      return [`10.231.${third}.${fourth + 1}`, `10.231.${third}.${fourth + 2}`, `10.231.${third}.${fourth}/30`]
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const ns of live) {
      for (const args of [
        ['link', 'del', ns.hostVeth],
        ['route', 'del', 'unreachable', ns.subnet, 'metric', safetyMetric],
        ['netns', 'del', ns.name],
      ]) {
        try {
          execFileSync('ip', args, { stdio: 'ignore' })
        } catch {
          // Best effort at exit.
        }
      }
    }
  })
}
