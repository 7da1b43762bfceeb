/** The remote editor: provider defaults, fields per provider, inline errors from the shared schemas, write-only secrets, Test connection. */
import { act, fireEvent, screen, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { RemoteEditor } from '../../renderer/src/components/RemoteEditor.js'
import type { ProviderDefaults } from '../../renderer/src/s3-providers.js'
import type { TestConnectionResult } from '../../shared/ipc.js'
import { MemoryApi, s3Remote, sshRemote } from './memory-api.js'
import { renderWith } from './render-app.js'

// The defaults the issue asks the form to fill (the engine's table is not importable from the window).
const defaults: ProviderDefaults = {
  GCS: { endpoint: 'https://storage.googleapis.com' },
  Minio: { region: 'us-east-1', pathStyle: true },
  Cloudflare: { region: 'auto' },
  Wasabi: { region: 'us-east-1', endpoint: 'https://s3.wasabisys.com' },
}

const input = (label: string) => screen.getByLabelText(label) as HTMLInputElement
const type = (label: string, value: string) => fireEvent.change(input(label), { target: { value } })
const leave = (label: string) => fireEvent.blur(input(label))
const chooseProvider = (value: string) => fireEvent.change(screen.getByLabelText('Provider'), { target: { value } })
const errorOf = (label: string) => {
  const ids = input(label).getAttribute('aria-describedby')?.split(' ') ?? []
  return ids.map((id) => document.getElementById(id)).find((el) => el?.className === 'field-error')?.textContent
}

describe('RemoteEditor: S3', () => {
  it('a provider fills its defaults and keeps what the person typed', async () => {
    await renderWith(new MemoryApi(), <RemoteEditor remoteId={null} type="s3" providerDefaults={defaults} />)
    chooseProvider('GCS')
    expect(input('Endpoint').value).toBe('https://storage.googleapis.com')
    chooseProvider('Cloudflare')
    expect(input('Endpoint').value).toBe('')
    expect(input('Region').value).toBe('auto')
    type('Endpoint', 'https://abc.r2.cloudflarestorage.com')
    chooseProvider('Wasabi')
    expect(input('Endpoint').value).toBe('https://abc.r2.cloudflarestorage.com')
    expect(input('Region').value).toBe('us-east-1')
    chooseProvider('Minio')
    expect(screen.getByText('Requests use path-style addressing, as this provider needs.')).toBeTruthy()
  })

  it('shows only the fields the provider needs', async () => {
    await renderWith(new MemoryApi(), <RemoteEditor remoteId={null} type="s3" providerDefaults={defaults} />)
    // AWS: a region, keys or the environment; no endpoint.
    expect(screen.queryByLabelText('Endpoint')).toBeNull()
    expect(input('Region')).toBeTruthy()
    fireEvent.click(screen.getByLabelText(/Use credentials from the environment/))
    expect(screen.queryByLabelText('Access key ID')).toBeNull()
    expect(screen.queryByLabelText('Secret access key')).toBeNull()
    chooseProvider('GCS')
    expect(screen.queryByLabelText('Region')).toBeNull()
    expect(screen.queryByLabelText(/Use credentials from the environment/)).toBeNull()
    expect(input('Access key ID')).toBeTruthy()
    expect(screen.queryByLabelText(/signature v2/)).toBeNull()
    chooseProvider('Other')
    expect(screen.getByLabelText(/signature v2/)).toBeTruthy()
  })

  it('checks fields with the shared schemas and says what to do', async () => {
    const api = new MemoryApi()
    await renderWith(api, <RemoteEditor remoteId={null} type="s3" providerDefaults={defaults} />)
    chooseProvider('Minio')
    type('Endpoint', 'nas:9000')
    expect(errorOf('Endpoint')).toBeUndefined()
    leave('Endpoint')
    expect(errorOf('Endpoint')).toBe('Enter the endpoint as a URL, like https://s3.example.com.')
    expect(input('Endpoint').getAttribute('aria-invalid')).toBe('true')
    type('Endpoint', 'http://nas:9000')
    expect(errorOf('Endpoint')).toBeUndefined()

    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await act(async () => new Promise(requestAnimationFrame))
    expect(errorOf('Name')).toBe('Give the remote a name.')
    expect(document.activeElement).toBe(input('Name'))
    expect(api.calls.some((c) => c.channel === 'remote:save')).toBe(false)
  })

  it('never shows a stored secret: "set — leave empty to keep" sends { keep: true }; typing replaces it', async () => {
    const api = new MemoryApi({ remotes: [s3Remote] })
    await renderWith(api, <RemoteEditor remoteId="photos" providerDefaults={defaults} />)
    const secret = input('Secret access key')
    expect(secret.value).toBe('')
    expect(secret.type).toBe('password')
    expect(secret.placeholder).toBe('set — leave empty to keep')
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await act(async () => {})
    expect(api.lastPayload('remote:save')).toEqual({
      id: 'photos',
      name: 'Photos',
      remote: { type: 's3', provider: 'Minio', endpoint: 'http://127.0.0.1:9000', accessKeyId: 'AK', secretAccessKey: { keep: true } },
    })
  })

  it('a typed secret is sent as typed', async () => {
    const api = new MemoryApi({ remotes: [s3Remote] })
    await renderWith(api, <RemoteEditor remoteId="photos" providerDefaults={defaults} />)
    type('Secret access key', 'n3w-s3cret')
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await act(async () => {})
    expect(api.lastPayload('remote:save')?.remote).toMatchObject({ secretAccessKey: 'n3w-s3cret' })
  })

  it('Test connection needs a valid remote, not a name', async () => {
    const api = new MemoryApi()
    await renderWith(api, <RemoteEditor remoteId={null} type="s3" providerDefaults={defaults} />)
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }))
    await act(async () => {})
    expect(api.calls.some((c) => c.channel === 'remote:test')).toBe(false)
    expect(errorOf('Access key ID')).toBe('Enter an access key ID and secret access key, or turn on credentials from the environment.')
    type('Access key ID', 'AK')
    type('Secret access key', 'SK')
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }))
    await act(async () => {})
    expect(api.lastPayload('remote:test')).toEqual({
      remotePath: '',
      remote: { type: 's3', provider: 'AWS', accessKeyId: 'AK', secretAccessKey: 'SK' },
    })
  })

  it('Test connection shows a spinner, then the time, or the error code and its sentence', async () => {
    const api = new MemoryApi({ remotes: [s3Remote] })
    let answer: (result: TestConnectionResult) => void = () => {}
    api.handle('remote:test', () => new Promise<TestConnectionResult>((resolve) => (answer = resolve)))
    await renderWith(api, <RemoteEditor remoteId="photos" providerDefaults={defaults} />)
    type('Bucket to check (optional)', 'bucket')
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }))
    await act(async () => {})
    const status = screen.getByText('Testing the connection…')
    expect(status.closest('[role="status"]')).toBeTruthy()
    expect((screen.getByRole('button', { name: 'Test connection' }) as HTMLButtonElement).disabled).toBe(true)
    expect(api.lastPayload('remote:test')).toEqual({
      id: 'photos',
      remotePath: 'bucket',
      remote: { type: 's3', provider: 'Minio', endpoint: 'http://127.0.0.1:9000', accessKeyId: 'AK', secretAccessKey: { keep: true } },
    })
    await act(async () => answer({ ok: true, ms: 87 }))
    expect(screen.getByText('Connected in 87 ms.')).toBeTruthy()

    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }))
    await act(async () => {})
    await act(async () => answer({ ok: false, ms: 40, error: { code: 'AUTH_FAILED', message: 'The server refused the access key.' } }))
    expect(screen.getByText('AUTH_FAILED')).toBeTruthy()
    expect(screen.getByText(/The server refused the access key\./)).toBeTruthy()
  })
})

