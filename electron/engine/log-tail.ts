/** Following a log file that rclone appends to, line by line, without ever blocking on it (never a pipe, so rclone never gets SIGPIPE). */
import { watch, type FSWatcher } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { StringDecoder } from 'node:string_decoder'
import { LineSplitter } from './rclone-log.js'

const chunkBytes = 64 * 1024

export class LogTail {
  private position: number
  private watcher: FSWatcher | null = null
  private reading: Promise<void> = Promise.resolve()
  private readonly splitter = new LineSplitter()
  // A multi-byte character may straddle two reads.
  private readonly decoder = new StringDecoder('utf8')

  constructor(
    private readonly path: string,
    from: number,
    private readonly onLine: (line: string) => void,
  ) {
    this.position = from
  }

  /** Starts following; rclone's appends wake it through inotify. */
  start(): void {
    this.watcher = watch(this.path, { persistent: false }, () => void this.poll())
    this.watcher.on('error', () => this.stop())
    void this.poll()
  }

  /** Reads whatever was appended since the last read; calls never overlap. */
  poll(): Promise<void> {
    this.reading = this.reading.then(() => this.readNew()).catch(() => undefined)
    return this.reading
  }

  /** Reads the rest and hands over a last line that has no newline (rclone's fatal message can end that way). */
  async finish(): Promise<void> {
    this.stop()
    await this.poll()
    this.emit(this.splitter.push(this.decoder.end()))
    this.emit([this.splitter.flush()])
  }

  private async readNew(): Promise<void> {
    const { size } = await stat(this.path)
    if (size < this.position) this.position = 0
    if (size === this.position) return
    const file = await open(this.path, 'r')
    try {
      const buffer = Buffer.alloc(Math.min(chunkBytes, size - this.position))
      for (;;) {
        const { bytesRead } = await file.read(buffer, 0, buffer.length, this.position)
        if (bytesRead === 0) break
        this.position += bytesRead
        this.emit(this.splitter.push(this.decoder.write(buffer.subarray(0, bytesRead))))
      }
    } finally {
      await file.close()
    }
  }

  private emit(lines: string[]): void {
    for (const line of lines) {
      const text = line.trimEnd()
      if (text) this.onLine(text)
    }
  }

  stop(): void {
    this.watcher?.close()
    this.watcher = null
  }
}
