/** The pure parts of the fault handling: round bookkeeping, sleep detection, cache-full decision, mountinfo spelling. */
import { describe, expect, it } from 'vitest'
import { cacheFullBelowBytes, isCacheFull } from '../../electron/engine/cache-space.js'
import { mountinfoEscape } from '../../electron/engine/mount-watchdog.js'
import { parseMountinfo } from '../../electron/engine/mountinfo.js'
import { ProbeRounds } from '../../electron/engine/probe-rounds.js'
import { sleptBetween } from '../../electron/engine/shared-ticker.js'

describe('ProbeRounds', () => {
  it('runs one round at a time unless urgent, and never more than two', () => {
    const rounds = new ProbeRounds()
    expect(rounds.begin(0, false)).toBe(0)
    expect(rounds.begin(1000, false)).toBeNull()
    expect(rounds.begin(1000, true)).toBe(1000)
    expect(rounds.begin(2000, true)).toBeNull()
    rounds.end()
    expect(rounds.begin(2000, true)).toBe(2000)
  })

  it('ignores a verdict older than one already given, and rounds that straddle a sleep', () => {
    const rounds = new ProbeRounds()
    // A stuck round (started at 0) finishes after a fresh one (started at 1000) has said the remote answers.
    expect(rounds.speak(1000)).toBe(true)
    expect(rounds.speak(0)).toBe(false)
    expect(rounds.speak(2000)).toBe(true)
    rounds.woke(5000)
    expect(rounds.speak(4000)).toBe(false)
    expect(rounds.speak(5000)).toBe(true)
  })
})

describe('sleptBetween', () => {
  it('sees a sleep on either clock, and not a late tick', () => {
    expect(sleptBetween(1000, 1100, 1100)).toBe(false)
    expect(sleptBetween(1000, 2500, 2500)).toBe(false)
    // SIGSTOP: the monotonic clock runs on.
    expect(sleptBetween(1000, 60_000, 60_000)).toBe(true)
    // A suspended machine: the monotonic clock stood still, the wall clock did not.
    expect(sleptBetween(1000, 1000, 3_600_000)).toBe(true)
  })
})

describe('isCacheFull', () => {
  it("takes rclone's flag or too little free space", () => {
    expect(isCacheFull(10 * cacheFullBelowBytes, false)).toBe(false)
    expect(isCacheFull(null, undefined)).toBe(false)
    expect(isCacheFull(10 * cacheFullBelowBytes, true)).toBe(true)
    expect(isCacheFull(cacheFullBelowBytes - 1, false)).toBe(true)
  })
})

describe('mountinfoEscape', () => {
  it('spells a path the way /proc/self/mountinfo does', () => {
    const path = '/home/me/My Files\\tab\there\nnew'
    const line = `36 35 0:50 / ${mountinfoEscape(path)} rw - fuse.rclone rmount: rw`
    expect(mountinfoEscape('/plain/path')).toBe('/plain/path')
    expect(parseMountinfo(line)[0]?.mountPoint).toBe(path)
  })
})
