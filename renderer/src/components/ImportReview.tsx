/**
 * The review of an import, before anything changes: what is new and what is replaced, which secrets come
 * from environment variables and where they would be sent, which mounts the file wants mounted at start,
 * every option beyond the defaults, and every SSH host whose key is not pinned yet. Import applies exactly
 * this; mounting at start needs its own tick.
 */
import { useState, type ReactNode } from 'react'
import type { ImportReview as Review } from '../../../shared/ipc.js'
import { CheckboxField } from './Field.js'
import { Dialog } from './Dialog.js'

function Section(props: { title: string; items: ReactNode[]; warn?: boolean }) {
  if (props.items.length === 0) return null
  return (
    <section className={props.warn ? 'review-section warning' : 'review-section'}>
      <h3>{props.title}</h3>
      <ul>
        {props.items.map((item, i) => (
          <li key={i}>{item}</li>
        ))}
      </ul>
    </section>
  )
}

export function ImportReview(props: { review: Review; busy: boolean; onImport(mountAtStart: boolean): void; onCancel(): void }) {
  const { review } = props
  const [mountAtStart, setMountAtStart] = useState(false)
  const nothing = review.remotes.length === 0 && review.mounts.length === 0
  return (
    <Dialog
      title={`Import ${review.fileName}?`}
      onClose={props.onCancel}
      actions={
        <>
          <button type="button" data-autofocus onClick={props.onCancel}>
            Cancel
          </button>
          <button type="button" className="primary" disabled={props.busy || nothing} onClick={() => props.onImport(mountAtStart)}>
            Import
          </button>
        </>
      }
    >
      <p>Nothing has changed yet. This is what importing would do:</p>
      <Section
        title="Remotes"
        items={review.remotes.map((r) => (
          <>
            <strong>{r.name}</strong> ({r.where}) {r.replaces ? <em className="warning-text">replaces the remote “{r.id}”</em> : 'new'}
          </>
        ))}
      />
      <Section
        title="Mounts"
        items={review.mounts.map((m) => (
          <>
            <code>{m.localPath}</code> from {m.remoteId}{' '}
            {m.replaces ? <em className="warning-text">replaces the mount “{m.id}”</em> : 'new'}
          </>
        ))}
      />
      <Section
        warn
        title="Secrets taken from environment variables"
        items={review.envRefs.map((e) => (
          <>
            The {e.field} of {e.remoteId} is read from <code>${e.variable}</code> and sent to {e.sentTo}.
          </>
        ))}
      />
      <Section
        warn
        title="SSH hosts without a pinned key"
        items={review.unpinnedHosts.map((h) => (
          <>
            {h.remoteId} at <code>{h.host}</code>: its key is pinned at the first successful connection.
          </>
        ))}
      />
      <Section
        title="Options beyond the defaults"
        items={review.options.map((o) => (
          <>
            {o.mountId}: <code>{o.option}</code> = <code>{o.value}</code>
          </>
        ))}
      />
      <Section title="Left out" items={review.skipped} />
      {review.mountAtStart.length ? (
        <div className="form">
          <CheckboxField
            label={`Mount ${review.mountAtStart.map((m) => m.localPath).join(', ')} when RMount starts, as the file asks`}
            name="importMountAtStart"
            checked={mountAtStart}
            onChange={setMountAtStart}
            hint="Left unticked, these mounts are imported but only mount when you ask."
          />
        </div>
      ) : null}
    </Dialog>
  )
}
