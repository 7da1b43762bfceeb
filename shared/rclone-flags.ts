/**
 * The rclone flags a mount's extra options may carry: a named allow-list of what people tune, each
 * with the shape of its value. One source of truth for the config schema (so IPC, the store, config
 * files and forms refuse alike) and for the engine, which checks again before it runs anything.
 *
 * Why an allow-list: rclone has flags that run programs (`--sftp-ssh`), write secrets to disk
 * (`--dump headers`), open the remote control (`--rc-no-auth`) or move the config, cache and log
 * (`--config`, `--cache-dir`, `--log-file`). A deny-list misses the next such flag; this list only
 * grows by a decision. Every name was checked against `rclone help flags` of 1.60.1 and 1.75.2;
 * the few that 1.60 lacks carry the version that brought them.
 */

/** What an allowed flag's value looks like. */
export type RcloneFlagKind = 'bool' | 'size' | 'duration' | 'count' | 'id' | 'mode' | 'rate' | 'bwlimit' | 'cacheMode'

/** One allowed flag: the shape of its value, the group it tunes, and the rclone version that added it when 1.60 lacks it. */
export interface AllowedRcloneFlag {
  kind: RcloneFlagKind
  group: RcloneFlagGroup
  since?: readonly [number, number, number]
  /** Shown with the flag, where it needs something outside RMount. */
  note?: string
}

/** The groups of flags people tune, as the error text and the forms name them. */
export const rcloneFlagGroups = [
  'cache',
  'buffer and read-ahead',
  'bandwidth',
  'transfers and checkers',
  'timeouts and retries',
  'read-only',
  'ownership and permissions',
  'chunk sizes',
  'access by other users',
] as const
export type RcloneFlagGroup = (typeof rcloneFlagGroups)[number]

const size = /^(off|\d+(\.\d+)?([bBkKmMgGtTpP](i?B?))?)$/
const durationUnit = '\\d+(\\.\\d+)?(ns|us|µs|ms|s|m|h)'
// Go duration syntax only: rclone 1.60 takes d/w/M/y suffixes for some duration flags but not all (1.61 unified them).
const duration = new RegExp(`^(off|0|(${durationUnit})+)$`)
const valuePatterns: Record<Exclude<RcloneFlagKind, 'bool'>, { pattern: RegExp; example: string }> = {
  size: { pattern: size, example: 'a size like 512M, 2G or off' },
  duration: { pattern: duration, example: 'a duration like 30s, 10m or 1h30m' },
  count: { pattern: /^\d{1,6}$/, example: 'a whole number like 8' },
  id: { pattern: /^\d{1,10}$/, example: 'a numeric user or group id like 1000' },
  mode: { pattern: /^0?[0-7]{3}$/, example: 'octal permission bits like 022 or 0755' },
  rate: { pattern: /^\d{1,6}(\.\d+)?$/, example: 'a number like 10 or 0.5' },
  bwlimit: {
    pattern: new RegExp(`^(off|${size.source.slice(1, -1)}(:${size.source.slice(1, -1)})?)$`),
    example: 'a rate like 10M, or upload:download like 10M:50M, or off',
  },
  cacheMode: { pattern: /^(off|minimal|writes|full)$/, example: 'off, minimal, writes or full' },
}

const allowOtherNote = 'Other users can only see the mount when /etc/fuse.conf has the line user_allow_other (unless RMount runs as root).'

