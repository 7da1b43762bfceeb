/**
 * A modal dialog on the native <dialog>: showModal() keeps focus inside and makes the rest of the
 * window inert; Escape closes it; focus goes back to what opened it.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react'

export function Dialog(props: { title: string; onClose(): void; children: ReactNode; actions: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  const { onClose } = props

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    dialog.showModal()
    // The safe choice first: an element marked data-autofocus (e.g. Cancel), else the dialog's first control.
    dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus()
    return () => {
      if (dialog.open) dialog.close()
      opener?.focus()
    }
  }, [])

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        // Escape: React decides when the dialog goes, so the opener gets its focus back.
        event.preventDefault()
        onClose()
      }}
    >
      <h2 id={titleId}>{props.title}</h2>
      <div className="dialog-body">{props.children}</div>
      <div className="dialog-actions">{props.actions}</div>
    </dialog>
  )
}
