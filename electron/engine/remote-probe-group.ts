/**
 * Mounts of one remote share its probe. A hung server hangs for every mount of it, so asking it once
 * a round is enough; the question goes through each member's rclone in turn, so every rclone's
 * control endpoint is still exercised. On a small machine each loopback HTTP request costs about half
 * a millisecond of CPU: fifty mounts of one bucket asking separately would cost 2.5% of a core.
 */
import { createHash } from 'node:crypto'
import type { Remote } from '../../shared/config.js'

export interface ProbeMember {
  /** Asks the remote through this member's rclone; null when it has no running rclone. */
  probeRemote(timeoutMs: number): Promise<PromiseSettledResult<unknown>> | null
}

interface Group {
  members: ProbeMember[]
  current: { round: number; outcome: Promise<PromiseSettledResult<unknown>> } | null
}

const groups = new Map<string, Group>()

/** Mounts share a probe when they reach the same server with the same credentials (and, for S3, the same bucket). */
export function probeGroupKey(remote: Remote, remotePath: string): string {
  const where = remote.type === 's3' ? { ...remote, bucket: remotePath.split('/').filter(Boolean)[0] ?? '' } : remote
  return createHash('sha256').update(JSON.stringify(where)).digest('hex')
}

export function joinProbeGroup(key: string, member: ProbeMember): () => void {
  let group = groups.get(key)
  if (!group) {
    group = { members: [], current: null }
    groups.set(key, group)
  }
  group.members.push(member)
  const joined = group
  return () => {
    joined.members = joined.members.filter((m) => m !== member)
    if (joined.members.length === 0 && groups.get(key) === joined) groups.delete(key)
  }
}

/** The outcome of this round's probe of the remote, made once for the whole group. */
export function probeRound(key: string, round: number, timeoutMs: number, self: ProbeMember): Promise<PromiseSettledResult<unknown>> {
  const group = groups.get(key)
  if (!group) return self.probeRemote(timeoutMs) ?? Promise.resolve({ status: 'rejected', reason: new Error('no rclone running') })
  if (group.current?.round === round) return group.current.outcome
  const count = group.members.length
  let outcome: Promise<PromiseSettledResult<unknown>> | null = null
  for (let i = 0; i < count && !outcome; i++) outcome = group.members[(round + i) % count]!.probeRemote(timeoutMs)
  outcome ??= self.probeRemote(timeoutMs) ?? Promise.resolve({ status: 'rejected', reason: new Error('no rclone running') })
  group.current = { round, outcome }
  return outcome
}
