/**
 * What Test connection saw of an SSH server's key: a pinned key that matched, or a key seen for the first
 * time, offered with "Trust this key" (pin on first use, done by the person who can compare it with the
 * fingerprint the server's owner gave them).
 */
export function HostKeyTrust(props: { hostKey: { fingerprint: string; pinned: boolean }; onTrust(fingerprint: string): void }) {
  const { fingerprint, pinned } = props.hostKey
  if (pinned)
    return (
      <p className="host-key ok">
        The server showed the pinned key <code>{fingerprint}</code>.
      </p>
    )
  return (
    <div className="host-key" role="group" aria-label="The server’s host key">
      <p>
        The server showed the host key <code>{fingerprint}</code>. Compare it with what <code>ssh-keygen -lf</code> prints on the server;
        once trusted, a server with another key is refused before any password is sent.
      </p>
      <button type="button" onClick={() => props.onTrust(fingerprint)}>
        Trust this key
      </button>
    </div>
  )
}
