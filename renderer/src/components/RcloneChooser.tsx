/**
 * Which rclone RMount runs. The window cannot name a program: it asks the main process to open its own file
 * dialog, where the person picks one, which is checked to be a supported rclone before it is saved.
 */
import { useState } from 'react'
import type { ErrorInfo } from '../../../shared/errors.js'
import { useActions, useApp } from '../use-app.js'

export function RcloneChooser(props: { found: string; onChanged(): void }) {
  const rclonePath = useApp((s) => s.settings.rclonePath)
  const actions = useActions()
  const [error, setError] = useState<ErrorInfo | null>(null)

  async function choose(useBundled: boolean) {
    setError(null)
    const result = await actions.call('settings:choose-rclone', { useBundled })
    if (!result.ok) setError(result.error)
    else if (result.value) props.onChanged()
  }

  return (
    <div className="field">
      <p>
        rclone program: <code>{rclonePath || 'the bundled rclone, then the one on PATH'}</code>
      </p>
      <p className="field-hint">{props.found}</p>
      <div className="toolbar">
        <button type="button" onClick={() => void choose(false)}>
          Choose rclone…
        </button>
        {rclonePath ? (
          <button type="button" onClick={() => void choose(true)}>
            Use the bundled rclone
          </button>
        ) : null}
      </div>
      {error ? (
        <p className="form-error" role="alert">
          <code>{error.code}</code> {error.message}
        </p>
      ) : null}
    </div>
  )
}
