// dependency-cruiser: what may import what (docs/architecture.md, "Dependency rules").
// Infrastructure folders serve every feature and import none; a feature folder is any other folder of src/.
const INFRA = 'common|config|redis|database';
const FEATURE = `^src/(?!(?:${INFRA})/)[^/]+/`;
const FEATURE_FOLDER = `^src/(?!(?:${INFRA})$)[^/]+$`;

module.exports = {
  forbidden: [
    {
      name: 'no-feature-folder-cycle',
      severity: 'error',
      comment: 'Feature folders form a DAG: a cycle between two folders means a rule has no single owner.',
      scope: 'folder',
      from: { path: FEATURE_FOLDER },
      to: { path: FEATURE_FOLDER, circular: true },
    },
    {
      name: 'infrastructure-imports-no-feature',
      severity: 'error',
      comment: `${INFRA.split('|').join('/, ')}/ are below every feature: they must not import one (inject what they need instead).`,
      from: { path: `^src/(?:${INFRA})/` },
      to: { path: FEATURE },
    },
    {
      name: 'migrations-import-no-src',
      severity: 'error',
      comment: 'A migration is raw SQL frozen in time: importing src/ would change an applied migration when the code changes.',
      from: { path: '^migrations/' },
      to: { path: '^src/' },
    },
    {
      name: 'client-package-stands-alone',
      severity: 'error',
      comment: 'smart-limits-client ships with zero dependencies: its code imports only its own files and node: built-ins (never the service).',
      from: { path: '^packages/client/src/', pathNot: '\\.spec\\.ts$' },
      to: { pathNot: '^packages/client/src/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'no-foreign-repository-or-entity',
      severity: 'error',
      comment: "A feature reaches another feature's data through its service or a plain type, never its repository or TypeORM entity.",
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/.+\\.(?:repository|entity)\\.ts$', pathNot: '^src/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(?:dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.mjs', '.cjs'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
