/**
 * Beside the mount editor's remote path: Test connection for that bucket or folder, and a listing of
 * the folders (or buckets) one level down to pick from. Both run in the main process on the saved
 * remote; its secrets never come to the window.
 */
import { useState } from 'react'
import type { ErrorInfo } from '../../../shared/errors.js'
import type { RemoteView, TestConnectionResult } from '../../../shared/ipc.js'
import { remoteDraft, remoteFormFrom } from '../remote-form.js'
import { providerDefaults } from '../s3-providers.js'
import { useActions } from '../use-app.js'

type Listing =
  | { status: 'idle' | 'listing' }
  | { status: 'done'; path: string; entries: string[]; truncated: boolean }
  | { status: 'failed'; error: ErrorInfo }

/** The saved remote as a draft the main process completes: secrets as `{ keep: true }`. */
function draftOf(view: RemoteView) {
  return { remote: remoteDraft(remoteFormFrom(view, providerDefaults)), id: view.id }
}

/** The path one level up: `bucket/a/b` → `bucket/a`, `bucket` → ``, `/srv/data` → `/srv`. */
function parentOf(path: string): string {
  return (path.startsWith('/') ? '/' : '') + path.split('/').filter(Boolean).slice(0, -1).join('/')
}

export function RemotePathTools({
  remote,
  remotePath,
  onPick,
}: {
  remote: RemoteView | undefined
  remotePath: string
  onPick(path: string): void
}) {
  const actions = useActions()
  const [test, setTest] = useState<{ status: 'idle' | 'testing' } | { status: 'done'; result: TestConnectionResult }>({ status: 'idle' })
  const [listing, setListing] = useState<Listing>({ status: 'idle' })
  if (!remote) return null
  const path = remotePath.trim()

  async function testPath() {
    setTest({ status: 'testing' })
    const result = await actions.call('remote:test', { ...draftOf(remote!), remotePath: path })
    setTest({ status: 'done', result: result.ok ? result.value : { ok: false, ms: 0, error: result.error } })
  }

  async function list(at: string) {
    setListing({ status: 'listing' })
    const result = await actions.call('remote:list', { ...draftOf(remote!), remotePath: at })
    setListing(result.ok ? { status: 'done', path: at, ...result.value } : { status: 'failed', error: result.error })
  }

  const join = (base: string, name: string) => (base ? `${base.replace(/\/+$/, '')}/${name}` : name).replace(/\/+$/, '')

  return (
    <div className="path-tools">
      <div className="toolbar">
        <button type="button" disabled={test.status === 'testing'} onClick={() => void testPath()}>
          {test.status === 'testing' ? 'Testing…' : 'Test connection'}
        </button>
        <button type="button" disabled={listing.status === 'listing'} onClick={() => void list(path)}>
          {listing.status === 'listing' ? 'Listing…' : remote.remote.type === 's3' && !path ? 'List buckets' : 'List folders'}
        </button>
      </div>
      <div className="test-result" role="status" aria-live="polite">
        {test.status === 'done' ? (
          test.result.ok ? (
            <p className="ok">
              Connected in {test.result.ms} ms{path ? `: ${path} exists.` : '.'}
            </p>
          ) : (
            <p className="form-error">
              <code>{test.result.error?.code}</code> {test.result.error?.message}
            </p>
          )
        ) : null}
      </div>
      {listing.status === 'failed' ? (
        <p className="form-error" role="alert">
          <code>{listing.error.code}</code> {listing.error.message}
        </p>
      ) : null}
      {listing.status === 'done' ? (
        <div className="listing" role="group" aria-label={`Folders in ${listing.path || remote.name}`}>
          {listing.path ? (
            <button type="button" onClick={() => void list(parentOf(listing.path))}>
              ↑ Up
            </button>
          ) : null}
          {listing.entries.length === 0 ? <p className="field-hint">No folders here.</p> : null}
          <ul>
            {listing.entries.map((entry) => (
              <li key={entry}>
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    const chosen = join(listing.path, entry)
                    onPick(chosen)
                    void list(chosen)
                  }}
                >
                  {entry}
                </button>
              </li>
            ))}
          </ul>
          {listing.truncated ? <p className="field-hint">Only the first {listing.entries.length} are shown.</p> : null}
        </div>
      ) : null}
    </div>
  )
}
