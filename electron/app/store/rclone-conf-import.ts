/**
 * Importing the S3 and SFTP remotes of an existing rclone.conf. Only reads the text it is given: the file is
 * never written, and RMount never hands it to rclone (mounts run with `--config /dev/null`).
 */
import { homedir, userInfo } from 'node:os'
import { describeIssues, s3Providers, savedRemoteSchema, type S3Provider, type SavedRemote } from '../../../shared/config.js'
import { RmountError } from '../../../shared/errors.js'
import { reveal } from '../../engine/index.js'

/** One `[section]` of an rclone.conf, with its values as rclone reads them. */
export interface RcloneSection {
  name: string
  values: Map<string, string>
}

/**
 * Parses rclone.conf text the way rclone 1.60 does (checked against `rclone config dump`): lines trimmed,
 * `#` and `;` lines are comments, `key = value` or `key: value`, no inline comments, a value wrapped in
 * backticks or triple double quotes is taken literally, the last of repeated keys wins. Keys above the
 * first section belong to no remote and are left out. A line rclone would refuse is refused with its
 * number, never its text, which may hold a secret.
 */
export function parseRcloneConf(text: string): RcloneSection[] {
  const sections = new Map<string, RcloneSection>()
  let current: RcloneSection | undefined
  const fail = (lineNumber: number, why: string) =>
    new RmountError('INVALID_CONFIG', `Line ${lineNumber} of the rclone.conf cannot be read (${why}); rclone would refuse it too.`)
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((rawLine, index) => {
      const line = rawLine.trim()
      if (line === '' || line.startsWith('#') || line.startsWith(';')) return
      if (line.startsWith('[') && line.endsWith(']')) {
        const name = line.slice(1, -1).trim()
        if (!name) throw fail(index + 1, 'a section without a name')
        current = sections.get(name) ?? { name, values: new Map() }
        sections.set(name, current)
        return
      }
      const separator = line.search(/[=:]/)
      if (separator <= 0) throw fail(index + 1, 'no "key = value"')
      const key = line.slice(0, separator).trim()
      const right = line.slice(separator + 1).trim()
      let value = right
      const quote = right.length >= 2 && right.startsWith('`') ? '`' : right.length >= 6 && right.startsWith('"""') ? '"""' : null
      if (quote) {
        const end = right.lastIndexOf(quote)
        if (end < quote.length) throw fail(index + 1, 'a quoted value without its closing quote')
        value = right.slice(quote.length, end)
      }
      current?.values.set(key, value)
    })
  return [...sections.values()]
}

/** The remotes found in an rclone.conf, and one sentence for each section (or option) left out. */
export interface RcloneImport {
  /** Valid saved remotes with inline secrets, ready for `importConfig({ version: 1, remotes, mounts: [] }, ...)`. */
  remotes: SavedRemote[]
  skipped: string[]
}

/** Where a `~` in rclone paths points, and the user rclone logs in as when a section names none. */
export interface RcloneImportOptions {
  homeDir?: string
  userName?: string
}

/** The S3 and SFTP remotes of an rclone.conf as RMount remotes; other types and encrypted files are skipped with a reason. */
export function importRcloneConf(text: string, options: RcloneImportOptions = {}): RcloneImport {
  if (/^\s*RCLONE_ENCRYPT_V\d+:/m.test(text))
    return {
      remotes: [],
      skipped: [
        'The rclone.conf is encrypted with a password, and RMount does not read encrypted configs: decrypt it with ' +
          '`rclone config` (Set configuration password, then Remove it) or import a decrypted copy.',
      ],
    }
  const context = { homeDir: options.homeDir ?? homedir(), userName: options.userName ?? userInfo().username }
  const remotes: SavedRemote[] = []
  const skipped: string[] = []
  const ids = new Set<string>()
  for (const section of parseRcloneConf(text)) {
    const type = section.values.get('type')
    if (type !== 's3' && type !== 'sftp') {
      skipped.push(
        type
          ? `${section.name}: rclone type "${type}" is not supported (RMount mounts S3 and SFTP remotes).`
          : `${section.name}: it has no type.`,
      )
      continue
    }
    let converted: Converted
    try {
      converted = type === 's3' ? convertS3(section) : convertSftp(section, context)
    } catch (error) {
      skipped.push(`${section.name}: ${(error as Error).message}`)
      continue
    }
    const id = uniqueId(slug(section.name), ids)
    const parsed = savedRemoteSchema.safeParse({ id, name: section.name, remote: converted.remote })
    if (!parsed.success) {
      skipped.push(`${section.name}: ${describeIssues(parsed.error).replace(/\n/g, '; ')}`)
      continue
    }
    ids.add(id)
    remotes.push(parsed.data)
    if (converted.ignored.length)
      skipped.push(`${section.name}: imported without the rclone options ${converted.ignored.join(', ')} (RMount does not set them).`)
  }
  return { remotes, skipped }
}

