/** The end of every editor: why the last save failed, then Cancel and Save. */
import type { ErrorInfo } from '../../../shared/errors.js'

export function FormActions({ saveError, saving, onCancel }: { saveError: ErrorInfo | null; saving: boolean; onCancel(): void }) {
  return (
    <>
      {saveError ? (
        <p className="form-error" role="alert">
          <code>{saveError.code}</code> {saveError.message}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </>
  )
}
