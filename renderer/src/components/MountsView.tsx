/** The main view: every mount with its live state, or a way to start when there is none. */
import { useCallback, useState } from 'react'
import type { ErrorInfo } from '../../../shared/errors.js'
import { useFocusHeading } from '../use-focus-heading.js'
import { useActions, useApp } from '../use-app.js'
import { Dialog } from './Dialog.js'
import { AllMountsActions } from './AllMountsActions.js'
import { isActive, MountRow } from './MountRow.js'
import { MountsSummary } from './MountsSummary.js'
import { mountName } from '../../../shared/config.js'

export function MountsView() {
  // Only the ids: the list re-renders when mounts are added or removed, not on health ticks.
  const ids = useApp((s) => s.mounts.map((m) => m.id))
  const hasRemotes = useApp((s) => s.remotes.length > 0)
  // A selected row takes the focus itself (MountRow); the heading takes it otherwise.
  const rowFocused = useApp((s) => s.selectedMountId !== null && s.mounts.some((m) => m.id === s.selectedMountId))
  const actions = useActions()
  const heading = useFocusHeading(!rowFocused)
  const [deleting, setDeleting] = useState<string | null>(null)
  const onDelete = useCallback((id: string) => setDeleting(id), [])
  const [demo, setDemo] = useState<'starting' | ErrorInfo | null>(null)
  const startDemo = useCallback(async () => {
    setDemo('starting')
    const result = await actions.call('demo:start', undefined)
    setDemo(result.ok ? null : result.error)
  }, [actions])

  return (
    <section className="view" aria-labelledby="mounts-title">
      <header className="view-head">
        <h1 id="mounts-title" tabIndex={-1} ref={heading}>
          Mounts
        </h1>
        {ids.length > 0 ? (
          <div className="toolbar">
            <button type="button" className="primary" onClick={() => actions.navigate({ name: 'mount-editor', mountId: null })}>
              Add a mount
            </button>
            <button type="button" onClick={() => actions.navigate({ name: 'remote-editor', remoteId: null })}>
              Add a remote
            </button>
            <AllMountsActions />
          </div>
        ) : null}
      </header>
      {ids.length === 0 ? (
        <div className="empty">
          <p className="empty-title">No mounts yet.</p>
          <p>RMount keeps an S3 bucket or a folder on an SSH server mounted as a folder on this computer, and keeps it mounted.</p>
          <div className="toolbar">
            {hasRemotes ? (
              <button type="button" className="primary" onClick={() => actions.navigate({ name: 'mount-editor', mountId: null })}>
                Add a mount
              </button>
            ) : null}
            <button
              type="button"
              className={hasRemotes ? '' : 'primary'}
              onClick={() => actions.navigate({ name: 'remote-editor', remoteId: null })}
            >
              Add a remote
            </button>
            <button type="button" disabled={demo === 'starting'} aria-describedby="demo-note" onClick={startDemo}>
              {demo === 'starting' ? 'Starting the demo…' : 'Try the local demo'}
            </button>
          </div>
          <p id="demo-note" className="field-hint" aria-live="polite">
            {typeof demo === 'object' && demo
              ? `The demo did not start: ${demo.message}`
              : 'The demo shares a folder on this computer over SFTP and mounts it: no account needed.'}
          </p>
        </div>
      ) : (
        <>
          <MountsSummary />
          <ul className="mount-list">
            {ids.map((id) => (
              <MountRow key={id} id={id} onDelete={onDelete} />
            ))}
          </ul>
        </>
      )}
      {deleting ? <DeleteMountDialog id={deleting} onClose={() => setDeleting(null)} /> : null}
    </section>
  )
}

function DeleteMountDialog({ id, onClose }: { id: string; onClose(): void }) {
  const { mount, state, remoteName } = useApp((s) => {
    const mount = s.mounts.find((m) => m.id === id)
    return {
      mount,
      state: s.health[id]?.state ?? 'unmounted',
      remoteName: s.remotes.find((r) => r.id === mount?.remoteId)?.name ?? mount?.remoteId,
    }
  })
  const actions = useActions()
  if (!mount) return null
  const active = isActive(state)
  const name = mountName(mount)

  return (
    <Dialog
      title={`Delete the mount “${name}”?`}
      onClose={onClose}
      actions={
        <>
          <button type="button" data-autofocus onClick={onClose}>
            Cancel
          </button>
          {active ? (
            <button type="button" onClick={() => void actions.unmount(id)}>
              Unmount
            </button>
          ) : null}
          <button
            type="button"
            className="danger"
            disabled={active}
            onClick={async () => {
              if (await actions.deleteMount(id)) onClose()
            }}
          >
            Delete mount
          </button>
        </>
      }
    >
      <p>
        Only the mount entry is deleted. The files on{' '}
        <strong>
          {remoteName}:{mount.remotePath}
        </strong>{' '}
        and the local folder <strong className="path">{mount.localPath}</strong> are not deleted.
      </p>
      {active ? (
        <p className="warning" role="status">
          This mount is active: unmount it first (unmounting waits until every written file is uploaded).
        </p>
      ) : null}
    </Dialog>
  )
}
