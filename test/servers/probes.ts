/** Readiness checks: a TCP connect alone proves little, since the kernel accepts into the backlog even for a stopped server. */
import { request } from 'node:http'
import { connect } from 'node:net'

/** Resolves with the server's SSH identification line (`SSH-2.0-...`), or null when none arrives within `timeoutMs`. */
export function sshBanner(port: number, timeoutMs = 1_000, host = '127.0.0.1'): Promise<string | null> {
  return new Promise((resolve) => {
    let received = ''
    const socket = connect({ host, port })
    const finish = (banner: string | null) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(banner)
    }
    const timer = setTimeout(() => finish(null), timeoutMs)
    socket.on('error', () => finish(null))
    socket.on('close', () => finish(null))
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1')
      // RFC 4253 allows other lines before the identification line; the last piece may be a line still arriving.
      const lines = received.split('\n').slice(0, -1)
      const line = lines.find((l) => l.startsWith('SSH-'))
      if (line !== undefined) finish(line.replace(/\r$/, ''))
    })
  })
}

/** Resolves with the HTTP status of `GET /`, or null on error or when no answer arrives within `timeoutMs`. */
export function httpStatus(port: number, timeoutMs = 1_000, host = '127.0.0.1'): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume()
      resolve(res.statusCode ?? null)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(null))
    req.end()
  })
}
