// Layering rules of the repository, checked by `npm run lint:deps` (and by test/layering, which
// also plants a violation of each rule to show it fails). Paths are from the repository root.
/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment:
        "Folders depend on each other one way: two folders that import each other are one concern split badly (the lab once imported the CLI's table while the CLI imported the lab).",
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-not-to-test-or-bench',
      comment: 'Shipped code never imports tests, benchmarks or the test kit.',
      severity: 'error',
      from: { path: '^packages/(headroom|cli)/src/' },
      to: { path: ['^packages/[^/]+/(test|bench)/', '^packages/testkit/', '^test/'] },
    },
    {
      name: 'test-not-to-bench',
      comment: 'Tests do not import benchmarks: what both need lives in the test kit or a test helper.',
      severity: 'error',
      from: { path: ['^packages/[^/]+/test/', '^test/'] },
      to: { path: '^packages/[^/]+/bench/' },
    },
    {
      name: 'library-not-to-cli',
      comment: 'The library knows nothing of the command that uses it.',
      severity: 'error',
      from: { path: '^packages/headroom/' },
      to: { path: '^packages/cli/' },
    },
    {
      name: 'cli-through-doors',
      comment: 'The command uses the library like any user: through its doors (headroom, headroom/<module>), never its files.',
      severity: 'error',
      from: { path: '^packages/cli/' },
      to: { path: '^packages/headroom/', pathNot: '^packages/headroom/src/(index|[a-z]+/index)\\.ts$' },
    },
    {
      name: 'modules-through-doors',
      comment: "A library module imports core and other modules' index.ts, never another module's files.",
      severity: 'error',
      from: { path: '^packages/headroom/src/([a-z]+)/' },
      to: {
        path: '^packages/headroom/src/(cache|partition|balance|latency|chaos|scale|sim)/',
        pathNot: ['^packages/headroom/src/$1/', '^packages/headroom/src/[a-z]+/index\\.ts$'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['(^|/)dist/', '(^|/)node_modules/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['headroom-source', 'import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
