/** Inputs that try the holes of the trust boundary, shared by the engine's and the CLI's hostile-input tests. */

/** Extra options that must never reach rclone, with the flag the refusal must name. */
export const hostileArgs: [string, string][] = [
  [`--sftp-ssh=sh -c 'touch /tmp/x'`, '--sftp-ssh'],
  ['--dump=headers', '--dump'],
  ['--dump', '--dump'],
  ['--rc-no-auth', '--rc-no-auth'],
  ['--rc-addr=0.0.0.0:5572', '--rc-addr'],
  ['--rc', '--rc'],
  ['--config=/home/me/.config/rclone/rclone.conf', '--config'],
  ['--cache-dir=/tmp/elsewhere', '--cache-dir'],
  ['--log-file=/home/me/.bashrc', '--log-file'],
  ['--log-level=DEBUG', '--log-level'],
  ['--password-command=touch /tmp/x', '--password-command'],
  ['-vv', '-vv'],
  ['--daemon', '--daemon'],
  ['--fuse-flag=-oallow_other', '--fuse-flag'],
  ['--Sftp-SSH=sh', '--Sftp-SSH'],
  ['--sftp_ssh=sh', '--sftp_ssh'],
]
