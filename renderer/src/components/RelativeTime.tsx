import { useRelativeTime } from '../clock.js'

/** "5 min ago", kept current by the shared clock; the exact time is in the tooltip and the datetime attribute. */
export function RelativeTime({ time }: { time: number }) {
  const text = useRelativeTime(time)
  const date = new Date(time)
  return (
    <time dateTime={date.toISOString()} title={date.toLocaleString()}>
      {text}
    </time>
  )
}
