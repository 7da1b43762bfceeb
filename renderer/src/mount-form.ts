/** The mount editor's model: the form's values, the request it sends, and its inline errors. */
import type { cacheModes } from '../../shared/config.js'
import { saveMountRequestSchema, type MountView, type SaveMountRequest } from '../../shared/ipc.js'
import { mountFolderConflict } from '../../shared/mount-folders.js'
import { fieldErrors, type FieldErrors } from './validation.js'

export type CacheMode = (typeof cacheModes)[number]

export interface MountForm {
  id: string | null
  remoteId: string
  remotePath: string
  localPath: string
  /** As typed; empty means the folder's name. */
  name: string
  readOnly: boolean
  allowNonEmpty: boolean
  cacheMode: CacheMode
  mountAtStart: boolean
  /** Seconds between looks for changes on the remote, as typed; empty means the default. */
  changeCheckSeconds: string
  /** Options the form does not show, kept as they are. */
  otherOptions: MountView['options']
}

export function mountFormFrom(view: MountView | null, firstRemoteId: string): MountForm {
  const options = view?.options ?? {}
  return {
    id: view?.id ?? null,
    remoteId: view?.remoteId ?? firstRemoteId,
    remotePath: view?.remotePath ?? '',
    localPath: view?.localPath ?? '',
    name: view?.name ?? '',
    readOnly: options.readOnly ?? false,
    allowNonEmpty: options.allowNonEmpty ?? false,
    cacheMode: options.cacheMode ?? 'writes',
    mountAtStart: view?.mountAtStart ?? false,
    changeCheckSeconds: options.changeCheckSeconds === undefined ? '' : String(options.changeCheckSeconds),
    otherOptions: options,
  }
}

export function mountRequest(form: MountForm): SaveMountRequest {
  return {
    ...(form.id ? { id: form.id } : {}),
    remoteId: form.remoteId,
    remotePath: form.remotePath.trim(),
    localPath: form.localPath.trim(),
    ...(form.name.trim() ? { name: form.name.trim() } : {}),
    mountAtStart: form.mountAtStart,
    options: {
      ...withoutChangeCheck(form.otherOptions),
      readOnly: form.readOnly,
      // Saved only once chosen, so a mount keeps following the default otherwise.
      ...(form.allowNonEmpty || form.otherOptions.allowNonEmpty !== undefined ? { allowNonEmpty: form.allowNonEmpty } : {}),
      cacheMode: form.cacheMode,
      ...changeCheck(form),
    },
  }
}

/** Empty keeps the default (and later, better defaults); anything else goes to the schema as a number, NaN included, to be judged there. */
function changeCheck(form: MountForm): { changeCheckSeconds?: number } {
  const typed = form.changeCheckSeconds.trim()
  return typed === '' ? {} : { changeCheckSeconds: Number(typed) }
}

function withoutChangeCheck(options: MountView['options']): MountView['options'] {
  const { changeCheckSeconds: _shownInTheForm, ...rest } = options
  return rest
}

/** The form's problems, field by field: the request schema's rules and the main process's folder rule against `otherMounts`. */
export function mountErrors(form: MountForm, otherMounts: ReadonlyArray<{ id: string; localPath: string }> = []): FieldErrors {
  const errors = fieldErrors(saveMountRequestSchema, mountRequest(form))
  // The id pattern's message is about typing an id; here the remote is picked from a list.
  if (errors.remoteId) errors.remoteId = 'Choose a remote, or add one first.'
  if (!form.localPath.trim()) errors.localPath = 'Choose the folder to mount into.'
  errors.localPath ??= mountFolderConflict({ id: form.id, localPath: form.localPath }, otherMounts) ?? undefined
  if (!errors.localPath) delete errors.localPath
  return errors
}

export const cacheModeLabels: Record<CacheMode, string> = {
  off: 'Off: read and write directly (some programs fail)',
  minimal: 'Minimal',
  writes: 'Writes (recommended: editors, git and tar work)',
  full: 'Full: cache reads too',
}
