/** The upload lines `rmount up` prints: sizes, rates, delays, retries. */
import { describe, expect, it } from 'vitest'
import { formatDelay, progressLine, rateBetween, retryLine } from '../../electron/cli/upload-report.js'
import { formatBytes } from '../../shared/format-bytes.js'

describe('upload report lines', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [12_345, '12.3 kB'],
    [123_456, '123 kB'],
    [4_500_000, '4.5 MB'],
    [7e12, '7.0 TB'],
  ])('formatBytes(%d) = %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text))

  it.each([
    [500, '500 ms'],
    [4000, '4 s'],
    [60_000, '1 min'],
    [90_000, '1.5 min'],
  ])('formatDelay(%d) = %s', (ms, text) => expect(formatDelay(ms)).toBe(text))

  it('measures the rate between two samples, never negative', () => {
    expect(rateBetween({ bytes: 1000, time: 0 }, { bytes: 6000, time: 2000 })).toBe(2500)
    expect(rateBetween({ bytes: 1000, time: 0 }, { bytes: 0, time: 2000 })).toBe(0)
    expect(rateBetween({ bytes: 0, time: 5 }, { bytes: 100, time: 5 })).toBe(0)
  })

  it('says what is left, and how fast it goes once it can tell', () => {
    expect(progressLine('m', { files: 2, bytes: 1_200_000 }, null)).toBe('[m] uploads waiting: 2 file(s), 1.2 MB left')
    expect(progressLine('m', { files: 2, bytes: 1_200_000 }, 350_000)).toBe('[m] uploads waiting: 2 file(s), 1.2 MB left, 350 kB/s')
    expect(progressLine('m', { files: 1, bytes: 10 }, 0)).toBe('[m] uploads waiting: 1 file(s), 10 B left, nothing moving')
    const retryAt = new Date(2026, 0, 2, 21, 45, 3).getTime()
    expect(progressLine('m', { files: 1, bytes: 10 }, 500, { file: 'a', tries: 2, retryInMs: 2000, retryAt, cause: 'x' })).toBe(
      '[m] uploads waiting: 1 file(s), 10 B left, failing: next try at 21:45:03',
    )
  })

  it('gives each failed try its cause and when the next one comes', () => {
    const retryAt = new Date(2026, 0, 2, 21, 45, 3).getTime()
    expect(retryLine('m', { file: 'a.txt', tries: 3, retryInMs: 4000, retryAt, cause: 'NoSuchBucket' })).toBe(
      '[m] upload of a.txt failed (try #3): NoSuchBucket; next try in 4 s, at 21:45:03',
    )
  })
})
