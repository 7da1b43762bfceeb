/** "Copy link" on an S3 mount's row: pick a file in its folder and an expiry, get a pre-signed link, copy it. */
import { useState } from 'react'
import type { ErrorInfo } from '../../../shared/errors.js'
import { shareLinkExpiries } from '../../../shared/ipc.js'
import { useActions, useApp } from '../use-app.js'
import { Dialog } from './Dialog.js'
import { RadioGroup, TextField } from './Field.js'

type Expiry = (typeof shareLinkExpiries)[number]
const expiryLabels: Record<Expiry, string> = { '1h': '1 hour', '1d': '1 day', '7d': '7 days' }
const expiryOptions = shareLinkExpiries.map((value) => ({ value, label: expiryLabels[value] }))

/** The row's button and its dialog; nothing for remotes without links (SFTP). */
export function ShareLinkButton(props: { id: string; name: string; remoteId: string; localPath: string }) {
  const isS3 = useApp((s) => s.remotes.find((r) => r.id === props.remoteId)?.remote.type === 's3')
  const [open, setOpen] = useState(false)
  if (!isS3) return null
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Copy link…
      </button>
      {open ? <ShareLinkDialog {...props} onClose={() => setOpen(false)} /> : null}
    </>
  )
}

export function ShareLinkDialog(props: { id: string; name: string; localPath: string; onClose(): void }) {
  const actions = useActions()
  const [path, setPath] = useState('')
  const [expire, setExpire] = useState<Expiry>('1d')
  const [link, setLink] = useState<{ url: string; expiresAt: number } | null>(null)
  const [error, setError] = useState<ErrorInfo | null>(null)
  const [working, setWorking] = useState(false)
  const [copied, setCopied] = useState(false)

  async function pick() {
    const result = await actions.call('dialog:pick-file', { title: `Choose a file in ${props.name}` })
    if (result.ok && result.value) {
      setPath(result.value)
      setLink(null)
    }
  }

  async function create() {
    setWorking(true)
    setError(null)
    setCopied(false)
    const result = await actions.call('mount:share-link', { id: props.id, path, expire })
    setWorking(false)
    if (!result.ok) return setError(result.error)
    setLink(result.value)
    // The clipboard may refuse (window not focused): the link stays shown, selectable, with its own Copy button.
    await navigator.clipboard?.writeText(result.value.url).then(
      () => setCopied(true),
      () => undefined,
    )
  }

  return (
    <Dialog
      title={`Share a file from ${props.name}`}
      onClose={props.onClose}
      actions={
        <>
          <button type="button" data-autofocus onClick={props.onClose}>
            Close
          </button>
          <button type="button" className="primary" disabled={!path.trim() || working} onClick={() => void create()}>
            {working ? 'Making the link…' : 'Copy link'}
          </button>
        </>
      }
    >
      <TextField
        label="File"
        name="share-path"
        value={path}
        placeholder={`${props.localPath}/…`}
        hint="A file in this mount's folder. Anyone with the link can download it until it expires."
        onChange={(value) => {
          setPath(value)
          setLink(null)
        }}
        after={
          <button type="button" onClick={() => void pick()}>
            Browse…
          </button>
        }
      />
      <RadioGroup<Expiry> label="Link works for" name="share-expire" value={expire} options={expiryOptions} onChange={setExpire} />
      {error ? (
        <p className="form-error" role="alert">
          <code>{error.code}</code> {error.message}
        </p>
      ) : null}
      {link ? (
        <div role="status">
          <TextField label="Link" name="share-url" value={link.url} readOnly onChange={() => undefined} />
          <p className="hint">
            {copied ? 'Copied to the clipboard. ' : ''}Works until {new Date(link.expiresAt).toLocaleString()}.
          </p>
        </div>
      ) : null}
    </Dialog>
  )
}
