/** When a mount's change of health interrupts the user, and what a click on it opens. */
import { describe, expect, it } from 'vitest'
import { mountStates, type MountHealth, type MountState } from '../../shared/mount-state.js'
import type { ErrorInfo } from '../../shared/errors.js'
import { createNotificationPolicy, freshMemory, nextMemory, notificationFor, type MountMemory } from '../../electron/app/notifications.js'
import { parseWindowLink, windowLinkHash } from '../../shared/window-link.js'

function health(state: MountState, lastError: ErrorInfo | null = null): MountHealth {
  return {
    state,
    reason: `now ${state}`,
    localPath: '/home/me/Photos',
    remote: 'S3 bucket',
    pid: null,
    restarts: 0,
    mountedAt: null,
    stateSince: 0,
    lastError,
    pendingUploads: 0,
    uploadsInProgress: 0,
    transfer: { bytes: 0, speed: 0, transferring: 0, errors: 0 },
    lastProbeOk: null,
    rcloneVersion: null,
  }
}

const photos = { id: 'photos', name: 'Photos' }
const authFailed: ErrorInfo = { code: 'AUTH_FAILED', message: 'The access key was refused: check the key in the remote.' }
const gaveUp: ErrorInfo = { code: 'RESTART_LIMIT', message: 'rclone exited 6 times in 60 s.' }

const settled = (state: MountState, troubled = false): MountMemory => ({ settled: state, troubled })

describe('notificationFor', () => {
  it('tells when a mount fails, with its error', () => {
    expect(notificationFor(settled('mounted'), health('failed', authFailed), photos)).toEqual({
      title: 'Photos failed',
      body: authFailed.message,
      mountId: 'photos',
    })
  })

  it('tells when a mount gives up restarting, and what to do', () => {
    const note = notificationFor(settled('degraded', true), health('failed', gaveUp), photos)
    expect(note).toMatchObject({ title: 'Photos stopped restarting', mountId: 'photos' })
    expect(note!.body).toBe(`${gaveUp.message} Choose Retry in the tray once the remote is back.`)
  })

  it('falls back to the reason when a failure has no error', () => {
    expect(notificationFor(settled('mounted'), health('failed'), photos)?.body).toBe('now failed')
  })

  it('does not tell a failure twice while the mount stays failed', () => {
    expect(notificationFor(settled('failed', true), health('failed', authFailed), photos)).toBeNull()
  })

  it('tells when a mount in trouble is mounted again', () => {
    expect(notificationFor(settled('unmounted', true), health('mounted'), photos)).toEqual({
      title: 'Photos is back',
      body: '/home/me/Photos is mounted and the remote answers again.',
      mountId: 'photos',
    })
  })

  // Without trouble remembered, only a failure is news, whatever the states.
  const pairs = mountStates.flatMap((a) => mountStates.map((b) => [a, b] as const))
  it.each(pairs)('%s → %s without trouble: notifies only a failure', (previous, next) => {
    const expectLoud = next === 'failed' && previous !== 'failed'
    expect(notificationFor(settled(previous), health(next, next === 'failed' ? authFailed : null), photos) !== null).toBe(expectLoud)
  })
})

describe('nextMemory', () => {
  it.each([
    [settled('failed', true), 'mounting', settled('failed', true)],
    [settled('mounted'), 'restarting', settled('mounted')],
    [settled('degraded', true), 'restarting', settled('degraded', true)],
    [settled('mounted'), 'unmounting', settled('mounted')],
    [settled('unmounted'), 'mounting', settled('unmounted')],
    [settled('mounted'), 'degraded', settled('degraded', true)],
    [settled('mounted'), 'failed', settled('failed', true)],
    [settled('failed', true), 'unmounted', settled('unmounted', true)],
    [settled('unmounted', true), 'mounted', settled('mounted', false)],
  ] as Array<[MountMemory, MountState, MountMemory]>)('%j then %s → %j', (memory, next, expected) => {
    expect(nextMemory(memory, next)).toEqual(expected)
  })

  it('starts as a mount never seen: unmounted, no trouble', () => {
    expect(freshMemory).toEqual(settled('unmounted'))
  })
})

