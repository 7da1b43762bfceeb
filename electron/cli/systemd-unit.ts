/**
 * The systemd user unit that runs `rmount up --config FILE` on a headless machine: the text, where it
 * goes, and its name. Pure; service-command.ts writes it and talks to systemctl.
 */
import { createHash } from 'node:crypto'
import { basename, join } from 'node:path'

/** What the unit runs. */
export interface ServiceUnitInput {
  /** Absolute path of the config file. */
  configFile: string
  /** The node executable and the rmount script, absolute. */
  node: string
  script: string
}

/**
 * How long systemd waits for the drain before it kills: `rmount up` unmounts only once every written file
 * is on the remote, and a large upload over a slow line takes a while.
 */
export const stopTimeout = '30min'

/** The unit's file name: one per config file, so several configs run side by side. */
export function serviceUnitName(configFile: string): string {
  const stem =
    basename(configFile)
      .replace(/\.json$/i, '')
      .replace(/[^A-Za-z0-9_.-]+/g, '-')
      .slice(0, 40) || 'config'
  const hash = createHash('sha256').update(configFile).digest('hex').slice(0, 8)
  return `rmount-${stem}-${hash}.service`
}

/** Where systemd looks for user units under a config home (`$XDG_CONFIG_HOME` or ~/.config). */
export function userUnitPath(configHomeDir: string, unitName: string): string {
  return join(configHomeDir, 'systemd', 'user', unitName)
}

// systemd.syntax: in ExecStart a word is quoted with "..." where `\` and `"` are escaped; `%` is a specifier
// everywhere and `$` would expand a variable, so both are doubled.
function execWord(word: string): string {
  return `"${word
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/%/g, '%%')
    .replace(/\$/g, '$$$$')}"`
}

/** The unit's text. */
export function serviceUnitText(input: ServiceUnitInput): string {
  return `[Unit]
Description=RMount: keep the mounts of ${input.configFile.replace(/%/g, '%%').replace(/\n/g, ' ')} mounted
Wants=network-online.target
After=network-online.target

[Service]
Type=exec
ExecStart=${[input.node, input.script, 'up', '--config', input.configFile].map(execWord).join(' ')}
Restart=on-failure
RestartSec=10s
# SIGTERM to rmount alone: it unmounts once pending uploads are on the remote. The default (control-group)
# would signal each rclone too, and a signalled rclone aborts the upload it is in.
KillMode=mixed
KillSignal=SIGTERM
TimeoutStopSec=${stopTimeout}

[Install]
WantedBy=default.target
`
}
