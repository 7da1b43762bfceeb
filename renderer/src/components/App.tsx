/** The window: navigation, the current view, and the banners that must not be missed. */
import { useEffect } from 'react'
import type { EventPayloads } from '../../../shared/ipc.js'
import type { View } from '../store.js'
import { useActions, useApp } from '../use-app.js'
import { LeaveDialog } from './LeaveDialog.js'
import { LogsView } from './LogsView.js'
import { MountEditor } from './MountEditor.js'
import { MountsView } from './MountsView.js'
import { RemoteEditor } from './RemoteEditor.js'
import { RemotesView } from './RemotesView.js'
import { SettingsView } from './SettingsView.js'

const sections = [
  { name: 'mounts', label: 'Mounts' },
  { name: 'remotes', label: 'Remotes' },
  { name: 'settings', label: 'Settings' },
] as const

function section(view: View): string {
  if (view.name === 'logs' || view.name === 'mount-editor') return 'mounts'
  if (view.name === 'remote-editor') return 'remotes'
  return view.name
}

function CurrentView({ view }: { view: View }) {
  switch (view.name) {
    case 'mounts':
      return <MountsView />
    case 'remotes':
      return <RemotesView />
    case 'settings':
      return <SettingsView />
    case 'logs':
      return <LogsView mountId={view.mountId} />
    case 'remote-editor':
      return <RemoteEditor key={view.remoteId ?? `new-${view.type ?? 's3'}`} remoteId={view.remoteId} type={view.type} />
    case 'mount-editor':
      return <MountEditor key={view.mountId ?? 'new'} mountId={view.mountId} remoteId={view.remoteId} remotePath={view.remotePath} />
  }
}

export function App() {
  const phase = useApp((s) => s.phase)
  const view = useApp((s) => s.view)
  const theme = useApp((s) => s.settings.theme)
  const storeNotice = useApp((s) => s.storeNotice)
  const quitting = useApp((s) => s.quitting)
  const error = useApp((s) => s.error)
  const actions = useActions()

  // A data attribute, not a style: the CSP forbids style attributes, and the stylesheet follows the OS unless told.
  useEffect(() => {
    document.documentElement.dataset.theme = theme
  }, [theme])

  return (
    <div className="app">
      <nav className="nav" aria-label="Sections">
        {sections.map((s) => (
          <button
            key={s.name}
            type="button"
            className="nav-item"
            aria-current={section(view) === s.name ? 'page' : undefined}
            onClick={() => actions.leave({ name: s.name })}
          >
            {s.label}
          </button>
        ))}
      </nav>
      <main className="main">
        {quitting ? <QuitBanner progress={quitting} /> : null}
        {storeNotice ? (
          <p className="banner warning" role="status">
            {storeNotice}
          </p>
        ) : null}
        {error ? (
          <div className="banner error" role="alert">
            <p>
              {error.action} failed: <code>{error.code}</code> {error.message}
            </p>
            <div className="toolbar">
              {phase === 'failed' ? (
                <button type="button" onClick={() => void actions.init()}>
                  Try again
                </button>
              ) : null}
              <button type="button" onClick={() => actions.dismissError()}>
                Dismiss
              </button>
            </div>
          </div>
        ) : null}
        {phase === 'loading' ? (
          <p role="status" className="loading">
            <span className="spinner" aria-hidden="true" /> Loading…
          </p>
        ) : phase === 'ready' ? (
          <CurrentView view={view} />
        ) : null}
        <LeaveDialog />
      </main>
    </div>
  )
}

/** Quit waits for uploads; this says for how many, and what a second Quit does. */
function QuitBanner({ progress }: { progress: EventPayloads['quit:progress'] }) {
  const pending = Object.values(progress.pending).reduce((sum, n) => sum + n, 0)
  return (
    <p className="banner warning" role="status" aria-live="polite">
      {progress.forced
        ? 'Quitting now. Files not yet uploaded stay in the cache and upload at the next mount.'
        : pending
          ? `Quitting after ${pending} pending upload${pending === 1 ? '' : 's'} reach the remote. Quit again to quit now; they would then upload at the next mount.`
          : 'Quitting: unmounting.'}
    </p>
  )
}