describe('RemoteEditor: SSH', () => {
  it('says "Ports go from 1 to 65535." for port 70000, and more in plain words', async () => {
    await renderWith(new MemoryApi(), <RemoteEditor remoteId={null} type="sftp" />)
    type('Port', '70000')
    leave('Port')
    expect(errorOf('Port')).toBe('Ports go from 1 to 65535.')
    type('Port', 'ssh')
    expect(errorOf('Port')).toBe('Enter a port number.')
    type('Port', '2222')
    expect(errorOf('Port')).toBeUndefined()
    type('Host', 'me@nas.lan')
    leave('Host')
    expect(errorOf('Host')).toBe('Enter a host name or IP address, without user or path.')
    type('Host key fingerprint', 'MD5:aa')
    leave('Host key fingerprint')
    expect(errorOf('Host key fingerprint')).toBe('A fingerprint looks like SHA256: followed by 43 characters.')
  })

  it('shows the fields of the chosen sign-in and host-key methods; Browse fills the key file', async () => {
    const api = new MemoryApi()
    api.handle('dialog:pick-file', () => '/home/me/.ssh/id_ed25519')
    await renderWith(api, <RemoteEditor remoteId={null} type="sftp" />)
    fireEvent.click(screen.getByRole('button', { name: 'Browse…' }))
    await act(async () => {})
    expect(input('Key file').value).toBe('/home/me/.ssh/id_ed25519')
    fireEvent.click(screen.getByLabelText('A password'))
    expect(screen.queryByLabelText('Key file')).toBeNull()
    expect(input('Password').type).toBe('password')
    fireEvent.click(screen.getByLabelText('A known_hosts file'))
    expect(screen.queryByLabelText('Host key fingerprint')).toBeNull()
    expect(input('known_hosts file')).toBeTruthy()
    fireEvent.click(screen.getByLabelText('Trust it at the first connection'))
    expect(screen.getByText(/keeps the key the server shows at the first successful connection/)).toBeTruthy()
  })

  it('keeps a stored password when the field is left empty', async () => {
    const api = new MemoryApi({ remotes: [sshRemote] })
    await renderWith(api, <RemoteEditor remoteId="nas" />)
    const group = screen.getByRole('group', { name: 'Sign in with' })
    expect((within(group).getByLabelText('A password') as HTMLInputElement).checked).toBe(true)
    expect(input('Password').placeholder).toBe('set — leave empty to keep')
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await act(async () => {})
    expect(api.lastPayload('remote:save')?.remote).toEqual({
      type: 'sftp',
      host: 'nas.lan',
      port: 22,
      user: 'me',
      password: { keep: true },
      hostKeyFingerprint: 'SHA256:' + 'a'.repeat(43),
    })
  })
})

