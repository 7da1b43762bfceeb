/** What the S3 form shows for each provider: its name, the fields it needs, and hints. */
import { s3ProviderDefaults, type S3Provider } from '../../shared/config.js'

export interface ProviderDefault {
  region?: string
  endpoint?: string
  pathStyle?: boolean
}
export type ProviderDefaults = Partial<Record<S3Provider, ProviderDefault>>

/** The values each provider fills in: the same table the engine applies to fields left empty. */
export const providerDefaults: ProviderDefaults = s3ProviderDefaults

export type S3Field = 'region' | 'endpoint' | 'accessKeyId' | 'secretAccessKey' | 'envAuth' | 'acl' | 'v2Auth'

export interface ProviderInfo {
  label: string
  fields: readonly S3Field[]
  endpointHint?: string
}

const keys = ['accessKeyId', 'secretAccessKey'] as const

export const providerInfo: Record<S3Provider, ProviderInfo> = {
  AWS: { label: 'Amazon S3', fields: ['region', ...keys, 'envAuth', 'acl'] },
  GCS: { label: 'Google Cloud Storage', fields: ['endpoint', ...keys], endpointHint: 'Use an HMAC key of the bucket’s project.' },
  Minio: { label: 'MinIO', fields: ['endpoint', 'region', ...keys], endpointHint: 'For example http://nas.lan:9000.' },
  Cloudflare: {
    label: 'Cloudflare R2',
    fields: ['endpoint', 'region', ...keys],
    endpointHint: 'https://<account id>.r2.cloudflarestorage.com',
  },
  Wasabi: { label: 'Wasabi', fields: ['endpoint', 'region', ...keys] },
  DigitalOcean: {
    label: 'DigitalOcean Spaces',
    fields: ['endpoint', ...keys],
    endpointHint: 'For example https://ams3.digitaloceanspaces.com.',
  },
  Other: { label: 'Other S3-compatible', fields: ['endpoint', 'region', ...keys, 'acl', 'v2Auth'] },
}
