/**
 * Imported first by the entry, before any schema is built: zod compiles object parsers with
 * `new Function` when it may, and only probing for that is a reported violation of the window's
 * CSP (no 'unsafe-eval'). Without the JIT it parses the same, a little slower.
 */
import { z } from 'zod'

z.config({ jitless: true })
