/**
 * Adding or changing a remote: an S3 form whose fields follow the provider, or an SSH form.
 * Rules come from the shared schemas; secrets are write-only; Test connection runs the mount's
 * own preflight in the main process.
 */
import { useState, type FormEvent } from 'react'
import { s3Providers } from '../../../shared/config.js'
import type { ErrorInfo } from '../../../shared/errors.js'
import type { TestConnectionResult } from '../../../shared/ipc.js'
import {
  newRemoteForm,
  remoteErrors,
  remoteFormFrom,
  saveRequest,
  shows,
  withHost,
  withProvider,
  type HostKeyCheck,
  type RemoteForm,
  type SecretField,
  type SshAuth,
} from '../remote-form.js'
import { providerDefaults as appProviderDefaults, providerInfo, type ProviderDefaults } from '../s3-providers.js'
import { useEditorGuard } from '../use-editor-guard.js'
import { useFocusHeading } from '../use-focus-heading.js'
import { useActions, useApp } from '../use-app.js'
import { CheckboxField, RadioGroup, SelectField, TextField } from './Field.js'
import { FormActions } from './FormActions.js'
import { HostKeyTrust } from './HostKeyTrust.js'

type TestState = { status: 'idle' } | { status: 'testing' } | { status: 'done'; result: TestConnectionResult }

const providerOptions = s3Providers.map((p) => ({ value: p, label: providerInfo[p].label }))
const authOptions: Array<{ value: SshAuth; label: string }> = [
  { value: 'key', label: 'A key file' },
  { value: 'password', label: 'A password' },
  { value: 'agent', label: 'The SSH agent' },
]
const hostKeyOptions: Array<{ value: HostKeyCheck; label: string }> = [
  { value: 'fingerprint', label: 'Its fingerprint' },
  { value: 'known-hosts', label: 'A known_hosts file' },
  { value: 'none', label: 'Trust it at the first connection' },
]