interface Converted {
  remote: Record<string, unknown>
  ignored: string[]
}

/** Options rclone fills in by itself or that only matter when rclone creates buckets: leaving them out loses nothing. */
const harmless = new Set(['type', 'location_constraint', 'shell_type', 'md5sum_command', 'sha1sum_command'])

function collect(section: RcloneSection, known: readonly string[]) {
  const values = new Map([...section.values].filter(([, value]) => value !== ''))
  const ignored = [...values.keys()].filter((key) => !known.includes(key) && !harmless.has(key))
  return { get: (key: string) => values.get(key), ignored }
}

// rclone reads booleans with Go's strconv.ParseBool.
function parseBool(key: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false
  throw new Error(`${key} is "${value}", which is neither true nor false.`)
}

function convertS3(section: RcloneSection): Converted {
  const known = ['provider', 'region', 'endpoint', 'access_key_id', 'secret_access_key', 'env_auth', 'acl', 'v2_auth']
  const { get, ignored } = collect(section, known)
  const rawEndpoint = get('endpoint')
  // rclone takes an endpoint without a scheme as https.
  const endpoint = rawEndpoint && !/^[a-z]+:\/\//i.test(rawEndpoint) ? `https://${rawEndpoint}` : rawEndpoint
  const providerName = get('provider')
  const provider: S3Provider = providerName
    ? (s3Providers.find((p) => p.toLowerCase() === providerName.toLowerCase()) ?? 'Other')
    : endpoint
      ? 'Other'
      : 'AWS'
  // rclone's pseudo-region for servers that only speak signature v2.
  const v2Region = get('region') === 'other-v2-signature'
  return {
    remote: {
      type: 's3',
      provider,
      region: v2Region ? undefined : get('region'),
      endpoint,
      accessKeyId: get('access_key_id'),
      secretAccessKey: get('secret_access_key'),
      envAuth: parseBool('env_auth', get('env_auth')),
      acl: get('acl'),
      v2Auth: v2Region || parseBool('v2_auth', get('v2_auth')),
    },
    ignored,
  }
}

function convertSftp(section: RcloneSection, context: { homeDir: string; userName: string }): Converted {
  const known = ['host', 'port', 'user', 'key_file', 'key_file_pass', 'pass', 'key_use_agent', 'known_hosts_file']
  const { get, ignored } = collect(section, known)
  const expandHome = (path: string | undefined) => (path?.startsWith('~/') || path === '~' ? context.homeDir + path.slice(1) : path)
  const revealed = (key: string) => {
    const value = get(key)
    if (value === undefined) return undefined
    try {
      return reveal(value)
    } catch (error) {
      throw new Error(`its ${key} cannot be revealed (${(error as Error).message}).`, { cause: error })
    }
  }
  const port = get('port')
  const keyFile = expandHome(get('key_file'))
  const password = revealed('pass')
  const agent = parseBool('key_use_agent', get('key_use_agent'))
  return {
    remote: {
      type: 'sftp',
      host: get('host'),
      port: port === undefined ? undefined : /^\d+$/.test(port) ? Number(port) : port,
      user: get('user') ?? context.userName,
      keyFile,
      keyPassphrase: revealed('key_file_pass'),
      password,
      // With no key file, password or key, rclone falls back to the ssh-agent.
      agent: agent ?? (!keyFile && password === undefined && get('key_pem') === undefined ? true : undefined),
      knownHostsFile: expandHome(get('known_hosts_file')),
    },
    ignored,
  }
}

/** A remote id from an rclone section name: lower-case letters, digits and dashes. */
export function slug(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '')
  return base || 'remote'
}

function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base
  for (let n = 2; ; n++) {
    const suffix = `-${n}`
    const id = base.slice(0, 63 - suffix.length).replace(/-+$/, '') + suffix
    if (!taken.has(id)) return id
  }
}
