/** Labelled form controls: every input has a <label for>, its hint and error are tied to it for screen readers. */
import { useId, type ReactNode } from 'react'

interface Common {
  label: string
  hint?: ReactNode
  /** Shown under the field and announced with it. */
  error?: string
  /** Controls beside the input, e.g. a Browse button. */
  after?: ReactNode
}

function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined
}

function Notes({ id, hint, error }: { id: string; hint?: ReactNode; error?: string }) {
  return (
    <>
      {hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </>
  )
}

export function TextField(
  props: Common & {
    value: string
    onChange(value: string): void
    onBlur?(): void
    type?: 'text' | 'password' | 'url'
    placeholder?: string
    inputMode?: 'numeric' | 'text' | 'url'
    autoComplete?: string
    name?: string
    readOnly?: boolean
  },
) {
  const id = useId()
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <div className="field-row">
        <input
          id={id}
          name={props.name}
          type={props.type ?? 'text'}
          value={props.value}
          placeholder={props.placeholder}
          inputMode={props.inputMode}
          autoComplete={props.autoComplete ?? 'off'}
          spellCheck={false}
          readOnly={props.readOnly}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={describedBy(id, props.hint, props.error)}
          onChange={(event) => props.onChange(event.target.value)}
          onBlur={props.onBlur}
        />
        {props.after}
      </div>
      <Notes id={id} hint={props.hint} error={props.error} />
    </div>
  )
}

export function CheckboxField(props: Common & { checked: boolean; onChange(checked: boolean): void; name?: string }) {
  const id = useId()
  return (
    <div className="field field-check">
      <input
        id={id}
        name={props.name}
        type="checkbox"
        checked={props.checked}
        aria-describedby={describedBy(id, props.hint, props.error)}
        onChange={(event) => props.onChange(event.target.checked)}
      />
      <label htmlFor={id}>{props.label}</label>
      <Notes id={id} hint={props.hint} error={props.error} />
    </div>
  )
}

export function SelectField<T extends string>(
  props: Common & { value: T; options: ReadonlyArray<{ value: T; label: string }>; onChange(value: T): void; name?: string },
) {
  const id = useId()
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <div className="field-row">
        <select
          id={id}
          name={props.name}
          value={props.value}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={describedBy(id, props.hint, props.error)}
          onChange={(event) => props.onChange(event.target.value as T)}
        >
          {props.options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
        {props.after}
      </div>
      <Notes id={id} hint={props.hint} error={props.error} />
    </div>
  )
}

/** A set of radio buttons in a <fieldset> whose <legend> names the choice. */
export function RadioGroup<T extends string>(
  props: Common & { value: T; options: ReadonlyArray<{ value: T; label: string }>; onChange(value: T): void; name: string },
) {
  const id = useId()
  return (
    <fieldset className="field radio-group" aria-describedby={describedBy(id, props.hint, props.error)}>
      <legend>{props.label}</legend>
      {props.options.map((option) => (
        <span key={option.value} className="radio">
          <input
            id={`${id}-${option.value}`}
            type="radio"
            name={props.name}
            value={option.value}
            checked={props.value === option.value}
            onChange={() => props.onChange(option.value)}
          />
          <label htmlFor={`${id}-${option.value}`}>{option.label}</label>
        </span>
      ))}
      <Notes id={id} hint={props.hint} error={props.error} />
    </fieldset>
  )
}
