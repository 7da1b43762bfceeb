/** RMount's own lines in a mount's log, and rclone's plumbing moved to debug (issue 12, point 13). */
import { describe, expect, it } from 'vitest'
import { mergeLogs, stateLine, withLogLevel } from '../../electron/app/mount-events-log.js'

describe('mount events log', () => {
  it('says killed, restarting, degraded, recovered and failed in words, at levels that match', () => {
    expect(stateLine('mounted', 'restarting', 'rclone stopped unexpectedly (killed). Restarting.', 5)).toEqual({
      time: 5,
      level: 'notice',
      object: 'RMount',
      message: 'restarting: rclone stopped unexpectedly (killed). Restarting.',
    })
    expect(stateLine('restarting', 'mounted', 'Mounted again after 1 restart.', 6)?.message).toBe(
      'recovered, mounted again: Mounted again after 1 restart.',
    )
    expect(stateLine('mounted', 'degraded', 'The remote did not answer in 1.2 s.', 7)?.level).toBe('notice')
    expect(stateLine('restarting', 'failed', 'Gave up after 5 restarts.', 8)?.level).toBe('error')
    expect(stateLine('unmounting', 'unmounted', 'Unmounted.', 9)?.message).toBe('Unmounted.')
    expect(stateLine('mounted', 'mounted', 'same', 10)).toBeNull()
  })

  it('moves rclone plumbing to debug, and merges the two logs in time order', () => {
    expect(withLogLevel({ time: 1, level: 'notice', message: 'Using --user rmount --pass XXXX as authenticated user' }).level).toBe('debug')
    expect(withLogLevel({ time: 1, level: 'info', message: 'photo.jpg: Copied (new)' }).level).toBe('info')
    const rclone = [1, 3, 5].map((time) => ({ time, level: 'info' as const, message: `r${time}` }))
    const own = [2, 6].map((time) => ({ time, level: 'info' as const, message: `o${time}` }))
    expect(mergeLogs(rclone, own).map((l) => l.message)).toEqual(['r1', 'o2', 'r3', 'r5', 'o6'])
  })
})
