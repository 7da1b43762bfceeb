/** Real servers for integration tests (s3rver, OpenSSH sshd, rclone serve sftp) that can be frozen, killed and restarted. */
export { startManaged, stopAllServers, tempDir, freePort, type TestServer, type ServerSpec, type LaunchSpec } from './managed.js'
export { startS3, type S3Server } from './s3.js'
export { startSshd, type SshdServer } from './sshd.js'
export { startSftpPasswordServer, type SftpPasswordServer } from './sftp.js'
export { sshBanner, httpStatus } from './probes.js'
export { processTree, readProc, type ProcInfo } from './process-tree.js'
export { createNetns, removeAllNetns, type NetNamespace } from './netns.js'
