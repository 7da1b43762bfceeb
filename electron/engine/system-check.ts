/** What this machine has and lacks for mounting, each missing piece with its fix. */
import { RmountError } from '../../shared/errors.js'
import { findSetpriv } from './child-process.js'
import { findFusermount, fuseDeviceAvailable } from './fuse.js'
import { findRclone, missingFeatures, rcloneEnvVar, type RcloneInfo, type RcloneSource } from './rclone-binary.js'

export interface SystemCheckItem {
  name: 'rclone' | '/dev/fuse' | 'fusermount' | 'setpriv'
  ok: boolean
  /** Mounts work without it, with less protection: it does not make the report fail. */
  optional?: boolean
  /** Path or version found, or what is wrong. */
  detail: string
  /** What to do when it is not ok. */
  fix?: string
}

export interface SystemReport {
  ok: boolean
  items: SystemCheckItem[]
  rclone: {
    path: string
    version: string
    source?: RcloneSource
    /** How a vendored rclone was fetched and verified, when recorded. */
    provenance?: string
    /** What this rclone cannot do that a current one can, each with the version that brings it. */
    lacks: string[]
  } | null
}

/** Where an rclone came from, in words. */
export const sourceNames: Record<RcloneSource, string> = {
  option: 'the rclone path setting',
  env: `the ${rcloneEnvVar} environment variable`,
  packaged: 'bundled with RMount',
  vendor: 'vendor/bin (vendor/fetch-rclone.sh)',
  PATH: 'PATH',
}

/** One line about an rclone: version, path, where it came from, and what it lacks. */
export function describeRclone(found: RcloneInfo): { detail: string; lacks: string[] } {
  const lacks = missingFeatures(found.semver).map((missing) => `${missing.what} (since rclone ${missing.since})`)
  let detail = `${found.version} at ${found.path}`
  if (found.source) detail += `, from ${sourceNames[found.source]}`
  if (found.provenance) detail += `: ${found.provenance}`
  if (lacks.length)
    detail += `. This rclone lacks: ${lacks.join('; ')}. For all of it, run vendor/fetch-rclone.sh (rclone v1.75.2) or install a current rclone.`
  return { detail, lacks }
}

/** Checks rclone (found as the engine would, with its version, source and gaps), /dev/fuse and fusermount. */
export async function checkSystem(options: { rclonePath?: string } = {}): Promise<SystemReport> {
  const items: SystemCheckItem[] = []
  let rclone: SystemReport['rclone'] = null
  try {
    const found = await findRclone(options.rclonePath)
    const { detail, lacks } = describeRclone(found)
    rclone = { path: found.path, version: found.version, source: found.source, provenance: found.provenance, lacks }
    items.push({ name: 'rclone', ok: true, detail })
  } catch (error) {
    const message = error instanceof RmountError ? error.message : String(error)
    items.push({ name: 'rclone', ok: false, detail: message.split(':')[0]!, fix: message })
  }
  const device = await fuseDeviceAvailable()
  items.push(
    device
      ? { name: '/dev/fuse', ok: true, detail: 'present and usable' }
      : {
          name: '/dev/fuse',
          ok: false,
          detail: 'missing or not accessible',
          fix: 'Load the FUSE module (sudo modprobe fuse); in a container, pass the device (--device /dev/fuse --cap-add SYS_ADMIN).',
        },
  )
  const fusermount = await findFusermount()
  items.push(
    fusermount
      ? { name: 'fusermount', ok: true, detail: fusermount }
      : {
          name: 'fusermount',
          ok: false,
          detail: 'not found',
          fix: 'Install FUSE 3 (Debian/Ubuntu: sudo apt install fuse3; Fedora: sudo dnf install fuse3).',
        },
  )
  items.push(orphanProtection())
  return { ok: items.every((item) => item.ok || item.optional), items, rclone }
}

/** setpriv ties each rclone to RMount's life (see child-process.ts); without it a killed RMount leaves rclone running. */
function orphanProtection(): SystemCheckItem {
  if (process.platform !== 'linux') return { name: 'setpriv', ok: true, optional: true, detail: 'not needed on this system' }
  const setpriv = findSetpriv()
  if (setpriv) return { name: 'setpriv', ok: true, optional: true, detail: `${setpriv}: orphan protection is on` }
  return {
    name: 'setpriv',
    ok: false,
    optional: true,
    detail: 'not found on PATH: orphan protection is off, so rclone keeps running (and its folder mounted) if RMount is killed',
    fix: 'Install util-linux, which has setpriv (Debian/Ubuntu: sudo apt install util-linux; Fedora: sudo dnf install util-linux), or add its folder to PATH.',
  }
}
