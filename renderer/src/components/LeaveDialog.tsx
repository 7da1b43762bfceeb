/** "Discard your changes?": asked when the person leaves an editor that holds unsaved changes. */
import { useActions, useApp } from '../use-app.js'
import { Dialog } from './Dialog.js'

export function LeaveDialog() {
  const leaving = useApp((s) => s.leaving !== null)
  const actions = useActions()
  if (!leaving) return null
  return (
    <Dialog
      title="Discard your changes?"
      onClose={() => actions.settleLeave(false)}
      actions={
        <>
          <button type="button" data-autofocus onClick={() => actions.settleLeave(false)}>
            Keep editing
          </button>
          <button type="button" className="danger" onClick={() => actions.settleLeave(true)}>
            Discard changes
          </button>
        </>
      }
    >
      <p>What you changed in this form is not saved yet.</p>
    </Dialog>
  )
}
