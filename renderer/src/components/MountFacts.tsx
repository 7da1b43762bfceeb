/**
 * A mount row's facts: what is mounted where (the running mount's own folder while it runs), restarts,
 * uploads still to do, and the current transfer rate. Values sit in fixed-width cells, so the row
 * keeps its height and layout as they change.
 */
import { useRef } from 'react'
import type { MountView } from '../../../shared/ipc.js'
import type { MountHealth } from '../../../shared/mount-state.js'
import { mountOptionDefaults } from '../../../shared/config.js'
import { useClock } from '../clock.js'
import { formatRate } from '../format.js'
import { isLiveState } from '../store.js'
import { addSample, pendingText, rateAt, type ByteSample } from '../transfer-rate.js'

/** `Photos: bucket/a`, or what an empty path means for the remote's kind. */
export function remoteLabel(remoteName: string, remoteType: 's3' | 'sftp' | undefined, remotePath: string): string {
  if (remotePath.trim()) return `${remoteName}:${remotePath}`
  return `${remoteName} (${remoteType === 'sftp' ? 'home folder' : 'no bucket chosen'})`
}

export function MountFacts(props: {
  mount: MountView
  health: MountHealth | undefined
  remoteName: string
  remoteType: 's3' | 'sftp' | undefined
}) {
  const { mount, health } = props
  const live = isLiveState(health?.state ?? 'unmounted')
  // The counter's changes, kept across renders; each health event adds at most one.
  const samples = useRef<ByteSample[]>([])
  const bytes = health?.transfer.bytes ?? 0
  if (bytes !== samples.current.at(-1)?.bytes) samples.current = addSample(samples.current, { bytes, time: Date.now() })
  const rate = useClock((now) => (live ? Math.round(rateAt(samples.current, now)) : -1))

  // Write-back: files wait `writeBackMs` after they are closed; the countdown runs from when the queue filled.
  const queued = health?.pendingUploads ?? 0
  const uploading = health?.uploadsInProgress ?? 0
  const queuedSince = useRef<number | null>(null)
  if (queued === 0 || uploading > 0) queuedSince.current = null
  else queuedSince.current ??= Date.now()
  const writeBackMs = mount.options.writeBackMs ?? mountOptionDefaults.writeBackMs
  const pending = useClock((now) =>
    // The shared clock may lag Date.now() by up to a second: never count from more than the delay itself.
    pendingText(queued, uploading, queuedSince.current === null ? null : Math.min(writeBackMs, queuedSince.current + writeBackMs - now)),
  )

  // While mounted, the folder shown is the one the running mount uses: an edit applies only at the next mount.
  const folder = live && health?.localPath ? health.localPath : mount.localPath

  return (
    <dl className="mount-facts">
      <div>
        <dt>Remote</dt>
        <dd title={remoteLabel(props.remoteName, props.remoteType, mount.remotePath)}>
          {remoteLabel(props.remoteName, props.remoteType, mount.remotePath)}
        </dd>
      </div>
      <div>
        <dt>Folder</dt>
        <dd className="path" title={folder}>
          {folder}
        </dd>
      </div>
      <div>
        <dt>Restarts</dt>
        <dd>{health?.restarts ?? 0}</dd>
      </div>
      <div>
        <dt>Pending uploads</dt>
        <dd>{pending}</dd>
      </div>
      <div>
        <dt>Transfer</dt>
        <dd>{rate < 0 ? '—' : formatRate(rate)}</dd>
      </div>
    </dl>
  )
}