describe('createNotificationPolicy: sequences of health updates', () => {
  function run(states: Array<MountState | [MountState, ErrorInfo]>): Array<string | null> {
    const policy = createNotificationPolicy()
    return states.map((s) => {
      const [state, error] = Array.isArray(s) ? s : [s, null]
      return policy.update(photos, health(state, error))?.title ?? null
    })
  }

  it('is silent through a routine mount and unmount', () => {
    expect(run(['unmounted', 'mounting', 'mounted', 'mounted', 'unmounting', 'unmounted'])).toEqual([null, null, null, null, null, null])
  })

  it('is silent when a crash is repaired by a quick restart', () => {
    expect(run(['mounting', 'mounted', 'restarting', 'mounted'])).toEqual([null, null, null, null])
  })

  it('tells of a failure once, and of the recovery after a Retry (which unmounts, then mounts)', () => {
    expect(
      run(['mounting', 'mounted', ['failed', authFailed], ['failed', authFailed], 'unmounting', 'unmounted', 'mounting', 'mounted']),
    ).toEqual([null, null, 'Photos failed', null, null, null, null, 'Photos is back'])
  })

  it('tells of the recovery from degraded, even through a restart', () => {
    expect(run(['mounting', 'mounted', 'degraded', 'restarting', 'mounted'])).toEqual([null, null, null, null, 'Photos is back'])
  })

  it('tells when restarts give up', () => {
    expect(run(['mounting', 'mounted', 'restarting', 'restarting', ['failed', gaveUp]])).toEqual([
      null,
      null,
      null,
      null,
      'Photos stopped restarting',
    ])
  })

  it('tells again when a Retry fails again: that is the answer to the Retry', () => {
    expect(run([['failed', authFailed], 'unmounting', 'unmounted', 'mounting', ['failed', authFailed]])).toEqual([
      'Photos failed',
      null,
      null,
      null,
      'Photos failed',
    ])
  })

  it('is silent when a mount that never had trouble is unmounted and mounted again', () => {
    expect(run(['mounting', 'mounted', 'unmounting', 'unmounted', 'mounting', 'mounted'])).toEqual([null, null, null, null, null, null])
  })

  it('tells of a failure at the first mount (mountAtStart with the window hidden)', () => {
    expect(run(['mounting', ['failed', authFailed]])).toEqual([null, 'Photos failed'])
  })

  it('keeps mounts apart, and forgets a deleted one', () => {
    const policy = createNotificationPolicy()
    const other = { id: 'nas', name: 'NAS' }
    policy.update(photos, health('failed', authFailed))
    expect(policy.update(other, health('mounted'))).toBeNull()
    expect(policy.update(photos, health('mounted'))?.title).toBe('Photos is back')
    policy.update(other, health('failed', authFailed))
    policy.forget('nas')
    expect(policy.update(other, health('mounted'))).toBeNull()
  })
})

describe('window links (what a click opens)', () => {
  it.each([
    [{ mountId: 'photos' }, 'mount=photos'],
    [{ mountId: 'photos', view: 'logs' as const }, 'mount=photos&view=logs'],
  ])('%j ⇄ #%s', (target, hash) => {
    expect(windowLinkHash(target)).toBe(hash)
    expect(parseWindowLink(`#${hash}`)).toEqual(target)
    expect(parseWindowLink(hash)).toEqual(target)
  })

  it.each(['', '#', '#view=logs', '#mount=', '#something-else'])('%j names no mount', (hash) => {
    expect(parseWindowLink(hash)).toBeNull()
  })

  it('ignores a view it does not know', () => {
    expect(parseWindowLink('#mount=a&view=secrets')).toEqual({ mountId: 'a' })
  })
})
