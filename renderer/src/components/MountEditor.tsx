/** Adding or changing a mount: which remote and path, into which local folder, and how. */
import { useEffect, useMemo, useState, type FormEvent } from 'react'
import type { ErrorInfo } from '../../../shared/errors.js'
import { cacheModes, mountName, mountOptionDefaults } from '../../../shared/config.js'
import { cacheModeLabels, mountErrors, mountFormFrom, mountRequest, type MountForm } from '../mount-form.js'
import { isLiveState } from '../store.js'
import { useEditorGuard } from '../use-editor-guard.js'
import { useFocusHeading } from '../use-focus-heading.js'
import { useActions, useApp } from '../use-app.js'
import { CheckboxField, SelectField, TextField } from './Field.js'
import { FormActions } from './FormActions.js'
import { RemotePathTools } from './RemotePathTools.js'

const cacheModeOptions = cacheModes.map((mode) => ({ value: mode, label: cacheModeLabels[mode] }))

/** What happens after a successful save. */
type Then = 'list' | 'mount' | 'remount'

export function MountEditor(props: { mountId: string | null; remoteId?: string; remotePath?: string }) {
  const stored = useApp((s) => s.mounts.find((m) => m.id === props.mountId))
  const otherMounts = useApp((s) => s.mounts)
  const live = useApp((s) => (props.mountId ? isLiveState(s.health[props.mountId]?.state ?? 'unmounted') : false))
  const remoteViews = useApp((s) => s.remotes)
  const remotes = useMemo(() => remoteViews.map((r) => ({ value: r.id, label: r.name, type: r.remote.type })), [remoteViews])
  const actions = useActions()
  const heading = useFocusHeading()
  const [form, setForm] = useState<MountForm>(() => {
    const initial = mountFormFrom(stored ?? null, props.remoteId ?? remotes[0]?.value ?? '')
    // Back from adding a remote (or on from Test connection's bucket): what was chosen there.
    return {
      ...initial,
      ...(props.remoteId ? { remoteId: props.remoteId } : {}),
      ...(props.remotePath ? { remotePath: props.remotePath } : {}),
    }
  })
  const guard = useEditorGuard(form)
  const [suggested, setSuggested] = useState('')
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set())
  const [submitted, setSubmitted] = useState(false)
  const [saving, setSaving] = useState(false)
  const [saveError, setSaveError] = useState<ErrorInfo | null>(null)

  const remote = remoteViews.find((r) => r.id === form.remoteId)
  const remoteType = remote?.remote.type
  // A new mount with no folder typed gets ~/RMount/<bucket or folder name, else the remote's name>.
  const suggestName = form.remotePath.split('/').filter(Boolean).at(-1) ?? remote?.name ?? ''
  useEffect(() => {
    if (form.id || !suggestName) return setSuggested('')
    let current = true
    void actions.call('mount:suggest-folder', { name: suggestName }).then((r) => current && setSuggested(r.ok ? r.value : ''))
    return () => {
      current = false
    }
  }, [actions, form.id, suggestName])
  const effective = form.localPath.trim() ? form : { ...form, localPath: suggested }

  const errors = mountErrors(effective, otherMounts)
  const errorOf = (field: string) => (submitted || touched.has(field) ? errors[field] : undefined)
  const touch = (field: string) => () => setTouched((t) => (t.has(field) ? t : new Set(t).add(field)))
  const update = (patch: Partial<MountForm>) => setForm((f) => ({ ...f, ...patch }))

  async function pickFolder() {
    const result = await actions.call('dialog:pick-folder', { title: 'Choose the folder to mount into' })
    if (result.ok && result.value) update({ localPath: result.value })
  }

  async function save(then: Then) {
    setSubmitted(true)
    if (Object.keys(errors).length) {
      requestAnimationFrame(() => document.querySelector<HTMLElement>('.mount-editor [aria-invalid="true"]')?.focus())
      return
    }
    setSaving(true)
    setSaveError(null)
    const result = await actions.call('mount:save', mountRequest(effective))
    setSaving(false)
    if (!result.ok) return setSaveError(result.error)
    const id = result.value.id
    actions.openTarget({ mountId: id })
    if (then === 'mount') await actions.mount(id)
    else if (then === 'remount') await actions.remount(id)
  }

  return (
    <section className="view" aria-labelledby="mount-editor-title" onKeyDown={guard.onKeyDown}>
      <header className="view-head">
        <h1 id="mount-editor-title" tabIndex={-1} ref={heading}>
          {form.id ? `Edit ${stored ? mountName(stored) : 'mount'}` : 'Add a mount'}
        </h1>
      </header>
      {live ? (
        <p className="banner notice" role="status">
          This mount is mounted. Saved changes apply at the next mount; “Save and remount” applies them now (it waits until written files
          are uploaded, then mounts again).
        </p>
      ) : null}
      <form
        className="form mount-editor"
        noValidate
        onSubmit={(event: FormEvent) => {
          event.preventDefault()
          void save('list')
        }}
      >
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
        <RemotePathTools remote={remote} remotePath={form.remotePath} onPick={(remotePath) => update({ remotePath })} />
        <TextField
          label="Local folder"
          name="localPath"
          value={form.localPath}
          placeholder={suggested || '/home/me/bucket'}
          hint={
            suggested && !form.localPath.trim()
              ? `Empty: ${suggested}. RMount creates the folder when it does not exist.`
              : 'An empty folder; RMount creates it when it does not exist.'
          }
          onChange={(localPath) => update({ localPath })}
          onBlur={touch('localPath')}
          error={errorOf('localPath')}
          after={
            <button type="button" onClick={() => void pickFolder()}>
              Browse…
            </button>
          }
        />
        <TextField
          label="Name"
          name="name"
          value={form.name}
          placeholder={mountName({ localPath: effective.localPath || 'mount' })}
          hint="Shown in the tray, notifications and the file manager's sidebar. Empty: the folder's name."
          onChange={(name) => update({ name })}
          onBlur={touch('name')}
          error={errorOf('name')}
        />
        <CheckboxField label="Read-only" name="readOnly" checked={form.readOnly} onChange={(readOnly) => update({ readOnly })} />
        <CheckboxField
          label="Allow mounting over a non-empty folder"
          name="allowNonEmpty"
          checked={form.allowNonEmpty}
          onChange={(allowNonEmpty) => update({ allowNonEmpty })}
          hint={
            form.allowNonEmpty
              ? 'Warning: the files already in the folder are hidden while it is mounted (they come back after the unmount), and programs may save into the remote what they meant for them.'
              : undefined
          }
        />
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
        <FormActions saveError={saveError} saving={saving} onCancel={() => actions.back()}>
          <button type="button" disabled={saving} onClick={() => void save(live ? 'remount' : 'mount')}>
            {live ? 'Save and remount' : 'Save and mount'}
          </button>
        </FormActions>
      </form>
    </section>
  )
}