describe('RemoteEditor: SSH host keys', () => {
  const fingerprint = `SHA256:${'b'.repeat(43)}`

  it('host:port typed in Host fills Port when the field is left; an IPv6 address stays whole', async () => {
    await renderWith(new MemoryApi(), <RemoteEditor remoteId={null} type="sftp" />)
    type('Host', 'nas.lan:2222')
    expect(input('Port').value).toBe('22')
    leave('Host')
    expect(input('Host').value).toBe('nas.lan')
    expect(input('Port').value).toBe('2222')
    type('Host', 'fe80::1')
    leave('Host')
    expect(input('Host').value).toBe('fe80::1')
  })

  it('Trust this key puts the key Test connection saw into the form; the ssh-keygen -lf line is accepted as pasted', async () => {
    const api = new MemoryApi()
    api.handle('remote:test', () => ({ ok: true, ms: 5, hostKey: { fingerprint, pinned: false } }))
    await renderWith(api, <RemoteEditor remoteId={null} type="sftp" />)
    type('Name', 'Box')
    type('Host', 'box.lan')
    type('User', 'me')
    fireEvent.click(screen.getByLabelText('The SSH agent'))
    fireEvent.click(screen.getByLabelText('Trust it at the first connection'))
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }))
    await act(async () => {})
    fireEvent.click(screen.getByRole('button', { name: 'Trust this key' }))
    expect((screen.getByLabelText('Its fingerprint') as HTMLInputElement).checked).toBe(true)
    expect(input('Host key fingerprint').value).toBe(fingerprint)
    type('Host key fingerprint', `256 ${fingerprint} root@box (ED25519)`)
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await act(async () => {})
    expect(api.lastPayload('remote:save')?.remote).toMatchObject({ host: 'box.lan', hostKeyFingerprint: fingerprint })
  })
})