export function RemoteEditor(props: { remoteId: string | null; type?: 's3' | 'sftp'; providerDefaults?: ProviderDefaults }) {
  const defaults = props.providerDefaults ?? appProviderDefaults
  const stored = useApp((s) => s.remotes.find((r) => r.id === props.remoteId))
  const actions = useActions()
  const heading = useFocusHeading()
  const [form, setForm] = useState<RemoteForm>(() =>
    stored ? remoteFormFrom(stored, defaults) : newRemoteForm(props.type ?? 's3', defaults),
  )
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set())
  const [submitted, setSubmitted] = useState(false)
  const [saving, setSaving] = useState(false)
  const [saveError, setSaveError] = useState<ErrorInfo | null>(null)
  const [testPath, setTestPath] = useState('')
  const [test, setTest] = useState<TestState>({ status: 'idle' })
  const guard = useEditorGuard({ form, testPath })

  const errors = remoteErrors(form)
  const hasErrors = Object.keys(errors).length > 0
  const errorOf = (field: string) => (submitted || touched.has(field) ? errors[field] : undefined)
  const touch = (field: string) => () => setTouched((t) => (t.has(field) ? t : new Set(t).add(field)))
  // Any change makes an earlier Test connection result stale.
  const change = (next: (form: RemoteForm) => RemoteForm) => {
    setForm(next)
    setTest({ status: 'idle' })
  }
  const update = (patch: Partial<RemoteForm>) => change((f) => ({ ...f, ...patch }))
  const setSecret = (field: SecretField, value: string) => change((f) => ({ ...f, secrets: { ...f.secrets, [field]: value } }))

  /** A text field bound to a form key, with its inline error after the person leaves it. */
  const text = (
    field:
      | 'name'
      | 'region'
      | 'endpoint'
      | 'accessKeyId'
      | 'acl'
      | 'host'
      | 'port'
      | 'user'
      | 'keyFile'
      | 'hostKeyFingerprint'
      | 'knownHostsFile',
  ) => ({
    value: form[field],
    onChange: (value: string) => update({ [field]: value }),
    onBlur: touch(field),
    error: errorOf(field),
    name: field,
  })

  const secretField = (field: SecretField, label: string) => (
    <TextField
      label={label}
      type="password"
      name={field}
      value={form.secrets[field]}
      placeholder={form.stored[field] ? 'set — leave empty to keep' : ''}
      hint={form.stored[field] ? 'A value is stored. Leave the field empty to keep it; type to replace it.' : undefined}
      autoComplete="new-password"
      onChange={(value) => setSecret(field, value)}
      onBlur={touch(field)}
      error={errorOf(field)}
    />
  )

  const pick = async (field: 'keyFile' | 'knownHostsFile', title: string) => {
    const result = await actions.call('dialog:pick-file', { title })
    if (result.ok && result.value) update({ [field]: result.value })
  }

  async function testConnection() {
    // The name does not matter to the connection: a remote can be tested before it is named.
    if (Object.keys(errors).some((field) => field !== 'name')) {
      setSubmitted(true)
      return
    }
    setTest({ status: 'testing' })
    const result = await actions.call('remote:test', {
      remote: saveRequest(form).remote,
      ...(form.id ? { id: form.id } : {}),
      remotePath: testPath.trim(),
    })
    setTest({ status: 'done', result: result.ok ? result.value : { ok: false, ms: 0, error: result.error } })
  }

  async function save(event: FormEvent) {
    event.preventDefault()
    setSubmitted(true)
    if (hasErrors) {
      // Take the person to the first field that needs them.
      requestAnimationFrame(() => document.querySelector<HTMLElement>('.remote-editor [aria-invalid="true"]')?.focus())
      return
    }
    setSaving(true)
    setSaveError(null)
    const result = await actions.call('remote:save', saveRequest(form))
    setSaving(false)
    if (!result.ok) {
      setSaveError(result.error)
      return
    }
    if (form.id) actions.back()
    else actions.remoteSaved(result.value.id, testPath.trim())
  }

  return (
    <section className="view" aria-labelledby="remote-editor-title" onKeyDown={guard.onKeyDown}>
      <header className="view-head">
        <h1 id="remote-editor-title" tabIndex={-1} ref={heading}>
          {form.id ? `Edit ${stored?.name ?? 'remote'}` : form.type === 's3' ? 'Add an S3 remote' : 'Add an SSH remote'}
        </h1>
      </header>
      <form className="form remote-editor" noValidate onSubmit={save}>
        {form.id ? null : (
          <RadioGroup
            label="Kind"
            name="type"
            value={form.type}
            options={[
              { value: 's3', label: 'S3 or compatible' },
              { value: 'sftp', label: 'SSH (SFTP)' },
            ]}
            onChange={(type) => update({ type })}
          />
        )}
        <TextField label="Name" {...text('name')} placeholder={form.type === 's3' ? 'Photos on S3' : 'Home NAS'} />

        {form.type === 's3' ? (
          <>
            <SelectField
              label="Provider"
              name="provider"
              value={form.provider}
              options={providerOptions}
              onChange={(provider) => change((f) => withProvider(f, provider, defaults))}
              hint={defaults[form.provider]?.pathStyle ? 'Requests use path-style addressing, as this provider needs.' : undefined}
            />
            {shows(form, 'endpoint') ? (
              <TextField
                label="Endpoint"
                type="url"
                inputMode="url"
                {...text('endpoint')}
                hint={providerInfo[form.provider].endpointHint}
              />
            ) : null}
            {shows(form, 'region') ? <TextField label="Region" {...text('region')} /> : null}
            {shows(form, 'envAuth') ? (
              <CheckboxField
                label="Use credentials from the environment (AWS variables, profile or instance role)"
                name="envAuth"
                checked={form.envAuth}
                onChange={(envAuth) => update({ envAuth })}
              />
            ) : null}
            {form.envAuth && shows(form, 'envAuth') ? null : (
              <>
                <TextField label="Access key ID" {...text('accessKeyId')} />
                {secretField('secretAccessKey', 'Secret access key')}
              </>
            )}
            {shows(form, 'acl') || shows(form, 'v2Auth') ? (
              <details className="advanced">
                <summary>Advanced</summary>
                {shows(form, 'acl') ? (
                  <TextField label="ACL for new objects" {...text('acl')} hint="Leave empty for the bucket’s default." />
                ) : null}
                {shows(form, 'v2Auth') ? (
                  <CheckboxField
                    label="Sign requests with AWS signature v2 (old servers)"
                    name="v2Auth"
                    checked={form.v2Auth}
                    onChange={(v2Auth) => update({ v2Auth })}
                  />
                ) : null}
              </details>
            ) : null}
          </>
        ) : (
          <>
            <div className="field-pair">
              <TextField
                label="Host"
                {...text('host')}
                // On leaving the field, not while typing: `nas.lan:2` must not split before the port is whole.
                onBlur={() => {
                  touch('host')()
                  change((f) => withHost(f, f.host))
                }}
                placeholder="nas.lan"
              />
              <TextField label="Port" inputMode="numeric" {...text('port')} />
            </div>
            <TextField label="User" {...text('user')} autoComplete="username" />
            <RadioGroup label="Sign in with" name="auth" value={form.auth} options={authOptions} onChange={(auth) => update({ auth })} />
            {form.auth === 'key' ? (
              <>
                <TextField
                  label="Key file"
                  {...text('keyFile')}
                  placeholder="/home/me/.ssh/id_ed25519"
                  after={
                    <button type="button" onClick={() => void pick('keyFile', 'Choose your private key')}>
                      Browse…
                    </button>
                  }
                />
                {secretField('keyPassphrase', 'Key passphrase (if the key has one)')}
              </>
            ) : form.auth === 'password' ? (
              secretField('password', 'Password')
            ) : (
              <p className="field-hint">RMount uses the agent running in your session (SSH_AUTH_SOCK).</p>
            )}
            <RadioGroup
              label="Check the server’s host key"
              name="hostKey"
              value={form.hostKey}
              options={hostKeyOptions}
              onChange={(hostKey) => update({ hostKey })}
            />
            {form.hostKey === 'fingerprint' ? (
              <TextField
                label="Host key fingerprint"
                {...text('hostKeyFingerprint')}
                placeholder="SHA256:…"
                hint="On the server: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub"
              />
            ) : form.hostKey === 'known-hosts' ? (
              <TextField
                label="known_hosts file"
                {...text('knownHostsFile')}
                placeholder="/home/me/.ssh/known_hosts"
                after={
                  <button type="button" onClick={() => void pick('knownHostsFile', 'Choose a known_hosts file')}>
                    Browse…
                  </button>
                }
              />
            ) : (
              <p className="warning">
                RMount keeps the key the server shows at the first successful connection; after that, a server with another key is refused.
                Until then, an impostor at this address would be trusted: use Test connection and Trust this key to check it first.
              </p>
            )}
          </>
        )}

        <fieldset className="test-connection">
          <legend>Test connection</legend>
          <TextField
            label={form.type === 's3' ? 'Bucket to check (optional)' : 'Folder to check (optional)'}
            name="testPath"
            value={testPath}
            onChange={setTestPath}
          />
          <div className="toolbar">
            <button type="button" onClick={() => void testConnection()} disabled={test.status === 'testing'}>
              Test connection
            </button>
            <span className="test-result" role="status" aria-live="polite">
              {test.status === 'testing' ? (
                <>
                  <span className="spinner" aria-hidden="true" /> Testing the connection…
                </>
              ) : test.status === 'done' ? (
                test.result.ok ? (
                  <span className="ok">Connected in {test.result.ms} ms.</span>
                ) : (
                  <span className="bad">
                    <code>{test.result.error?.code}</code> {test.result.error?.message}
                  </span>
                )
              ) : submitted && hasErrors ? (
                'Fix the fields marked above first.'
              ) : null}
            </span>
          </div>
          {test.status === 'done' && test.result.hostKey ? (
            <HostKeyTrust
              hostKey={test.result.hostKey}
              onTrust={(hostKeyFingerprint) => update({ hostKey: 'fingerprint', hostKeyFingerprint })}
            />
          ) : null}
        </fieldset>

        <FormActions saveError={saveError} saving={saving} onCancel={() => actions.back()} />
      </form>
    </section>
  )
}
