/**
 * After the machine wakes, the screen unlocks or the network changes, every mount's remote may have
 * gone away (peers' most common complaint: "mounts die after sleep and do not come back"). Instead of
 * waiting for each mount's next probe to time out, probe them all at once. These events come in
 * bursts (resume, then unlock, then Wi-Fi reconnects), so a burst probes once, after it settles.
 */
import type { NetworkInterfaceInfo } from 'node:os'

/** What re-probing needs of the mount manager. */
export interface ProbeAll {
  probeAll(): Promise<void>
}

/** The handlers the shell wires to powerMonitor and the network watcher. */
export interface Reprobe {
  onResume(): void
  onUnlock(): void
  onNetworkChange(): void
  /** Cancels a probe still waiting for its burst to settle. */
  dispose(): void
}

/**
 * Probes every mount `debounceMs` after the last of a burst of events. A burst that arrives while a
 * probe runs schedules one more probe after it (the network may have changed under the first), never
 * two at once.
 */
export function createReprobe(manager: ProbeAll, debounceMs: number, onError: (error: unknown) => void = () => undefined): Reprobe {
  let timer: NodeJS.Timeout | null = null
  let running = false
  let again = false

  const probe = async (): Promise<void> => {
    if (running) {
      again = true
      return
    }
    running = true
    try {
      await manager.probeAll()
    } catch (error) {
      onError(error)
    } finally {
      running = false
    }
    if (again) {
      again = false
      await probe()
    }
  }

  const schedule = (): void => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      void probe()
    }, debounceMs)
  }

  return {
    onResume: schedule,
    onUnlock: schedule,
    onNetworkChange: schedule,
    dispose() {
      if (timer) clearTimeout(timer)
      timer = null
    },
  }
}

/**
 * A string that changes when the machine's network does: the addresses of every non-loopback
 * interface, sorted. Link-local IPv6 addresses are left out: every interface has one, they never lead
 * to a remote, and they come and go with the link alone.
 */
export function networkFingerprint(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string {
  const addresses: string[] = []
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (info.internal) continue
      if (info.family === 'IPv6' && /^fe[89ab]/i.test(info.address)) continue
      addresses.push(`${name} ${info.cidr ?? `${info.address}/${info.netmask}`}`)
    }
  }
  return addresses.sort().join('\n')
}

/**
 * Calls `onChange` when the network fingerprint changes, checking every `intervalMs`. Electron has no
 * network-change event on Linux, and reading the interface list costs microseconds, so a poll of a few
 * seconds is cheap and catches Wi-Fi switches, VPNs and cable changes. Returns a stop function.
 */
export function watchNetwork(
  readInterfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]>,
  onChange: () => void,
  intervalMs: number,
): () => void {
  let last = networkFingerprint(readInterfaces())
  const timer = setInterval(() => {
    const now = networkFingerprint(readInterfaces())
    if (now === last) return
    last = now
    onChange()
  }, intervalMs)
  // The watcher alone must not keep the app alive.
  timer.unref()
  return () => clearInterval(timer)
}
