/** A client for one rclone's remote-control endpoint: authenticated, kept alive, every call bounded. */
import { Agent, request } from 'node:http'

export class RcError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'http' | 'network',
    readonly status?: number,
  ) {
    super(message)
    this.name = 'RcError'
  }
}

/** A request on a reused keep-alive socket that the server had closed. */
class StaleSocketError extends Error {}

export interface VfsStats {
  diskCache?: {
    uploadsInProgress: number
    uploadsQueued: number
    erroredFiles: number
    files: number
    path: string
    pathMeta: string
    /** Set by rclone when a cache write failed for lack of space. */
    outOfSpace?: boolean
  }
}

export interface CoreStats {
  bytes: number
  speed: number
  errors: number
  transferring?: Array<{ name: string; bytes: number; size: number }>
  lastError?: string
}

export interface VfsQueue {
  queue: Array<{ name: string; size: number; uploading: boolean; tries: number }>
}

/** A unix socket (rclone 1.69 and later) or a loopback TCP port. */
export type RcTarget = { socketPath: string } | { port: number }

export class RcClient {
  // Two health rounds may be in flight (one stuck on a silent remote, one fresh: probe-rounds.ts), three calls each;
  // a call queued behind stuck ones would wait out their timeouts, and the fresh round would learn nothing.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 8 })
  private readonly authorization: string

  constructor(
    readonly target: RcTarget,
    user: string,
    pass: string,
  ) {
    this.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`
  }

  /** POSTs to `/<method>`; rejects with RcError after `timeoutMs` whatever rclone is doing. */
  call<T = unknown>(method: string, params: object = {}, timeoutMs = 2000): Promise<T> {
    const deadline = performance.now() + timeoutMs
    return this.attempt<T>(method, JSON.stringify(params), timeoutMs).catch((error: unknown) => {
      // A kept-alive socket that rclone closed while idle (after a sleep its idle timer fires at once) fails
      // before any answer: that says nothing about rclone, so the call goes once more on a fresh socket.
      if (!(error instanceof StaleSocketError)) throw error
      return this.attempt<T>(method, JSON.stringify(params), Math.max(1, deadline - performance.now()))
    })
  }

  private attempt<T>(method: string, body: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const req = request(
        {
          ...('socketPath' in this.target ? { socketPath: this.target.socketPath } : { host: '127.0.0.1', port: this.target.port }),
          path: `/${method}`,
          method: 'POST',
          agent: this.agent,
          headers: { authorization: this.authorization, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('end', () => {
            clearTimeout(timer)
            const text = Buffer.concat(chunks).toString('utf8')
            let parsed: unknown
            try {
              parsed = JSON.parse(text)
            } catch {
              parsed = { error: text.trim() }
            }
            if (res.statusCode === 200) resolve(parsed as T)
            else
              reject(new RcError(`${method}: ${(parsed as { error?: string }).error ?? `HTTP ${res.statusCode}`}`, 'http', res.statusCode))
          })
          res.on('error', (error) => {
            clearTimeout(timer)
            reject(new RcError(`${method}: ${error.message}`, 'network'))
          })
        },
      )
      const timer = setTimeout(() => {
        req.destroy()
        reject(new RcError(`${method}: no answer within ${timeoutMs} ms`, 'timeout'))
      }, timeoutMs)
      req.on('error', (error) => {
        clearTimeout(timer)
        // A kept-alive socket rclone closed while we were stopped (sleep) fails as a reset or, when the
        // request is written after the peer's close, as EPIPE: either way the request never reached rclone.
        const code = (error as NodeJS.ErrnoException).code
        if (req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) reject(new StaleSocketError())
        else reject(new RcError(`${method}: ${error.message}`, 'network'))
      })
      req.end(body)
    })
  }

  close(): void {
    this.agent.destroy()
  }
}
