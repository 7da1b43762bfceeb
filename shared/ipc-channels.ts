/**
 * The names of the IPC channels, and nothing else. The sandboxed preload is bundled to one file and
 * needs only these allow-lists: importing shared/ipc.ts would pull zod and every config schema into
 * it. shared/ipc.ts stays the single source of truth: it checks at compile time that these lists
 * hold exactly its channels.
 */
import type { EventChannel, RequestChannel } from './ipc.js'

/** Every request channel of `requestSchemas`, the only ones the preload lets the renderer invoke. */
export const requestChannels = [
  'app:snapshot',
  'remote:save',
  'remote:delete',
  'remote:test',
  'mount:save',
  'mount:delete',
  'mount:mount',
  'mount:unmount',
  'mount:retry',
  'mount:refresh',
  'mount:logs',
  'mount:open-folder',
  'mount:diagnostics',
  'settings:set',
  'system:check',
  'dialog:pick-folder',
  'dialog:pick-file',
  'config:export',
  'config:import',
  'config:import-rclone',
  'demo:start',
  'config:import-apply',
  'settings:choose-rclone',
  'remote:list',
  'mount:suggest-folder',
  'mount:share-link',
] as const satisfies readonly RequestChannel[]

/** Every event channel of `EventPayloads`, the only ones the renderer may listen to. */
export const eventChannels = ['mount:health', 'mount:log', 'config:changed', 'quit:progress'] as const satisfies readonly EventChannel[]
