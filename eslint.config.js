import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'vendor/bin/**', 'test/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Import boundaries. A file gets one `no-restricted-imports` setting (a later block replaces an earlier one), so each
  // block below lists every restriction that holds for its folders.
  ...importBoundaries(),
)

/** The layers' import rules: who may import electron, who must go through the engine's index, and what shared/ and renderer/ may reach. */
function importBoundaries() {
  const electron = { name: 'electron', message: 'Only electron/main shell files may import electron.' }
  const engineDoor = {
    regex: String.raw`(^|/)engine/(?!index\.js$)`,
    message: 'Outside the engine, import it only through electron/engine/index.ts (add the export there).',
  }
  const rule = (paths, patterns) => ({ 'no-restricted-imports': ['error', { paths, patterns }] })
  return [
    {
      // Only the desktop shell may import electron: everything else must run under plain Node.
      files: ['electron/engine/**', 'shared/**', 'test/**', 'bench/**', 'renderer/**'],
      rules: rule([electron], []),
    },
    {
      // The app, the CLI, the bench and the other layers' tests see the engine as a library.
      files: ['electron/app/**', 'electron/cli/**', 'bench/**', 'test/app/**', 'test/cli/**', 'test/shell/**', 'test/renderer/**'],
      rules: rule([electron], [engineDoor]),
    },
    {
      files: ['electron/main/**', 'electron/preload/**'],
      rules: rule([], [engineDoor]),
    },
    {
      files: ['electron/engine/**'],
      rules: rule(
        [electron],
        [{ regex: String.raw`(^|/)(app|main)/`, message: 'The engine is a library: it imports neither electron/app nor electron/main.' }],
      ),
    },
    {
      // shared/ runs in the window too: plain TypeScript and zod only.
      files: ['shared/**'],
      rules: rule(
        [electron],
        [
          { regex: '^node:', message: 'shared/ runs in the window: no Node modules.' },
          { regex: String.raw`(^|/)renderer/`, message: 'shared/ imports nothing from renderer/.' },
        ],
      ),
    },
    {
      // The window reaches the rest only through the preload bridge: shared/ and packages, nothing else.
      files: ['renderer/src/**'],
      rules: rule(
        [electron],
        [
          { regex: '^node:', message: 'The window imports no Node modules.' },
          { regex: String.raw`(^|/)(electron|bench|test)/`, message: 'renderer/ imports only shared/ and packages.' },
        ],
      ),
    },
  ]
}
