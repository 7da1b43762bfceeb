/**
 * What a mount row has to say beyond its facts, each sentence once: why it is in its state, its last
 * error (with its time and a Dismiss), why the last action failed (with the way out the message
 * advises), that saved changes wait for the next mount, what an unmount waits for, and which files a
 * forced unmount left in the cache.
 */
import { useRef } from 'react'
import type { ErrorInfo } from '../../../shared/errors.js'
import type { MountHealth } from '../../../shared/mount-state.js'
import { useActions } from '../use-app.js'
import { RelativeTime } from './RelativeTime.js'

/** Errors whose message advises forcing the unmount: the row offers that button, in the message's words. */
const forceLabels: Partial<Record<string, string>> = {
  PENDING_UPLOADS: 'Unmount now; files wait in the cache',
  MOUNTPOINT_BUSY: 'Force the unmount',
}

/** What identifies a last error for Dismiss: its time, or its words when it has none. */
export function errorKey(health: MountHealth): string {
  return health.lastErrorAt ? String(health.lastErrorAt) : `${health.lastError?.code}:${health.lastError?.message}`
}

export function MountNotices(props: {
  id: string
  name: string
  health: MountHealth | undefined
  actionError: ErrorInfo | undefined
  dismissedError: string | undefined
  leftInCache: string[] | undefined
  waiting: boolean
}) {
  const { id, health, actionError } = props
  const actions = useActions()
  const state = health?.state ?? 'unmounted'
  const said = new Set<string>()
  // Each sentence at most once: a failed mount's reason, last error and action error are often the same words.
  const once = (text: string | undefined) => {
    if (!text || said.has(text)) return false
    said.add(text)
    return true
  }
  const lastError = health?.lastError && props.dismissedError !== errorKey(health) ? health.lastError : null
  const showAction = actionError && once(actionError.message)
  const showLast = lastError && once(lastError.message)
  const showReason = health && state !== 'mounted' && state !== 'unmounted' && state !== 'unmounting' && once(health.reason)

  // While an unmount waits for uploads: how many there were when it began, and how many are left.
  const left = (health?.pendingUploads ?? 0) + (health?.uploadsInProgress ?? 0)
  const waitStart = useRef(0)
  if (state !== 'unmounting') waitStart.current = 0
  else waitStart.current = Math.max(waitStart.current, left)

  return (
    <>
      {health?.settingsPending ? (
        <div className="mount-note" role="status">
          <p>Saved changes apply at the next mount; the mount still runs with its earlier settings.</p>
          <button type="button" disabled={props.waiting} onClick={() => void actions.remount(id)}>
            Remount now
          </button>
        </div>
      ) : null}
      {state === 'unmounting' ? (
        <div className="mount-note" role="status" aria-live="polite">
          <p>
            {left > 0
              ? `Waiting for ${left} file${left === 1 ? '' : 's'} to upload (${waitStart.current - left} of ${waitStart.current} done), then unmounting.`
              : health?.reason}
          </p>
          {waitStart.current > 0 ? (
            <progress max={waitStart.current} value={waitStart.current - left} aria-label={`Uploads before ${props.name} unmounts`} />
          ) : null}
        </div>
      ) : null}
      {showReason ? <p className="mount-reason">{health.reason}</p> : null}
      {showLast && health ? (
        // Kept after the mount recovers, so a person can still read what happened; muted then, until dismissed.
        <div className={state === 'failed' || state === 'degraded' ? 'mount-error' : 'mount-error past'}>
          <p>
            Last error
            {health.lastErrorAt ? (
              <>
                {' '}
                (<RelativeTime time={health.lastErrorAt} />)
              </>
            ) : null}
            : {lastError.message} <code>{lastError.code}</code>
          </p>
          <button
            type="button"
            className="link"
            aria-label="Dismiss the last error"
            onClick={() => actions.dismissLastError(id, errorKey(health))}
          >
            Dismiss
          </button>
        </div>
      ) : null}
      {showAction ? (
        <div className="mount-error" role="alert">
          <p>
            {actionError.message} <code>{actionError.code}</code>
          </p>
          {forceLabels[actionError.code] ? (
            <button type="button" className="danger" disabled={props.waiting} onClick={() => void actions.unmount(id, true)}>
              {forceLabels[actionError.code]}
            </button>
          ) : null}
        </div>
      ) : null}
      {props.leftInCache?.length ? (
        <div className="mount-note" role="status">
          <p>
            Unmounted without waiting. These files stay in the cache and upload at the next mount of this folder:{' '}
            {props.leftInCache.join(', ')}
          </p>
          <button
            type="button"
            className="link"
            aria-label="Dismiss the list of cached files"
            onClick={() => actions.dismissLeftInCache(id)}
          >
            Dismiss
          </button>
        </div>
      ) : null}
    </>
  )
}
