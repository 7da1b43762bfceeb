/** The end of every editor: why the last save failed, then Cancel, any other way to save (children), and Save. */
import type { ReactNode } from 'react'
import type { ErrorInfo } from '../../../shared/errors.js'

export function FormActions({
  saveError,
  saving,
  onCancel,
  children,
}: {
  saveError: ErrorInfo | null
  saving: boolean
  onCancel(): void
  children?: ReactNode
}) {
  return (
    <>
      {saveError ? (
        <p className="form-error" role="alert">
          <code>{saveError.code}</code> {saveError.message}
        </p>
      ) : null}
      <div className="form-actions">
        {/* Pressed with the mouse, Cancel keeps the focus where it is: a blur would show the field's error
            first, moving Cancel down before the button comes up, and the click would miss it. */}
        <button type="button" onMouseDown={(event) => event.preventDefault()} onClick={onCancel}>
          Cancel
        </button>
        {children}
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </>
  )
}
