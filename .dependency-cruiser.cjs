/**
 * The layers of the house and which way the arrows go (docs/architecture.md).
 * Checked by `npm run lint:deps` and by test/architecture/boundaries.test.ts.
 *
 *   model  <-  plan  <-  policy  <-  stacks  <-  cli  <-  main.ts
 *     ^          ^                    |   ^
 *     |          +---- constructs <---+   |
 *     +---- inventory, gate, review <-----+ (cli only)
 *   drift <- cli (drift reads model, plan and gate: it compares the plan with Datadog)
 *   model, plan  <-  import  <-  cli   (`rollout import`: Datadog JSON -> team files)
 *
 * Paths are relative to the repository root.
 */
const ALL = ['model', 'plan', 'policy', 'constructs', 'stacks', 'inventory', 'gate', 'review', 'drift', 'import', 'cli', 'scripts', 'test'];
/** What each layer may import of ours (besides itself). */
const ALLOWED = {
  model: [],
  plan: ['model'],
  policy: ['model', 'plan'],
  constructs: ['model', 'plan'],
  stacks: ['model', 'plan', 'policy', 'constructs'],
  inventory: ['model'],
  gate: ['model'],
  review: ['model'],
  drift: ['model', 'plan', 'gate'],
  import: ['model', 'plan'],
  cli: ['model', 'plan', 'policy', 'constructs', 'stacks', 'inventory', 'gate', 'review', 'drift', 'import'],
};
const CDKTF = '(^|/)node_modules/(cdktf|constructs|@cdktf)/';
const PURE = ['model', 'plan', 'policy', 'inventory', 'gate', 'review', 'drift', 'import'];

const layerRules = Object.entries(ALLOWED).map(([layer, allowed]) => ({
  name: `layer-${layer}`,
  comment: `${layer}/ may import only ${allowed.length ? allowed.join(', ') : 'itself'} (arrows point down; see docs/architecture.md)`,
  severity: 'error',
  from: { path: `^${layer}/` },
  to: { path: `^(${ALL.filter((l) => l !== layer && !allowed.includes(l)).join('|')})/|^main\\.ts$` },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'pure-layers-without-cdktf',
      comment: 'model, plan, policy, inventory, gate, review and drift are plain functions: no cdktf, constructs or provider bindings',
      severity: 'error',
      from: { path: `^(${PURE.join('|')})/` },
      to: { path: CDKTF },
    },
    {
      name: 'provider-deep-imports-only',
      comment: 'import provider classes by deep path (@cdktf/provider-aws/lib/s3-bucket): the package root costs 14 s and 1.5 GB per test run',
      severity: 'error',
      from: {},
      to: { path: '(^|/)node_modules/@cdktf/provider-[a-z]+/lib/index\\.js$' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-orphans',
      comment: 'every source module is imported by something (dead modules are removed)',
      severity: 'error',
      from: { orphan: true, pathNot: ['^main\\.ts$', '^jest\\.config\\.js$', '^bin/', '^scripts/', '^test/', '\\.d\\.ts$', '(^|/)\\.[^/]+\\.(c?js|json)$'] },
      to: {},
    },
  ],
  required: [
    {
      name: 'constructs-use-cdktf',
      comment:
        'constructs/ holds only cdktf mapping: every module there uses cdktf (props validators are the construct-time checks aws-cdk-lib keeps beside them)',
      severity: 'error',
      module: { path: '^constructs/', pathNot: ['/validate-[a-z-]+-props\\.ts$', '^constructs/core/props-validation\\.ts$'] },
      to: { path: CDKTF },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|cdktf\\.out)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
    moduleSystems: ['cjs', 'es6'],
  },
};
