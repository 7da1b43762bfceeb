/** What `rmount --help` and `rmount COMMAND --help` print, and the exit codes every command shares. */

/** Exit codes of `rmount`, documented in README.md. */
export const exitCodes = {
  ok: 0,
  /** Something was tried and failed: a mount, an unmount, the server, or `check` found something missing. */
  failed: 1,
  /** The command line or the config file is wrong; nothing was started. */
  usage: 2,
  /** Stopped at once (a second Ctrl-C): files written through the mount wait in the cache for the next mount. */
  filesLeftInCache: 3,
} as const

/** A command line that cannot be run as given: exits with `exitCodes.usage` and the command's usage on stderr. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: CommandName,
  ) {
    super(message)
    this.name = 'UsageError'
  }
}

export const commandNames = ['check', 'up', 'serve', 'demo', 'service', 'link'] as const
export type CommandName = (typeof commandNames)[number]

export function isCommandName(name: string): name is CommandName {
  return (commandNames as readonly string[]).includes(name)
}

const stopping = `Ctrl-C once unmounts after pending uploads are on the remote, printing their progress; twice unmounts at once
(pending files stay in the cache and upload at the next mount of the same folder; exit code 3).`

/** Each command's own help. */
export const commandUsage: Record<CommandName, string> = {
  check: `Usage: rmount check [--rclone PATH]

Report what this machine has and lacks for mounting (rclone, /dev/fuse, fusermount), each with its fix.
Exits 1 when something is missing.

  --rclone PATH   the rclone to check instead of the one RMount would find`,
  up: `Usage: rmount up --config FILE [--require-pin]

Mount every mount listed in FILE (mountAtStart is for the desktop app and is ignored here), creating missing
folders, and supervise them until Ctrl-C. While uploads wait or fail, their progress and each retry are printed.
In a terminal, press r to show changes made on the remote at once (otherwise they show within changeCheckSeconds).

  -c, --config FILE   the JSON config file (the shape the desktop app exports; see README.md)
  --require-pin       refuse SSH hosts without a pinned key; without it, a host without a hostKeyFingerprint
                      is pinned at its first connection (in ~/.local/state/rmount/host-keys.json)

${stopping}`,
  serve: `Usage: rmount serve DIR --public-key FILE [--port N] [--host ADDR] [--read-only]

Share DIR over SFTP to the holders of the keys in FILE, with a host key that stays the same across runs.

  --public-key FILE   OpenSSH public keys (one per line) allowed to log in
  --port N            port to listen on (default: a free one)
  --host ADDR         address to listen on (default: 127.0.0.1, this machine only)
  --read-only         refuse writes

Ctrl-C stops the server.`,
  service: `Usage: rmount service install|uninstall --config FILE

install writes a systemd user unit that runs \`rmount up --config FILE\` (restarted on failure; stopping it
unmounts after pending uploads, waiting up to 30 minutes), enables and starts it, and prints how to read its log.
Without a user systemd here it says so, still writes the unit, and exits 1. uninstall stops and removes it.

  -c, --config FILE   the JSON config file, checked before the unit is written`,
  link: `Usage: rmount link FILE --config CONFIG [--expire 1h]

Print a share link for FILE, a file inside the folder of one of CONFIG's mounts (mounted or not: the link is
made from the remote). Anyone holding the link can download the file until it expires. S3 remotes only.

  -c, --config CONFIG   the JSON config file whose mount holds FILE
  --expire TIME         how long the link works: 1s to 7d, like 1h (default), 1d or 7d`,
  demo: `Usage: rmount demo

Share a demo folder on 127.0.0.1, mount it, write a file through the mount, and show its health every 5 s.
Needs no account and no network.

${stopping}`,
}

/** The overview `rmount --help` prints. */
export const usage = `rmount: keep remote storage mounted as local folders.

Usage:
  rmount check [--rclone PATH]                 report what this machine has and lacks; exit 1 when something is missing
  rmount up --config FILE [--require-pin]      mount everything in FILE, supervise until Ctrl-C, then unmount gracefully;
                                               in a terminal, r shows changes made on the remote now
  rmount serve DIR --public-key FILE [--port N] [--host ADDR] [--read-only]
                                               share DIR over SFTP to the holders of the keys in FILE
  rmount service install|uninstall --config FILE
                                               run rmount up for FILE as a systemd user service
  rmount link FILE --config CONFIG [--expire 1h]
                                               print a share link for a file in a mounted folder (S3)
  rmount demo                                  share a demo folder on 127.0.0.1, mount it, and show its health
  rmount COMMAND --help                        the command's own help
  rmount --version                             the version of RMount

${stopping}

Exit codes: 0 done, 1 something failed, 2 wrong command line or config file, 3 stopped with files left in the cache.`
