/**
 * The IPC handler table: one function per request channel of shared/ipc.ts. Each parses its payload
 * with the channel's zod schema before any work, runs the app core's operation, and answers an
 * IpcResult: it never throws, and an error crosses as `{ code, message }` only (no stack, no cause).
 * Electron-free: ipc-bind.ts hands the table to ipcMain.
 */
import type { z } from 'zod'
import { describeIssues } from '../../shared/config.js'
import { RmountError, type ErrorCode, type ErrorInfo } from '../../shared/errors.js'
import { eventChannels, requestChannels } from '../../shared/ipc-channels.js'
import { requestSchemas, type EventChannel, type IpcResult, type RequestChannel, type RequestResponses } from '../../shared/ipc.js'
import type { AppCore } from './app-core.js'

/** A request's payload once its schema has parsed it (defaults filled in). */
export type ParsedPayload<C extends RequestChannel> = z.output<(typeof requestSchemas)[C]>

/** What the handler table needs of the app core: one operation per channel, over parsed payloads. */
export type IpcOperations = { [C in RequestChannel]: (input: ParsedPayload<C>) => Promise<RequestResponses[C]> }

/** The table ipc-bind.ts registers: the payload is whatever the renderer sent, unchecked. */
export type IpcHandlers = { [C in RequestChannel]: (payload: unknown) => Promise<IpcResult<RequestResponses[C]>> }

/** Event channels the shell forwards from the app core to the app's windows. */
export const forwardedEvents: readonly EventChannel[] = eventChannels

/**
 * Errors that are not RmountErrors are bugs, not user mistakes: they cross as INTERNAL, with a sentence
 * that hides their text (it could hold a path or a secret).
 */
const unexpectedErrorCode: ErrorCode = 'INTERNAL'

/** The core's operations, one per channel. */
function coreOperations(core: AppCore): IpcOperations {
  return {
    'app:snapshot': async () => core.snapshot(),
    'remote:save': (input) => core.saveRemote(input),
    'remote:delete': (input) => core.deleteRemote(input.id),
    'remote:test': (input) => core.testRemote(input),
    'mount:save': (input) => core.saveMount(input),
    'mount:delete': (input) => core.deleteMount(input.id),
    'mount:mount': (input) => core.mount(input.id),
    'mount:unmount': (input) => core.unmount(input.id, { force: input.force }),
    'mount:retry': (input) => core.retry(input.id),
    'mount:refresh': (input) => core.refresh(input.id),
    'mount:logs': async (input) => core.logs(input.id),
    'mount:open-folder': (input) => core.openFolder(input.id),
    'mount:diagnostics': (input) => core.diagnostics(input.id),
    'mount:share-link': (input) => core.shareLink(input),
    'settings:set': (input) => core.setSettings(input),
    'system:check': () => core.systemCheck(),
    'dialog:pick-folder': (input) => core.pickFolder(input.title),
    'dialog:pick-file': (input) => core.pickFile(input.title),
    'config:export': (input) => core.exportConfig(input),
    'config:import': () => core.importConfig(),
    'config:import-rclone': () => core.importRclone(),
    'demo:start': () => core.startDemo(),
    'config:import-apply': (input) => core.applyImport(input),
    'settings:choose-rclone': (input) => core.chooseRclone(input),
    'remote:list': (input) => core.listRemote(input),
    'mount:suggest-folder': async (input) => core.suggestFolder(input.name),
  }
}

/** An error as it may cross IPC: an RmountError's code, message and log tail (already redacted), nothing else. */
export function toErrorInfo(error: unknown, channel: string): ErrorInfo {
  if (error instanceof RmountError) return error.toJSON()
  const kind = error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.name) : typeof error
  return {
    code: unexpectedErrorCode,
    message: `RMount failed unexpectedly while handling ${channel} (${kind}). Try again; if it persists, restart RMount and report it with the diagnostics.`,
  }
}

/** Options of createIpcHandlers. */
export interface IpcHandlerOptions {
  /** Hears about unexpected (non-RmountError) failures, whole, for the main process's own log. */
  onUnexpected?: (channel: RequestChannel, error: unknown) => void
}

/** The largest request the window may send, as JSON: a whole config fits many times over; a flood does not reach a schema. */
export const maxPayloadChars = 256 * 1024

/** Whether a payload is small enough (and plain enough) to parse: cycles and BigInts, which IPC can carry, are not. */
function withinLimit(payload: unknown): boolean {
  try {
    return (JSON.stringify(payload) ?? '').length <= maxPayloadChars
  } catch {
    return false
  }
}

function handler<C extends RequestChannel>(
  channel: C,
  operation: IpcOperations[C],
  onUnexpected: (channel: RequestChannel, error: unknown) => void,
): (payload: unknown) => Promise<IpcResult<RequestResponses[C]>> {
  const schema = requestSchemas[channel] as z.ZodType
  return async (payload: unknown): Promise<IpcResult<RequestResponses[C]>> => {
    // Parsed before anything else: the page is not trusted to send what its types say.
    if (!withinLimit(payload))
      return {
        ok: false,
        error: {
          code: 'INVALID_CONFIG',
          message: `The request is too large or not plain data (at most ${maxPayloadChars} characters of JSON).`,
        },
      }
    const parsed = schema.safeParse(payload)
    if (!parsed.success) {
      return { ok: false, error: { code: 'INVALID_CONFIG', message: describeIssues(parsed.error) } }
    }
    try {
      const value = await operation(parsed.data as ParsedPayload<C>)
      return { ok: true, value }
    } catch (error) {
      if (!(error instanceof RmountError)) onUnexpected(channel, error)
      return { ok: false, error: toErrorInfo(error, channel) }
    }
  }
}

/** The handler table over the app core. */
export function createIpcHandlers(core: AppCore, options: IpcHandlerOptions = {}): IpcHandlers {
  const operations = coreOperations(core)
  const onUnexpected = options.onUnexpected ?? ((channel, error) => console.error(`RMount: ${channel} failed unexpectedly`, error))
  const table = {} as Record<RequestChannel, unknown>
  for (const channel of requestChannels) table[channel] = handler(channel, operations[channel] as never, onUnexpected)
  return table as IpcHandlers
}

/**
 * Whether an IPC message comes from the app's own page (Electron security checklist #17: validate
 * the sender of every IPC message). `appUrl` is what the shell loads: the bundled index.html as a
 * file:// URL, or the dev server's URL. A file:// page must be that very file (any other local file
 * could have been written by anyone); a dev server page must be on its origin. Fragments and queries
 * do not matter; anything unparsable, another scheme, host, port or path does.
 */
export function isTrustedSender(frameUrl: string, appUrl: string): boolean {
  let frame: URL
  let app: URL
  try {
    frame = new URL(frameUrl)
    app = new URL(appUrl)
  } catch {
    return false
  }
  if (app.protocol === 'file:') return frame.protocol === 'file:' && frame.host === app.host && frame.pathname === app.pathname
  if (app.protocol === 'http:' || app.protocol === 'https:') return frame.origin === app.origin
  return false
}
