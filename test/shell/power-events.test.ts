/** Re-probing after resume, unlock and network changes: one probe per burst, never two at once; the network fingerprint. */
import type { NetworkInterfaceInfo } from 'node:os'
import { networkInterfaces } from 'node:os'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createReprobe, networkFingerprint, watchNetwork } from '../../electron/app/power-events.js'

/** A probeAll that counts calls and takes `ms` (fake time) to finish, like a real round of probes. */
function counter(ms = 0) {
  const calls: number[] = []
  let running = 0
  let overlapped = false
  return {
    calls,
    get overlapped() {
      return overlapped
    },
    async probeAll() {
      calls.push(Date.now())
      running++
      if (running > 1) overlapped = true
      await new Promise((resolve) => setTimeout(resolve, ms))
      running--
    },
  }
}

describe('createReprobe', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('probes once, debounceMs after the last event of a burst', async () => {
    const manager = counter()
    const reprobe = createReprobe(manager, 2000)
    reprobe.onResume()
    await vi.advanceTimersByTimeAsync(500)
    reprobe.onUnlock()
    await vi.advanceTimersByTimeAsync(500)
    reprobe.onNetworkChange()
    reprobe.onNetworkChange()
    await vi.advanceTimersByTimeAsync(1999)
    expect(manager.calls).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(manager.calls).toEqual([3000])
    await vi.advanceTimersByTimeAsync(10_000)
    expect(manager.calls).toHaveLength(1)
  })

  it.each(['onResume', 'onUnlock', 'onNetworkChange'] as const)('%s alone probes', async (event) => {
    const manager = counter()
    createReprobe(manager, 100)[event]()
    await vi.advanceTimersByTimeAsync(100)
    expect(manager.calls).toEqual([100])
  })

  it('two bursts far apart probe twice', async () => {
    const manager = counter()
    const reprobe = createReprobe(manager, 1000)
    reprobe.onResume()
    await vi.advanceTimersByTimeAsync(5000)
    reprobe.onNetworkChange()
    await vi.advanceTimersByTimeAsync(5000)
    expect(manager.calls).toEqual([1000, 6000])
  })

  it('an event during a running probe brings one more probe after it, never two at once', async () => {
    const manager = counter(3000)
    const reprobe = createReprobe(manager, 100)
    reprobe.onResume()
    await vi.advanceTimersByTimeAsync(100) // probe 1 runs from 100 to 3100
    reprobe.onNetworkChange()
    await vi.advanceTimersByTimeAsync(100) // due at 200 while probe 1 runs
    reprobe.onUnlock()
    await vi.advanceTimersByTimeAsync(100) // due at 300 while probe 1 runs: still only one more
    await vi.advanceTimersByTimeAsync(10_000)
    expect(manager.calls).toEqual([100, 3100])
    expect(manager.overlapped).toBe(false)
  })

  it('a failing probeAll is reported and does not stop later probes', async () => {
    const errors: unknown[] = []
    let calls = 0
    const reprobe = createReprobe(
      {
        probeAll: async () => {
          calls++
          throw new Error('mount table unreadable')
        },
      },
      10,
      (error) => errors.push(error),
    )
    reprobe.onResume()
    await vi.advanceTimersByTimeAsync(10)
    reprobe.onResume()
    await vi.advanceTimersByTimeAsync(10)
    expect(calls).toBe(2)
    expect(errors.map((e) => (e as Error).message)).toEqual(['mount table unreadable', 'mount table unreadable'])
  })

  it('dispose cancels a probe still waiting', async () => {
    const manager = counter()
    const reprobe = createReprobe(manager, 1000)
    reprobe.onResume()
    reprobe.dispose()
    await vi.advanceTimersByTimeAsync(5000)
    expect(manager.calls).toEqual([])
  })
})

