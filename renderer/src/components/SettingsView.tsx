/** Settings: start at login, rclone, the system check with its fixes, theme, import and export, and how secrets are kept. */
import { useEffect, useState } from 'react'
import type { ErrorInfo } from '../../../shared/errors.js'
import type { Settings, SystemCheckView } from '../../../shared/ipc.js'
import { useFocusHeading } from '../use-focus-heading.js'
import { useActions, useApp } from '../use-app.js'
import { ConfigTransfer } from './ConfigTransfer.js'
import { CheckboxField, RadioGroup, SelectField } from './Field.js'
import { RcloneChooser } from './RcloneChooser.js'

const themeOptions: Array<{ value: Settings['theme']; label: string }> = [
  { value: 'system', label: 'Follow the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
]

type Check = { status: 'checking' } | { status: 'done'; report: SystemCheckView } | { status: 'failed'; error: ErrorInfo }

export function SettingsView() {
  const settings = useApp((s) => s.settings)
  const secretStorage = useApp((s) => s.secretStorage)
  const actions = useActions()
  const heading = useFocusHeading()
  const [check, setCheck] = useState<Check>({ status: 'checking' })

  async function runCheck() {
    setCheck({ status: 'checking' })
    const result = await actions.call('system:check', undefined)
    setCheck(result.ok ? { status: 'done', report: result.value } : { status: 'failed', error: result.error })
  }

  // Once, when the view opens.
  useEffect(() => void runCheck(), [])

  return (
    <section className="view" aria-labelledby="settings-title">
      <header className="view-head">
        <h1 id="settings-title" tabIndex={-1} ref={heading}>
          Settings
        </h1>
      </header>
      <div className="form settings">
        <CheckboxField
          label="Start RMount when I log in"
          name="startOnLogin"
          checked={settings.startOnLogin}
          onChange={(startOnLogin) => void actions.setSettings({ startOnLogin })}
          hint="Mounts marked “Mount when RMount starts” come back after you log in."
        />
        <CheckboxField
          label="Show mounted folders in the file manager's sidebar"
          name="fileManagerBookmarks"
          checked={settings.fileManagerBookmarks}
          onChange={(fileManagerBookmarks) => void actions.setSettings({ fileManagerBookmarks })}
          hint="Nautilus, Nemo, Thunar and Caja list each mounted folder under the mount's name while it is mounted."
        />
        <SelectField
          label="Theme"
          name="theme"
          value={settings.theme}
          options={themeOptions}
          onChange={(theme) => void actions.setSettings({ theme })}
        />

        <h2>rclone</h2>
        <RcloneChooser
          onChanged={() => void runCheck()}
          found={
            check.status === 'done' && check.report.rclone
              ? `Found rclone ${check.report.rclone.version} at ${check.report.rclone.path}.`
              : check.status === 'checking'
                ? 'Looking for rclone…'
                : 'rclone was not found.'
          }
        />

        <h2>System check</h2>
        <div role="status" aria-live="polite">
          {check.status === 'checking' ? (
            <p>
              <span className="spinner" aria-hidden="true" /> Checking…
            </p>
          ) : check.status === 'failed' ? (
            <p className="form-error">
              <code>{check.error.code}</code> {check.error.message}
            </p>
          ) : (
            <ul className="check-list">
              {check.report.items.map((item) => (
                <li key={item.name} className={item.ok ? 'check-ok' : 'check-bad'}>
                  <span className="check-mark" aria-hidden="true">
                    {item.ok ? '✓' : '✗'}
                  </span>
                  <span className="check-name">
                    {item.name}: {item.ok ? 'OK' : 'needs attention'}
                  </span>
                  <span className="check-detail">{item.detail}</span>
                  {!item.ok && item.fix ? <span className="check-fix">Fix: {item.fix}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="toolbar">
          <button type="button" disabled={check.status === 'checking'} onClick={() => void runCheck()}>
            Check again
          </button>
        </div>

        <h2>Import and export</h2>
        <ConfigTransfer />

        <h2>Secrets</h2>
        {secretStorage.encrypted ? (
          <p>Passwords and keys are encrypted with your system keyring ({secretStorage.backend}).</p>
        ) : (
          <>
            <p className="warning">
              No system keyring was found ({secretStorage.backend || 'none'}). Passwords and keys could only be stored unencrypted: anyone
              who can read your files could read them.
            </p>
            <RadioGroup
              label="Without a keyring"
              name="allowPlaintextSecrets"
              value={settings.allowPlaintextSecrets ? 'allow' : 'refuse'}
              options={[
                { value: 'refuse', label: 'Do not store secrets (use environment variables, or set up a keyring)' },
                { value: 'allow', label: 'Store secrets unencrypted on this computer' },
              ]}
              onChange={(choice) => void actions.setSettings({ allowPlaintextSecrets: choice === 'allow' })}
            />
          </>
        )}
      </div>
    </section>
  )
}
