/**
 * Keys `rmount up` answers while it supervises, when run in a terminal: `r` shows the changes made
 * on the remote by other clients now, in every mount. No daemon is needed: the process that owns
 * the mounts reads its own terminal.
 */

/** A terminal's input, as much of it as this needs (process.stdin when it is a TTY). */
export interface KeyInput {
  isTTY?: boolean
  setRawMode?(raw: boolean): unknown
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown
  resume(): unknown
  pause(): unknown
}

/**
 * Listens for `r` on a terminal; returns a function that stops listening and gives the terminal
 * back. In raw mode Ctrl-C arrives as a byte rather than a signal, so it is handed to `interrupt`.
 */
export function watchKeys(
  input: KeyInput,
  mounts: ReadonlyMap<string, { refresh(): Promise<void> }>,
  print: (line: string) => void,
  interrupt: () => void,
): () => void {
  if (!input.isTTY || !input.setRawMode) return () => undefined
  const onData = (chunk: Buffer | string) => {
    for (const key of chunk.toString()) {
      if (key === '\u0003') interrupt()
      else if (key === 'r' || key === 'R') {
        for (const [name, mount] of mounts)
          mount.refresh().then(
            () => print(`[${name}] refreshed: changes on the remote show now.`),
            (error: unknown) => print(`[${name}] refresh failed: ${error instanceof Error ? error.message : String(error)}`),
          )
      }
    }
  }
  input.setRawMode(true)
  input.on('data', onData)
  input.resume()
  print('Press r to show changes made on the remote now, Ctrl-C to unmount.')
  return () => {
    input.off('data', onData)
    input.setRawMode?.(false)
    input.pause()
  }
}
