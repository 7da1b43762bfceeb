import type { RmountApi } from '../../shared/ipc.js'

declare global {
  interface Window {
    /** The preload's bridge to the main process: the only way out of the sandboxed window. */
    rmount: RmountApi
  }
}
