/** The saved remotes: where mounts connect to. */
import { useState } from 'react'
import type { RemoteView } from '../../../shared/ipc.js'
import { providerInfo } from '../s3-providers.js'
import { useFocusHeading } from '../use-focus-heading.js'
import { useActions, useApp } from '../use-app.js'
import { Dialog } from './Dialog.js'

function describe(view: RemoteView): string {
  const r = view.remote
  if (r.type === 's3') return `${providerInfo[r.provider].label}${r.endpoint ? ` · ${r.endpoint}` : r.region ? ` · ${r.region}` : ''}`
  return `SSH · ${r.user}@${r.host}${r.port === 22 ? '' : `:${r.port}`}`
}

export function RemotesView() {
  const remotes = useApp((s) => s.remotes)
  const actions = useActions()
  const heading = useFocusHeading()
  const [deleting, setDeleting] = useState<RemoteView | null>(null)

  return (
    <section className="view" aria-labelledby="remotes-title">
      <header className="view-head">
        <h1 id="remotes-title" tabIndex={-1} ref={heading}>
          Remotes
        </h1>
        <div className="toolbar">
          <button type="button" className="primary" onClick={() => actions.navigate({ name: 'remote-editor', remoteId: null, type: 's3' })}>
            Add S3 remote
          </button>
          <button type="button" onClick={() => actions.navigate({ name: 'remote-editor', remoteId: null, type: 'sftp' })}>
            Add SSH remote
          </button>
        </div>
      </header>
      {remotes.length === 0 ? (
        <p className="empty">No remotes yet: add the S3 bucket or SSH server your mounts will use.</p>
      ) : (
        <ul className="remote-list">
          {remotes.map((remote) => (
            <li key={remote.id} className="remote-row">
              <span className="remote-name">{remote.name}</span>
              <span className="remote-detail">{describe(remote)}</span>
              <span className="toolbar" role="group" aria-label={`Actions for ${remote.name}`}>
                <button type="button" onClick={() => actions.navigate({ name: 'remote-editor', remoteId: remote.id })}>
                  Edit
                </button>
                <button type="button" onClick={() => setDeleting(remote)}>
                  Delete
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {deleting ? <DeleteRemoteDialog remote={deleting} onClose={() => setDeleting(null)} /> : null}
    </section>
  )
}

function DeleteRemoteDialog({ remote, onClose }: { remote: RemoteView; onClose(): void }) {
  const userFolders = useApp((s) => s.mounts.filter((m) => m.remoteId === remote.id).map((m) => m.localPath))
  const users = userFolders.length
  const actions = useActions()
  return (
    <Dialog
      title={`Delete the remote “${remote.name}”?`}
      onClose={onClose}
      actions={
        <>
          <button type="button" data-autofocus onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="danger"
            disabled={users > 0}
            onClick={async () => {
              if (await actions.deleteRemote(remote.id)) onClose()
            }}
          >
            Delete remote
          </button>
        </>
      }
    >
      <p>RMount forgets how to connect to it, and its stored secrets. Nothing on the remote is deleted.</p>
      {users > 0 ? (
        <div className="warning">
          <p>
            {users === 1 ? 'This mount uses' : `These ${users} mounts use`} this remote: delete {users === 1 ? 'it' : 'them'} first.
          </p>
          <ul className="path-list">
            {userFolders.map((path) => (
              <li key={path} className="path">
                {path}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </Dialog>
  )
}