/** Every flag a mount's extra options may carry, by name. */
export const allowedRcloneFlags: Readonly<Record<string, AllowedRcloneFlag>> = {
  '--vfs-cache-mode': { kind: 'cacheMode', group: 'cache' },
  '--vfs-cache-max-size': { kind: 'size', group: 'cache' },
  '--vfs-cache-max-age': { kind: 'duration', group: 'cache' },
  '--vfs-cache-min-free-space': { kind: 'size', group: 'cache', since: [1, 64, 0] },
  '--vfs-cache-poll-interval': { kind: 'duration', group: 'cache' },
  '--dir-cache-time': { kind: 'duration', group: 'cache' },
  '--attr-timeout': { kind: 'duration', group: 'cache' },
  '--poll-interval': { kind: 'duration', group: 'cache' },
  '--buffer-size': { kind: 'size', group: 'buffer and read-ahead' },
  '--vfs-read-ahead': { kind: 'size', group: 'buffer and read-ahead' },
  '--max-read-ahead': { kind: 'size', group: 'buffer and read-ahead' },
  '--vfs-read-chunk-size': { kind: 'size', group: 'buffer and read-ahead' },
  '--vfs-read-chunk-size-limit': { kind: 'size', group: 'buffer and read-ahead' },
  '--vfs-read-chunk-streams': { kind: 'count', group: 'buffer and read-ahead', since: [1, 68, 0] },
  '--bwlimit': { kind: 'bwlimit', group: 'bandwidth' },
  '--bwlimit-file': { kind: 'bwlimit', group: 'bandwidth' },
  '--tpslimit': { kind: 'rate', group: 'bandwidth' },
  '--tpslimit-burst': { kind: 'count', group: 'bandwidth' },
  '--transfers': { kind: 'count', group: 'transfers and checkers' },
  '--checkers': { kind: 'count', group: 'transfers and checkers' },
  '--multi-thread-streams': { kind: 'count', group: 'transfers and checkers' },
  '--contimeout': { kind: 'duration', group: 'timeouts and retries' },
  '--timeout': { kind: 'duration', group: 'timeouts and retries' },
  '--expect-continue-timeout': { kind: 'duration', group: 'timeouts and retries' },
  '--low-level-retries': { kind: 'count', group: 'timeouts and retries' },
  '--retries': { kind: 'count', group: 'timeouts and retries' },
  '--retries-sleep': { kind: 'duration', group: 'timeouts and retries' },
  '--read-only': { kind: 'bool', group: 'read-only' },
  '--uid': { kind: 'id', group: 'ownership and permissions' },
  '--gid': { kind: 'id', group: 'ownership and permissions' },
  '--umask': { kind: 'mode', group: 'ownership and permissions' },
  '--dir-perms': { kind: 'mode', group: 'ownership and permissions' },
  '--file-perms': { kind: 'mode', group: 'ownership and permissions' },
  '--default-permissions': { kind: 'bool', group: 'ownership and permissions' },
  '--s3-chunk-size': { kind: 'size', group: 'chunk sizes' },
  '--s3-upload-cutoff': { kind: 'size', group: 'chunk sizes' },
  '--s3-copy-cutoff': { kind: 'size', group: 'chunk sizes' },
  '--s3-upload-concurrency': { kind: 'count', group: 'chunk sizes' },
  '--sftp-chunk-size': { kind: 'size', group: 'chunk sizes' },
  '--sftp-concurrency': { kind: 'count', group: 'chunk sizes' },
  '--multi-thread-cutoff': { kind: 'size', group: 'chunk sizes' },
  '--allow-other': { kind: 'bool', group: 'access by other users', note: allowOtherNote },
}

const refusal = `Extra options may only tune ${rcloneFlagGroups.join(', ')}, as --name=value; remove it from the mount's extra options.`

const longFlag = /^(--[A-Za-z0-9][\w-]{0,59})(?:=(.*))?$/s

/**
 * Why `arg` may not go to rclone, as a sentence naming it, or null when it is allowed. Only a flag's
 * name is ever quoted back, never a value nor an item that is not a flag: it may be a secret pasted
 * in the wrong place (`--s3-secret-access-key`, `KEY`).
 */
export function extraArgProblem(arg: string): string | null {
  const match = longFlag.exec(arg)
  if (!match) {
    if (/^-[A-Za-z]{1,4}$/.test(arg)) return `${arg} is not an allowed rclone flag. ${refusal}`
    if (!arg.startsWith('-'))
      return `An item that is not a --flag (a value given apart from its flag?) is not allowed: give each option with its value in one item, like --transfers=8. ${refusal}`
    return `An item that is not a --name=value flag is not allowed. ${refusal}`
  }
  const [, name, value] = match as unknown as [string, string, string | undefined]
  const flag = Object.hasOwn(allowedRcloneFlags, name) ? allowedRcloneFlags[name] : undefined
  if (!flag) return `${name} is not an allowed rclone flag. ${refusal}`
  const note = flag.note ? ` ${flag.note}` : ''
  if (flag.kind === 'bool') {
    if (value === undefined || value === 'true' || value === 'false') return null
    return `${name} takes no value (or =true, =false).${note}`
  }
  const { pattern, example } = valuePatterns[flag.kind]
  if (value === undefined) return `${name} needs a value in the same item, like ${name}=…: ${example}.${note}`
  if (!pattern.test(value)) return `${name} needs ${example}.${note}`
  return null
}

/** The flags among `args` that rclone 1.60 lacks, each with the version that brought it; the engine compares it with the rclone it runs. */
export function versionGatedFlags(args: readonly string[]): { name: string; since: readonly [number, number, number] }[] {
  return args.flatMap((arg) => {
    const name = arg.split('=')[0]!
    const since = allowedRcloneFlags[name]?.since
    return since ? [{ name, since }] : []
  })
}