function iface(address: string, extra: Partial<NetworkInterfaceInfo> = {}): NetworkInterfaceInfo {
  const v6 = address.includes(':')
  return {
    address,
    netmask: v6 ? 'ffff:ffff:ffff:ffff::' : '255.255.255.0',
    family: v6 ? 'IPv6' : 'IPv4',
    mac: '52:54:00:12:34:56',
    internal: false,
    cidr: `${address}/${v6 ? 64 : 24}`,
    ...(v6 ? { scopeid: 0 } : {}),
    ...extra,
  } as NetworkInterfaceInfo
}

const loopback = [iface('127.0.0.1', { internal: true, cidr: '127.0.0.1/8' }), iface('::1', { internal: true, cidr: '::1/128' })]

describe('networkFingerprint', () => {
  const home = { lo: loopback, wlan0: [iface('192.168.1.20'), iface('2001:db8::20'), iface('fe80::1')] }

  it('lists the non-loopback addresses, sorted', () => {
    expect(networkFingerprint(home)).toBe('wlan0 192.168.1.20/24\nwlan0 2001:db8::20/64')
  })

  it('does not depend on the order interfaces and addresses come in', () => {
    const reordered = { wlan0: [iface('fe80::1'), iface('2001:db8::20'), iface('192.168.1.20')], lo: [...loopback].reverse() }
    expect(networkFingerprint(reordered)).toBe(networkFingerprint(home))
  })

  it.each([
    ['another Wi-Fi', { lo: loopback, wlan0: [iface('10.0.0.7'), iface('fe80::1')] }],
    ['a VPN coming up', { ...home, tun0: [iface('10.8.0.2')] }],
    ['the cable plugged in', { ...home, eth0: [iface('192.168.1.30')] }],
    ['offline', { lo: loopback }],
    ['a new IPv6 prefix', { lo: loopback, wlan0: [iface('192.168.1.20'), iface('2001:db8:1::20'), iface('fe80::1')] }],
    ['the same address on another interface', { lo: loopback, eth0: [iface('192.168.1.20'), iface('2001:db8::20')] }],
  ])('changes for %s', (_what, next) => {
    expect(networkFingerprint(next)).not.toBe(networkFingerprint(home))
  })

  it.each([
    ['loopback changes', { lo: [loopback[0]!], wlan0: home.wlan0 }],
    ['a link-local address changes', { lo: loopback, wlan0: [iface('192.168.1.20'), iface('2001:db8::20'), iface('fe80::99')] }],
    ['an interface lists no address (undefined)', { ...home, docker0: undefined }],
  ])('stays the same when %s', (_what, next) => {
    expect(networkFingerprint(next)).toBe(networkFingerprint(home))
  })

  it('is empty offline, and works on this machine', () => {
    expect(networkFingerprint({ lo: loopback })).toBe('')
    expect(typeof networkFingerprint(networkInterfaces())).toBe('string')
  })
})

describe('watchNetwork', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('calls onChange once per change of fingerprint, at the next poll', async () => {
    let current: NodeJS.Dict<NetworkInterfaceInfo[]> = { lo: loopback, wlan0: [iface('192.168.1.20')] }
    const changes: number[] = []
    const stop = watchNetwork(
      () => current,
      () => changes.push(Date.now()),
      3000,
    )
    await vi.advanceTimersByTimeAsync(9000)
    expect(changes).toEqual([])
    current = { lo: loopback, wlan0: [iface('10.0.0.7')] }
    await vi.advanceTimersByTimeAsync(3000)
    await vi.advanceTimersByTimeAsync(9000)
    expect(changes).toEqual([12_000])
    current = { lo: loopback }
    await vi.advanceTimersByTimeAsync(3000)
    expect(changes).toEqual([12_000, 24_000])
    stop()
    current = { lo: loopback, wlan0: [iface('192.168.1.20')] }
    await vi.advanceTimersByTimeAsync(30_000)
    expect(changes).toHaveLength(2)
  })
})
