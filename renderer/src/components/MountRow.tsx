/**
 * One mount in the list. It selects only its own mount, health and action state, so another
 * mount's health tick (every second, for every mount) does not re-render it.
 */
import { memo, useEffect, useId, useRef } from 'react'
import type { MountState } from '../../../shared/mount-state.js'
import { formatRate } from '../format.js'
import { useActions, useApp } from '../use-app.js'
import { RelativeTime } from './RelativeTime.js'
import { StateBadge } from './StateBadge.js'
import { mountName } from '../../../shared/config.js'

/** States with an rclone running or about to: such a mount must be unmounted before it is deleted. */
export function isActive(state: MountState): boolean {
  return state !== 'unmounted' && state !== 'failed'
}

const busyLabels = { mount: 'Mounting…', unmount: 'Unmounting…', retry: 'Retrying…', delete: 'Deleting…' }

export const MountRow = memo(function MountRow({ id, onDelete }: { id: string; onDelete(id: string): void }) {
  const { mount, health, remoteName, busy, actionError, selected } = useApp((s) => {
    const mount = s.mounts.find((m) => m.id === id)
    return {
      mount,
      health: s.health[id],
      remoteName: s.remotes.find((r) => r.id === mount?.remoteId)?.name ?? mount?.remoteId,
      busy: s.busy[id],
      actionError: s.actionErrors[id],
      selected: s.selectedMountId === id,
    }
  })
  const actions = useActions()
  const titleId = useId()
  const ref = useRef<HTMLLIElement>(null)
  // Back from this mount's log or editor, or pointed at by the tray: the row comes into view with focus.
  useEffect(() => {
    if (!selected || !ref.current) return
    ref.current.scrollIntoView?.({ block: 'nearest' })
    ref.current.focus()
  }, [selected])
  if (!mount) return null

  const name = mountName(mount)
  const state = health?.state ?? 'unmounted'
  const waiting = busy !== undefined || state === 'mounting' || state === 'unmounting'
  const lastError = health?.lastError
  const primary =
    state === 'unmounted' ? (
      <button type="button" className="primary" disabled={waiting} onClick={() => void actions.mount(id)}>
        Mount
      </button>
    ) : state === 'failed' ? (
      <>
        <button type="button" className="primary" disabled={waiting} onClick={() => void actions.retry(id)}>
          Retry
        </button>
        <button type="button" disabled={waiting} onClick={() => void actions.unmount(id)}>
          Unmount
        </button>
      </>
    ) : (
      <button type="button" disabled={waiting} onClick={() => void actions.unmount(id)}>
        Unmount
      </button>
    )

  return (
    <li ref={ref} tabIndex={-1} className={`mount-row state-${state}${selected ? ' selected' : ''}`} aria-labelledby={titleId}>
      <div className="mount-head">
        <h2 id={titleId} className="mount-name">
          {name}
        </h2>
        <StateBadge state={state} name={name} />
        {health ? (
          <span className="mount-since">
            since <RelativeTime time={health.stateSince} />
          </span>
        ) : null}
        {busy ? (
          <span className="mount-busy" role="status">
            <span className="spinner" aria-hidden="true" /> {busyLabels[busy]}
          </span>
        ) : null}
      </div>
      <dl className="mount-facts">
        <div>
          <dt>Remote</dt>
          <dd>
            {remoteName}:{mount.remotePath}
          </dd>
        </div>
        <div>
          <dt>Folder</dt>
          <dd className="path">{mount.localPath}</dd>
        </div>
        <div>
          <dt>Restarts</dt>
          <dd>{health?.restarts ?? 0}</dd>
        </div>
        <div>
          <dt>Pending uploads</dt>
          <dd>{health?.pendingUploads ?? 0}</dd>
        </div>
        <div>
          <dt>Transfer</dt>
          <dd>{formatRate(health?.transfer.speed ?? 0)}</dd>
        </div>
      </dl>
      {health && state !== 'mounted' && state !== 'unmounted' && health.reason ? <p className="mount-reason">{health.reason}</p> : null}
      {lastError ? (
        // Kept after the mount recovers, so a person can still read what happened; muted then.
        <p className={state === 'failed' || state === 'degraded' ? 'mount-error' : 'mount-error past'}>
          Last error: <code>{lastError.code}</code> {lastError.message}
        </p>
      ) : null}
      {actionError ? (
        <div className="mount-error" role="alert">
          <p>
            <code>{actionError.code}</code> {actionError.message}
          </p>
          {actionError.code === 'PENDING_UPLOADS' ? (
            <button type="button" className="danger" disabled={waiting} onClick={() => void actions.unmount(id, true)}>
              Unmount now; files wait in the cache
            </button>
          ) : null}
        </div>
      ) : null}
      <div className="mount-actions" role="group" aria-label={`Actions for ${name}`}>
        {primary}
        <button type="button" disabled={state !== 'mounted' && state !== 'degraded'} onClick={() => void actions.openFolder(id)}>
          Open folder
        </button>
        <button
          type="button"
          disabled={state !== 'mounted'}
          title="Show changes made on the remote now"
          onClick={() => void actions.refresh(id)}
        >
          Refresh
        </button>
        <button type="button" onClick={() => actions.navigate({ name: 'logs', mountId: id })}>
          Logs
        </button>
        <button type="button" onClick={() => actions.navigate({ name: 'mount-editor', mountId: id })}>
          Edit
        </button>
        <button type="button" disabled={busy !== undefined} onClick={() => onDelete(id)}>
          Delete
        </button>
      </div>
    </li>
  )
})
