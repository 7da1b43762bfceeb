/** RMount's engine as a Node library: supervised rclone mounts and a one-folder SFTP server. */
export { RemoteMount, type RemoteMountEvents, type UnmountOptions, type UnmountResult } from './remote-mount.js'
export { RemoteServer, type RemoteServerOptions } from './remote-server.js'
export { checkSystem, type SystemReport, type SystemCheckItem } from './system-check.js'
export { testConnection, type ConnectionTestResult } from './test-connection.js'
export { listRemote } from './list-remote.js'
export { RmountError, errorCodes, type ErrorCode, type ErrorInfo } from '../../shared/errors.js'
export type { MountHealth, MountState, LogLine, LogLevel } from '../../shared/mount-state.js'
export * from '../../shared/config.js'
// What the bench's baseline `rclone mount` and its cleanup use, so that they start, watch and unmount exactly as the engine does.
export { spawnTied, exited } from './child-process.js'
export { fuseUnmount } from './fuse.js'
export { findMount, parseMountinfo, type MountEntry } from './mountinfo.js'
export { sharedFsProbe } from './fs-probe.js'
