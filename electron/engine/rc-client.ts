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

export interface VfsStats {
  diskCache?: { uploadsInProgress: number; uploadsQueued: number; erroredFiles: number; files: number; path: string; pathMeta: string }
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
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 })
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
    const body = JSON.stringify(params)
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
        reject(new RcError(`${method}: ${error.message}`, 'network'))
      })
      req.end(body)
    })
  }

  close(): void {
    this.agent.destroy()
  }
}
