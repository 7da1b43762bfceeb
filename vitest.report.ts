/**
 * JSON reports for .ci/run: when RMOUNT_TEST_REPORT_DIR is set, each vitest run (main and compatibility)
 * writes its own report there beside the default console output, so `npm test` needs no extra arguments.
 */
export function reportTo(file: string): { reporters?: string[]; outputFile?: { json: string } } {
  const dir = process.env.RMOUNT_TEST_REPORT_DIR
  return dir ? { reporters: ['default', 'json'], outputFile: { json: `${dir}/${file}` } } : {}
}
