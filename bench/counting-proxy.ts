/** An HTTP proxy on 127.0.0.1 in front of a test server that counts the requests reaching it, by method. */
import { Agent, createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A running counting proxy. */
export interface CountingProxy {
  /** `http://127.0.0.1:PORT`: give this to the client instead of the server's address. */
  endpoint: string
  /** Requests since the last reset, by method. */
  counts(): Record<string, number>
  reset(): void
  close(): Promise<void>
}

/** Starts a proxy that forwards every request to 127.0.0.1:`port` unchanged. */
export async function startCountingProxy(port: number): Promise<CountingProxy> {
  let counts: Record<string, number> = {}
  const agent = new Agent({ keepAlive: true })
  const server: Server = createServer((req, res) => {
    const method = req.method ?? '?'
    counts[method] = (counts[method] ?? 0) + 1
    const upstream = request({ host: '127.0.0.1', port, method, path: req.url, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port: own } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${own}`,
    counts: () => ({ ...counts }),
    reset: () => {
      counts = {}
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        agent.destroy()
        server.close(() => resolve())
      }),
  }
}
