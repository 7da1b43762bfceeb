/**
 * One mount in the list. It selects only its own mount, health and action state, so another
 * mount's health tick (every second, for every mount) does not re-render it.
 */
import { memo, useEffect, useId, useRef } from 'react'
import { uploadsFailing, type MountState } from '../../../shared/mount-state.js'
import { isLiveState } from '../store.js'
import { useActions, useApp } from '../use-app.js'
import { formatDuration } from '../format.js'
import { useClock } from '../clock.js'
import { MountFacts } from './MountFacts.js'
import { MountNotices } from './MountNotices.js'
import { StateBadge } from './StateBadge.js'
import { ShareLinkButton } from './ShareLink.js'
import { mountName } from '../../../shared/config.js'

/** States with an rclone running or about to: such a mount must be unmounted before it is deleted. */
export function isActive(state: MountState): boolean {
  return isLiveState(state)
}

const busyLabels = { mount: 'Mounting…', unmount: 'Unmounting…', retry: 'Retrying…', delete: 'Deleting…' }

/** "for 38 s": how long the mount has been in its state, with the exact time in the tooltip. */
function StateDuration({ since }: { since: number }) {
  const text = useClock((now) => formatDuration(now - since))
  const date = new Date(since)
  return (
    <span className="mount-since">
      for{' '}
      <time dateTime={date.toISOString()} title={`since ${date.toLocaleString()}`}>
        {text}
      </time>
    </span>
  )
}

export const MountRow = memo(function MountRow({ id, onDelete }: { id: string; onDelete(id: string): void }) {
  const { mount, health, remote, busy, actionError, selected, dismissedError, leftInCache } = useApp((s) => {
    const mount = s.mounts.find((m) => m.id === id)
    return {
      mount,
      health: s.health[id],
      remote: s.remotes.find((r) => r.id === mount?.remoteId),
      busy: s.busy[id],
      actionError: s.actionErrors[id],
      selected: s.selectedMountId === id,
      dismissedError: s.dismissedErrors[id],
      leftInCache: s.leftInCache[id],
    }
  })
  const actions = useActions()
  const titleId = useId()
  const ref = useRef<HTMLLIElement>(null)
  const actionsRef = useRef<HTMLDivElement>(null)
  // Whether the person was last working in this row: a button disabled under them drops the focus to <body>.
  const ownsFocus = useRef(false)
  // Back from this mount's log or editor, or pointed at by the tray: the row comes into view with focus.
  useEffect(() => {
    if (!selected || !ref.current) return
    ref.current.scrollIntoView?.({ block: 'nearest' })
    ref.current.focus()
  }, [selected])
  const state = health?.state ?? 'unmounted'
  // After Mount, Unmount or Retry the button changes or is disabled for a while: when the action or the
  // state moves on, focus dropped to <body> comes back to the row's first action.
  const phase = `${state}/${busy ?? ''}`
  useEffect(() => {
    if (!ownsFocus.current || (document.activeElement && document.activeElement !== document.body)) return
    actionsRef.current?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus()
  }, [phase])
  if (!mount) return null

  const name = mountName(mount)
  const waiting = busy !== undefined || state === 'mounting' || state === 'unmounting'
  // The first action stays focusable while it waits (aria-disabled, not disabled): a disabled button
  // under the focus drops it to <body>, and a keyboard user would have to find the row again.
  const unless = (run: () => void) => () => void (waiting ? undefined : run())
  const primary =
    state === 'unmounted' ? (
      <button type="button" className="primary" aria-disabled={waiting} onClick={unless(() => void actions.mount(id))}>
        Mount
      </button>
    ) : state === 'failed' ? (
      <button type="button" className="primary" aria-disabled={waiting} onClick={unless(() => void actions.retry(id))}>
        Retry
      </button>
    ) : state === 'unmounting' ? (
      // The unmount waits for uploads (maybe for minutes, with the server away): this one stops waiting.
      <button type="button" className="danger" onClick={() => void actions.unmount(id, true)}>
        Unmount now
      </button>
    ) : (
      <button type="button" aria-disabled={waiting} onClick={unless(() => void actions.unmount(id))}>
        Unmount
      </button>
    )

  return (
    <li
      ref={ref}
      tabIndex={-1}
      className={`mount-row state-${state}${selected ? ' selected' : ''}`}
      aria-labelledby={titleId}
      onFocus={() => (ownsFocus.current = true)}
      onBlur={(event) => {
        // Focus moving elsewhere in the window; a null target is focus dropped to <body> by a disabled button.
        if (event.relatedTarget && !event.currentTarget.contains(event.relatedTarget)) ownsFocus.current = false
      }}
    >
      <div className="mount-head">
        <h2 id={titleId} className="mount-name">
          {name}
        </h2>
        <StateBadge state={state} name={name} label={health && uploadsFailing(health) ? 'Uploads failing' : undefined} />
        {health ? <StateDuration since={health.stateSince} /> : null}
        <span className="mount-busy" role="status">
          {busy ? (
            <>
              <span className="spinner" aria-hidden="true" /> {busyLabels[busy]}
            </>
          ) : null}
        </span>
      </div>
      <MountFacts mount={mount} health={health} remoteName={remote?.name ?? mount.remoteId} remoteType={remote?.remote.type} />
      <MountNotices
        id={id}
        name={name}
        health={health}
        actionError={actionError}
        dismissedError={dismissedError}
        leftInCache={leftInCache}
        waiting={waiting}
      />
      <div ref={actionsRef} className="mount-actions" role="group" aria-label={`Actions for ${name}`}>
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
        <ShareLinkButton id={id} name={name} remoteId={mount.remoteId} localPath={mount.localPath} />
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
