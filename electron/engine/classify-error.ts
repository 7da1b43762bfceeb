/** Turning rclone's error text into one of RMount's error codes, with a message that says what to do. */
import type { ErrorCode } from '../../shared/errors.js'
import { s3AddressingWarning, type Remote } from '../../shared/config.js'

const rules: ReadonlyArray<[ErrorCode, RegExp]> = [
  ['HOST_KEY_MISMATCH', /knownhosts: key mismatch|host key mismatch/i],
  ['HOST_KEY_UNKNOWN', /knownhosts: key is unknown/i],
  [
    'AUTH_FAILED',
    /unable to authenticate|no supported methods remain|InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|InvalidToken|ExpiredToken|status code: 403|Forbidden|permission denied \(publickey|failed to (read|parse) private key|x509: certificate signed by unknown authority/i,
  ],
  ['REMOTE_NOT_FOUND', /NoSuchBucket|directory not found|dir(ectory)? does not exist|file does not exist|no such file or directory/i],
  [
    'REMOTE_UNREACHABLE',
    /connection refused|i\/o timeout|no such host|network is unreachable|no route to host|connection reset|context deadline exceeded|TLS handshake timeout|handshake failed: EOF|server misbehaving|dial tcp/i,
  ],
  ['MOUNTPOINT_BUSY', /directory already mounted|mountpoint is already in use/i],
  [
    'FUSE_UNAVAILABLE',
    /fusermount: exec|fuse: device not found|\/dev\/fuse|failed to open \/dev\/fuse|fusermount.*not found|cannot find FUSE/i,
  ],
]

/** The first error code whose pattern matches, most specific first; null for anything else. */
export function classifyRcloneError(text: string): ErrorCode | null {
  for (const [code, pattern] of rules) if (pattern.test(text)) return code
  return null
}

/** A short description of where a remote points, for messages. */
export function describeRemote(remote: Remote, remotePath: string): string {
  if (remote.type === 'sftp') return `${remote.user}@${remote.host}:${remote.port}${remotePath ? ` folder ${remotePath}` : ''}`
  const where = remote.endpoint ?? (remote.provider === 'AWS' ? 'AWS' : remote.provider)
  return `bucket ${remotePath.split('/')[0] || '(none)'} on ${where}`
}

/** The sentence a person reads for a failure: what happened and what to change. */
export function failureMessage(code: ErrorCode, remote: Remote, remotePath: string): string {
  const where = describeRemote(remote, remotePath)
  const bucket = remotePath.split('/').filter(Boolean)[0]
  switch (code) {
    case 'AUTH_FAILED':
      return remote.type === 's3'
        ? `The server refused the credentials for ${where}: check the access key ID and the secret access key (and that the key may read this bucket).`
        : `${remote.host} refused the login of user ${remote.user}: check the user name and the key file, password or agent.`
    case 'HOST_KEY_UNKNOWN':
      return `The known_hosts file has no key for ${remote.type === 'sftp' ? `${remote.host} port ${remote.port}` : where}: add the server's key to it (ssh-keyscan), or pin the key by fingerprint.`
    case 'HOST_KEY_MISMATCH':
      return `The host key of ${remote.type === 'sftp' ? remote.host : where} does not match the pinned key. If the server was reinstalled, pin its new key; otherwise someone may be intercepting the connection.`
    case 'REMOTE_NOT_FOUND':
      return remote.type === 's3'
        ? `Bucket ${bucket ?? '(none)'} does not exist on ${remote.endpoint ?? remote.provider}: check the bucket name in the remote path, or create the bucket.`
        : `Folder ${remotePath || '(home)'} does not exist on ${remote.host}: check the remote path, or create the folder.`
    case 'REMOTE_UNREACHABLE':
      return remote.type === 's3'
        ? `Could not reach ${remote.endpoint ?? 'AWS S3'}: ${s3AddressingWarning(remote) ?? 'check the endpoint URL and the network connection.'}`
        : `Could not reach ${remote.host} on port ${remote.port}: check the host name and port, that the SSH server runs, and the network connection.`
    case 'MOUNTPOINT_BUSY':
      return 'The mount folder is already in use by another mount: unmount it first, or choose another folder.'
    case 'FUSE_UNAVAILABLE':
      return 'FUSE is not available: install it (Debian/Ubuntu: sudo apt install fuse3) and make sure /dev/fuse exists.'
    default:
      return `rclone failed on ${where}.`
  }
}
