/**
 * The SFTP key file, checked before rclone is started: rclone reports a missing or unreadable key as
 * a refused login, which sends the person to the password instead of the file.
 */
import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import type { Remote } from '../../shared/config.js'
import { RmountError } from '../../shared/errors.js'

/** Throws KEY_FILE_UNREADABLE when the remote names a key file this user cannot read. */
export async function checkKeyFile(remote: Remote): Promise<void> {
  if (remote.type !== 'sftp' || !remote.keyFile) return
  const path = remote.keyFile
  const problem = await stat(path).then(
    async (info) =>
      info.isFile()
        ? access(path, constants.R_OK).then(
            () => null,
            () => 'cannot be read by your user',
          )
        : 'is not a file',
    (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? 'does not exist' : 'cannot be read by your user'),
  )
  if (problem)
    throw new RmountError(
      'KEY_FILE_UNREADABLE',
      `The key file ${path} ${problem}: choose the private key file again, or check its permissions (it must be readable by you).`,
    )
}
