/** Adding or changing a mount: which remote and path, into which local folder, and how. */
import { useMemo, useState, type FormEvent } from 'react'
import type { ErrorInfo } from '../../../shared/errors.js'
import { cacheModes, mountOptionDefaults } from '../../../shared/config.js'
import { cacheModeLabels, mountErrors, mountFormFrom, mountRequest, type MountForm } from '../mount-form.js'
import { useFocusHeading } from '../use-focus-heading.js'
import { useActions, useApp } from '../use-app.js'
import { CheckboxField, SelectField, TextField } from './Field.js'
import { FormActions } from './FormActions.js'

const cacheModeOptions = cacheModes.map((mode) => ({ value: mode, label: cacheModeLabels[mode] }))

export function MountEditor(props: { mountId: string | null; remoteId?: string }) {
  const stored = useApp((s) => s.mounts.find((m) => m.id === props.mountId))
  const remoteViews = useApp((s) => s.remotes)
  const remotes = useMemo(() => remoteViews.map((r) => ({ value: r.id, label: r.name, type: r.remote.type })), [remoteViews])
  const actions = useActions()
  const heading = useFocusHeading()
  const [form, setForm] = useState<MountForm>(() => mountFormFrom(stored ?? null, props.remoteId ?? remotes[0]?.value ?? ''))
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set())
  const [submitted, setSubmitted] = useState(false)
  const [saving, setSaving] = useState(false)
  const [saveError, setSaveError] = useState<ErrorInfo | null>(null)

  const errors = mountErrors(form)
  const errorOf = (field: string) => (submitted || touched.has(field) ? errors[field] : undefined)
  const touch = (field: string) => () => setTouched((t) => (t.has(field) ? t : new Set(t).add(field)))
  const update = (patch: Partial<MountForm>) => setForm((f) => ({ ...f, ...patch }))
  const remoteType = remotes.find((r) => r.value === form.remoteId)?.type

  async function pickFolder() {
    const result = await actions.call('dialog:pick-folder', { title: 'Choose the folder to mount into' })
    if (result.ok && result.value) update({ localPath: result.value })
  }

  async function save(event: FormEvent) {
    event.preventDefault()
    setSubmitted(true)
    if (Object.keys(errors).length) {
      requestAnimationFrame(() => document.querySelector<HTMLElement>('.mount-editor [aria-invalid="true"]')?.focus())
      return
    }
    setSaving(true)
    setSaveError(null)
    const result = await actions.call('mount:save', mountRequest(form))
    setSaving(false)
    if (result.ok) actions.navigate({ name: 'mounts' })
    else setSaveError(result.error)
  }

  return (
    <section className="view" aria-labelledby="mount-editor-title">
      <header className="view-head">
        <h1 id="mount-editor-title" tabIndex={-1} ref={heading}>
          {form.id ? 'Edit mount' : 'Add a mount'}
        </h1>
      </header>
      <form className="form mount-editor" noValidate onSubmit={save}>
        <SelectField
          label="Remote"
          name="remoteId"
          value={form.remoteId}
          options={remotes.length ? remotes : [{ value: '', label: 'No remote yet' }]}
          onChange={(remoteId) => update({ remoteId })}
          error={errorOf('remoteId')}
          after={
            <button type="button" onClick={() => actions.navigate({ name: 'remote-editor', remoteId: null })}>
              Add a remote…
            </button>
          }
        />
        <TextField
          label={remoteType === 'sftp' ? 'Folder on the server' : 'Bucket and prefix'}
          name="remotePath"
          value={form.remotePath}
          placeholder={remoteType === 'sftp' ? '/srv/data' : 'my-bucket/photos'}
          hint={remoteType === 'sftp' ? 'Empty: your home folder on the server.' : undefined}
          onChange={(remotePath) => update({ remotePath })}
          onBlur={touch('remotePath')}
          error={errorOf('remotePath')}
        />
        <TextField
          label="Local folder"
          name="localPath"
          value={form.localPath}
          placeholder="/home/me/bucket"
          hint="An empty folder; RMount creates it when it does not exist."
          onChange={(localPath) => update({ localPath })}
          onBlur={touch('localPath')}
          error={errorOf('localPath')}
          after={
            <button type="button" onClick={() => void pickFolder()}>
              Browse…
            </button>
          }
        />
        <CheckboxField label="Read-only" name="readOnly" checked={form.readOnly} onChange={(readOnly) => update({ readOnly })} />
        <SelectField
          label="Cache"
          name="cacheMode"
          value={form.cacheMode}
          options={cacheModeOptions}
          onChange={(cacheMode) => update({ cacheMode })}
          error={errorOf('cacheMode')}
        />
        <TextField
          label="Look for changes on the remote every (seconds)"
          name="changeCheckSeconds"
          inputMode="numeric"
          value={form.changeCheckSeconds}
          placeholder={String(mountOptionDefaults.changeCheckSeconds)}
          hint="Files other people add show up within this time; Refresh shows them at once."
          onChange={(changeCheckSeconds) => update({ changeCheckSeconds })}
          onBlur={touch('changeCheckSeconds')}
          error={errorOf('changeCheckSeconds')}
        />
        <CheckboxField
          label="Mount when RMount starts"
          name="mountAtStart"
          checked={form.mountAtStart}
          onChange={(mountAtStart) => update({ mountAtStart })}
        />
        <FormActions saveError={saveError} saving={saving} onCancel={() => actions.back()} />
      </form>
    </section>
  )
}
