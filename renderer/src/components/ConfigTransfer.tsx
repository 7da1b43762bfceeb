/**
 * Import and export: an RMount config file (what `rmount up --config` reads) in and out, and the remotes of
 * an rclone.conf in. Every import is reviewed (ImportReview) before anything changes.
 */
import { useState } from 'react'
import type { ErrorInfo } from '../../../shared/errors.js'
import type { ImportReview as Review } from '../../../shared/ipc.js'
import { useActions } from '../use-app.js'
import { CheckboxField } from './Field.js'
import { ImportReview } from './ImportReview.js'

export function ConfigTransfer() {
  const actions = useActions()
  const [review, setReview] = useState<Review | null>(null)
  const [busy, setBusy] = useState(false)
  const [includeSecrets, setIncludeSecrets] = useState(false)
  const [outcome, setOutcome] = useState<{ ok: true; text: string } | { ok: false; error: ErrorInfo } | null>(null)

  async function startImport(channel: 'config:import' | 'config:import-rclone') {
    setOutcome(null)
    const result = await actions.call(channel, undefined)
    if (!result.ok) setOutcome({ ok: false, error: result.error })
    else if (result.value) setReview(result.value)
  }

  async function apply(mountAtStart: boolean) {
    if (!review) return
    setBusy(true)
    const result = await actions.call('config:import-apply', { token: review.token, mountAtStart })
    setBusy(false)
    setReview(null)
    setOutcome(
      result.ok
        ? { ok: true, text: `Imported ${result.value.remotes} remote(s) and ${result.value.mounts} mount(s).` }
        : { ok: false, error: result.error },
    )
  }

  async function exportConfig() {
    setOutcome(null)
    const result = await actions.call('config:export', { includeSecrets })
    if (!result.ok) setOutcome({ ok: false, error: result.error })
    else if (result.value) setOutcome({ ok: true, text: `Exported to ${result.value.path} (readable by you alone).` })
  }

  return (
    <>
      <div className="toolbar">
        <button type="button" onClick={() => void startImport('config:import-rclone')}>
          Import from rclone.conf…
        </button>
        <button type="button" onClick={() => void startImport('config:import')}>
          Import an RMount config…
        </button>
        <button type="button" onClick={() => void exportConfig()}>
          Export config…
        </button>
      </div>
      <CheckboxField
        label="Include passwords and keys in the export"
        name="includeSecrets"
        checked={includeSecrets}
        onChange={setIncludeSecrets}
        hint="Left unticked, each secret becomes an environment variable name for rmount up to read."
      />
      <p role="status" aria-live="polite">
        {outcome === null ? null : outcome.ok ? (
          <span className="ok">{outcome.text}</span>
        ) : (
          <span className="bad">
            <code>{outcome.error.code}</code> {outcome.error.message}
          </span>
        )}
      </p>
      {review ? <ImportReview review={review} busy={busy} onImport={(m) => void apply(m)} onCancel={() => setReview(null)} /> : null}
    </>
  )
}
