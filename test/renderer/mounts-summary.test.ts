import { describe, expect, it } from 'vitest'
import { mountsSummary } from '../../renderer/src/mounts-summary.js'

const h = (state: 'mounted' | 'degraded' | 'restarting' | 'failed', pending = 0) => ({
  state,
  pendingUploads: pending,
  uploadsInProgress: 0,
})

describe('mountsSummary', () => {
  it('counts the mounts by state, in reading order, and those with uploads waiting', () => {
    const ids = Array.from({ length: 53 }, (_, i) => `m${i}`)
    const health: Record<string, ReturnType<typeof h>> = {}
    ids.forEach((id, i) => (health[id] = h(i === 0 ? 'degraded' : i === 1 ? 'restarting' : 'mounted', i >= 50 ? 2 : 0)))
    delete health.m52
    expect(mountsSummary(ids, health)).toBe('50 mounted · 1 degraded · 1 restarting · 1 unmounted · 2 uploading')
  })

  it('says nothing for no mounts', () => {
    expect(mountsSummary([], {})).toBe('')
  })
})
