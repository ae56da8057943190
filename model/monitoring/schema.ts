/**
 * Schemas of the files under `monitors/`: team files (monitors, SLOs,
 * dashboards with per-stage overrides) and `monitors/policy.yaml` (required
 * tags, the generated rollout monitors). They own every default.
 */
import { z } from 'zod';
import { DATADOG_OBJECT_ID, DATADOG_ROLE_ID, HTTPS_LINK, NOTIFY_HANDLE, SLUG, TAG_KEY, TAG_VALUE } from '../patterns';
import { DEFAULT_APM_OPERATION, DEFAULT_FAILED_LOGIN_QUERY, DEFAULT_LATENCY_MODE, LATENCY_MODES } from '../signals';
import { ALLOWED_KEY, stringOf } from '../validate';
import { BURN_RATE_SEVERITIES, DEFAULT_BURN_RATE_TIERS, SLO_TIMEFRAMES } from './burn-rate';
import { DURATION, DURATION_EXPECTED, formatDuration } from './duration';
import { MONITOR_TYPES } from './query';

/** Name of the policy file inside `monitors/`. */
export const POLICY_FILE = 'policy.yaml';

const slug = stringOf(SLUG);
const duration = z
  .string()
  .regex(DURATION, { error: DURATION_EXPECTED })
  .meta({ [ALLOWED_KEY]: DURATION_EXPECTED });
const handle = stringOf(NOTIFY_HANDLE);
const https = stringOf(HTTPS_LINK);
const tagValue = stringOf(TAG_VALUE);
/** Tag key -> value; keys are checked in code so the message can name the key. */
const tags = z.record(z.string(), tagValue);
const roleId = stringOf(DATADOG_ROLE_ID);
const text = (max: number): z.ZodString => z.string().min(1).max(max);
const percent = z.number().gt(0).lt(100);
const priority = z.number().int().min(1).max(5);

/** Where notifications go; `noData` defaults to the alert handles. */
export const NotifySchema = z.strictObject({
  /** Handles notified inside `{{#is_alert}}` (and `{{#is_alert_recovery}}`). */
  alert: z.array(handle).default([]).describe('Handles notified when the monitor alerts (inside `{{#is_alert}}` and its recovery).'),
  /** Handles notified inside `{{#is_warning}}` (and `{{#is_warning_recovery}}`). */
  warning: z.array(handle).default([]).describe('Handles notified on a warning (inside `{{#is_warning}}` and its recovery).'),
  /** Handles notified inside `{{#is_no_data}}` when the monitor notifies on missing data (default: the alert handles). */
  noData: z.array(handle).optional().describe('Handles notified when data stops (inside `{{#is_no_data}}`); default: the alert handles.'),
});

const ThresholdsSchema = z.strictObject({
  critical: z
    .number()
    .optional()
    .describe('Alert threshold; metric, query and log monitors end their query with it. Anomaly monitors: the share of anomalous points (0-1).'),
  warning: z.number().optional().describe('Warning threshold, on the safe side of the critical one.'),
  criticalRecovery: z.number().optional().describe('Value at which an alert recovers.'),
  warningRecovery: z.number().optional().describe('Value at which a warning recovers.'),
  /** Service checks: consecutive OK results that recover. */
  ok: z.number().optional().describe('Service checks: consecutive OK results that recover.'),
  /** Service checks: consecutive UNKNOWN results that alert. */
  unknown: z.number().optional().describe('Service checks: consecutive UNKNOWN results that alert.'),
});

const SuppressionSchema = z.strictObject({
  /** Rule id, e.g. ROLLOUT-M003. */
  rule: z
    .string()
    .regex(/^ROLLOUT-M\d{3}$/, { error: 'a rule id such as ROLLOUT-M003' })
    .describe('Rule of the pack that does not apply here, such as ROLLOUT-M003 (monitors/RULES.md).'),
  /** Why the rule does not apply here (read in review; required). */
  reason: z
    .string()
    .refine((r) => r.trim().length >= 15, { error: 'a written reason (at least 15 characters) why the rule does not apply' })
    .describe('Why the rule does not apply (at least 15 characters; read in review).'),
});

/** Ids a definition had before (oldest first): a rename moves the Datadog object instead of re-creating it (Terraform `moved` blocks). */
const previousIds = z
  .array(slug)
  .min(1)
  .optional()
  .describe('Ids this definition had before, oldest first: a rename moves the Datadog object (Terraform `moved` blocks) instead of re-creating it.');
/** Datadog id of the existing object to adopt, per stage (Terraform `import` blocks; written by `rollout import`, removable once applied). */
const importIds = z
  .record(z.string(), stringOf(DATADOG_OBJECT_ID))
  .optional()
  .describe('Per stage, the Datadog id of the existing object to adopt (Terraform `import` blocks; written by `rollout import`, removable once applied).');

const MonitorStageSchema = z.strictObject({
  enabled: z.boolean().optional().describe('Whether the monitor exists in this stage.'),
  priority: priority.optional().describe('Priority in this stage (1 high to 5).'),
  /** Merged over the definition's thresholds; a new critical threshold is written into the query too. */
  thresholds: ThresholdsSchema.optional().describe("Merged over the definition's thresholds; a new critical threshold is written into the query too."),
  notify: NotifySchema.optional().describe('Routing in this stage.'),
  query: text(4000).optional().describe("Query in this stage, instead of the definition's."),
});

export const MonitorSchema = z.strictObject({
  /** Stable key, unique across monitors/ (Terraform address, composite and SLO references). */
  id: slug.describe('Stable key, unique across monitors/ (Terraform address, composite and SLO references).'),
  previousIds,
  importIds,
  /** Monitor name; the stage is prefixed (`[prod] ...`). */
  name: text(200).describe('Monitor name; the stage is prefixed (`[prod] ...`).'),
  type: z.enum(MONITOR_TYPES).describe('Monitor type: `metric`, `query`, `service-check`, `log`, `anomaly` or `composite`.'),
  /** Datadog monitor query; `${env}`, `${service}`, `${team}` are replaced per stage. */
  query: text(4000).describe(
    'Datadog monitor query of that type, ending in its critical threshold (not service checks and composites); `${env}`, `${service}`, `${team}` are replaced per stage; a composite combines monitor ids (`web-5xx && web-latency`).',
  ),
  /** Message body; routing blocks, runbook and owner lines are appended. */
  message: z.string().max(4000).default('').describe('Text before the generated runbook, owner and routing lines.'),
  runbook: https.optional().describe('Runbook link (https), printed in the message; required on paging monitors.'),
  team: slug.optional().describe("Owning team (default: the file's)."),
  service: slug.optional().describe("Service (default: the file's)."),
  priority: priority.optional().describe('Priority, 1 (high) to 5.'),
  thresholds: ThresholdsSchema.optional().describe('Thresholds; required except on composites.'),
  /** Anomaly monitors: windows that trigger and recover (trigger equals the query's alert_window). */
  thresholdWindows: z
    .strictObject({
      trigger: duration.describe('Window of anomalous points that triggers.'),
      recovery: duration.describe('Window of normal points that recovers.'),
    })
    .optional()
    .describe("Anomaly monitors: windows that trigger and recover (trigger equals the query's alert_window)."),
  noData: z
    .strictObject({
      /** Notify when data stops arriving. */
      notify: z.boolean().default(false).describe('Notify when data stops arriving.'),
      /** How long without data before notifying (default: Datadog's, 2x the query window recommended). */
      timeframe: duration.optional().describe("How long without data before notifying (default: Datadog's; 2x the query window recommended)."),
    })
    .prefault({})
    .describe('Notification on missing data.'),
  renotify: z
    .strictObject({
      interval: duration.describe('Time between re-notifications.'),
      statuses: z
        .array(z.enum(['alert', 'warn', 'no data']))
        .min(1)
        .default(['alert'])
        .describe('States that re-notify: `alert`, `warn`, `no data`.'),
      occurrences: z.number().int().min(1).max(100).optional().describe('Re-notifications at most (1-100).'),
      /** Extra text sent with each re-notification. */
      message: z.string().max(1000).optional().describe('Extra text sent with each re-notification.'),
    })
    .optional()
    .describe('Re-notification while the monitor stays in a state.'),
  evaluationDelay: duration.optional().describe("Delay before evaluating, for late metrics (default: Datadog's)."),
  newGroupDelay: duration.optional().describe("Time a new group is ignored after it appears (default: Datadog's)."),
  requireFullWindow: z
    .boolean()
    .optional()
    .describe("Evaluate only full windows (default: `false` for metric, query and anomaly monitors on `.as_count()` queries, else the provider's)."),
  tags: tags.default({}).describe("Extra `key: value` tags over the file's (`env`, `service`, `team`, `managed-by`, `rollout_*` come from fields)."),
  restrictedRoles: z.array(roleId).optional().describe("Datadog role ids allowed to edit the monitor (default: the file's)."),
  notify: NotifySchema.optional().describe("Routing (default: the file's)."),
  /** Make the monitor a signal of the go/no-go gate (`rollout_check:app-errors`): an application error monitor. */
  rolloutCheck: z.enum(['app-errors']).optional().describe('Make the monitor a signal of the go/no-go gate: `app-errors`.'),
  enabled: z.boolean().default(true).describe('Whether the monitor exists.'),
  stages: z.record(z.string(), MonitorStageSchema).default({}).describe('Overrides per stage name.'),
  suppress: z.array(SuppressionSchema).default([]).describe('Rules of the pack that do not apply, each with a reason.'),
});

const BurnRateTierSchema = z.strictObject({
  severity: z.enum(BURN_RATE_SEVERITIES).describe('`page` or `ticket`.'),
  burnRate: z.number().gt(0).max(10000).describe('Burn rate that alerts (error budget spent this many times faster than allowed).'),
  longWindow: duration.describe('Long window of the multi-window alert.'),
  shortWindow: duration.describe('Short window of the multi-window alert.'),
});

const SloTargetSchema = z.strictObject({
  timeframe: z.enum(SLO_TIMEFRAMES).describe('Timeframe: `7d`, `30d` or `90d`.'),
  /** Objective in percent, strictly between 0 and 100. */
  target: percent.describe('Objective in percent, strictly between 0 and 100.'),
  /** Warning level, above the target and below 100. */
  warning: percent.optional().describe('Warning level, above the target and below 100.'),
});

const SloStageSchema = z.strictObject({
  enabled: z.boolean().optional().describe('Whether the SLO exists in this stage.'),
  targets: z.array(SloTargetSchema).min(1).optional().describe("Targets in this stage, instead of the definition's."),
  notify: NotifySchema.optional().describe('Routing of its burn-rate alerts in this stage.'),
});

const DEFAULT_TIERS_YAML = DEFAULT_BURN_RATE_TIERS.map((t) => ({
  severity: t.severity,
  burnRate: t.burnRate,
  longWindow: formatDuration(t.longWindowMinutes),
  shortWindow: formatDuration(t.shortWindowMinutes),
}));

export const SloSchema = z.strictObject({
  id: slug.describe('Stable key, unique across monitors/.'),
  previousIds,
  importIds,
  name: text(200).describe('SLO name; the stage is prefixed.'),
  description: z.string().max(2000).optional().describe('Description shown in Datadog.'),
  type: z.enum(['metric', 'monitor', 'time-slice']).describe('`metric` (numerator / denominator), `monitor` (monitor ids) or `time-slice`.'),
  /** Metric SLOs: good events. */
  numerator: text(4000).optional().describe('Metric SLOs: query of good events.'),
  /** Metric SLOs: all events. */
  denominator: text(4000).optional().describe('Metric SLOs: query of all events.'),
  /** Monitor SLOs: ids of monitors in monitors/. */
  monitors: z.array(slug).min(1).optional().describe('Monitor SLOs: ids of monitors in monitors/.'),
  /** Time-slice SLOs: a slice is good when `query comparator threshold` holds. */
  timeSlice: z
    .strictObject({
      query: text(4000).describe('Metric query evaluated per slice.'),
      comparator: z.enum(['>', '>=', '<', '<=']).describe('`>`, `>=`, `<` or `<=`.'),
      threshold: z.number().describe('Threshold compared with the query.'),
      interval: z.enum(['1m', '5m']).default('5m').describe('Slice length: `1m` or `5m`.'),
    })
    .optional()
    .describe('Time-slice SLOs: a slice is good when `query comparator threshold` holds.'),
  targets: z.array(SloTargetSchema).min(1).describe('Targets per timeframe (at least one).'),
  /** Timeframe the burn-rate alerts and the SLO's primary target use (default: 30d when given, else the first). */
  primaryTimeframe: z
    .enum(SLO_TIMEFRAMES)
    .optional()
    .describe("The SLO's primary target and the burn-rate alerts' timeframe (default: 30d when given, else the first)."),
  burnRate: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Generate the burn-rate alerts.'),
      tiers: z
        .array(BurnRateTierSchema)
        .min(1)
        .max(6)
        .default(DEFAULT_TIERS_YAML)
        .describe('Alert tiers (default: page 14.4x 1h/5m, page 6x 6h/30m, ticket 1x 3d/6h).'),
    })
    .prefault({})
    .describe('Burn-rate alerts generated from the SLO.'),
  runbook: https.optional().describe('Runbook link (https) of the burn-rate alerts.'),
  team: slug.optional().describe("Owning team (default: the file's)."),
  service: slug.optional().describe("Service (default: the file's)."),
  /** Priority of the paging burn-rate alerts (ticket alerts get 3). */
  priority: priority.default(2).describe('Priority of the paging burn-rate alerts (ticket alerts get 3 or lower).'),
  tags: tags.default({}).describe("Extra tags over the file's."),
  notify: NotifySchema.optional().describe("Routing of the burn-rate alerts (default: the file's)."),
  enabled: z.boolean().default(true).describe('Whether the SLO exists.'),
  stages: z.record(z.string(), SloStageSchema).default({}).describe('Overrides per stage name.'),
  /** Suppressions apply to the generated burn-rate alerts. */
  suppress: z.array(SuppressionSchema).default([]).describe('Rules of the pack that do not apply to the burn-rate alerts, each with a reason.'),
});

export const DashboardSchema = z.strictObject({
  id: slug.describe('Stable key, unique across monitors/.'),
  previousIds,
  importIds,
  /** Dashboard JSON as exported from Datadog, relative to this file; server-set fields are stripped. */
  file: z
    .string()
    .regex(/^[A-Za-z0-9_./-]+\.json$/, { error: 'a relative path to a .json file' })
    .describe('Dashboard JSON as exported from Datadog, relative to this file; server-set fields are stripped.'),
  /** Title (default: the JSON's title); the stage is prefixed. */
  title: text(200).optional().describe("Title (default: the JSON's title); the stage is prefixed."),
  team: slug.optional().describe("Owning team (default: the file's)."),
  /**
   * Datadog role ids that may edit the dashboard (`restricted_roles`). An
   * exported `"is_read_only": true` (deprecated by Datadog) becomes these
   * roles, or the file's `restrictedRoles`.
   */
  restrictedRoles: z
    .array(roleId)
    .min(1)
    .optional()
    .describe("Datadog role ids that may edit the dashboard (an exported `is_read_only: true` becomes these, or the file's)."),
  enabled: z.boolean().default(true).describe('Whether the dashboard exists.'),
  stages: z
    .record(z.string(), z.strictObject({ enabled: z.boolean().optional().describe('Whether the dashboard exists in this stage.') }))
    .default({})
    .describe('Overrides per stage name.'),
});

const FileStageSchema = z.strictObject({
  /** Routing of every definition in the file in this stage (a definition's own stage override wins). */
  notify: NotifySchema.optional().describe("Routing of every definition in the file in this stage (a definition's own stage override wins)."),
  enabled: z.boolean().optional().describe('Whether the definitions of the file exist in this stage.'),
});

/** One team file: `monitors/<team>.yaml`. */
export const TeamFileSchema = z.strictObject({
  /** Owning team of every definition in the file (a definition may name its own). */
  team: slug.optional().describe('Owning team of every definition in the file (ROLLOUT-M002 wants one known to the stage files).'),
  /** Default service of the definitions. */
  service: slug.optional().describe('Default service of the definitions.'),
  notify: NotifySchema.prefault({}).describe('Default routing of the definitions.'),
  tags: tags.default({}).describe('Extra `key: value` tags of every definition.'),
  restrictedRoles: z.array(roleId).optional().describe("Datadog role ids allowed to edit the file's monitors."),
  stages: z.record(z.string(), FileStageSchema).default({}).describe('Routing and presence of every definition, per stage name.'),
  monitors: z.array(MonitorSchema).default([]).describe('Monitors.'),
  slos: z.array(SloSchema).default([]).describe('SLOs, each with generated burn-rate alerts.'),
  dashboards: z.array(DashboardSchema).default([]).describe('Dashboards (exported JSON).'),
});

const RolloutStageSchema = z.strictObject({
  enabled: z.boolean().optional(),
  priority: priority.optional(),
  notify: NotifySchema.optional(),
});

// eslint-disable-next-line @typescript-eslint/explicit-function-return-type
const warnCrit = (warning: number, critical: number) =>
  z.strictObject({ warning: z.number().gt(0), critical: z.number().gt(0) }).prefault({ warning, critical });

/** `monitors/policy.yaml`: organisation-wide rules and the generated rollout monitors. */
export const PolicyFileSchema = z.strictObject({
  /** Tag keys every monitor must carry besides env, service and team (ROLLOUT-M009). */
  requiredTags: z.array(stringOf(TAG_KEY)).default([]),
  /** Tags added to every monitor and SLO (a definition's own tags win). */
  tags: tags.default({}),
  /** What the organization set up in Datadog APM (read by the rule pack and the latency mode). */
  apm: z
    .strictObject({
      /**
       * The organization's APM second primary tag (APM > Settings, set by an
       * organization administrator), if any: the APM latency distributions
       * carry it, though they carry no host tags.
       */
      secondPrimaryTag: stringOf(TAG_KEY).optional(),
    })
    .prefault({}),
  rollout: z
    .strictObject({
      /** Generate the per-batch rollout monitors, the security signal and the rollout dashboard. */
      enabled: z.boolean().default(true),
      /** Owning team (default: the stage's owner). */
      team: slug.optional(),
      runbook: https.optional(),
      priority: priority.default(3),
      notify: NotifySchema.prefault({}),
      /** Tags of the generated monitors (over the policy's tags). */
      tags: tags.default({}),
      stages: z.record(z.string(), RolloutStageSchema).default({}),
      /** APM operation whose errors and latency are compared per batch. */
      apmOperation: z
        .string()
        .regex(/^[a-z0-9_.]+$/, { error: 'an APM operation name such as http.request' })
        .default(DEFAULT_APM_OPERATION),
      /**
       * How latency is compared per batch: `mean` (duration / hits, host-tagged, works anywhere) or a
       * percentile `p50`...`p99` (needs apm.secondPrimaryTag: rollout_batch); see LATENCY_MODES in model/signals.ts.
       */
      latency: z.enum(LATENCY_MODES).default(DEFAULT_LATENCY_MODE),
      /** Window of the per-batch error rate and latency comparisons. */
      comparisonWindow: duration.default('30m'),
      /** Window of the coverage and overhead monitors. */
      window: duration.default('15m'),
      /** Agent CPU, percent of one core, per host. */
      agentCpuPercent: warnCrit(10, 25),
      /** Agent resident memory, MiB, per host. */
      agentMemoryMb: warnCrit(400, 600),
      security: z
        .strictObject({
          enabled: z.boolean().default(true),
          /** Log search of failed logins (counted per batch by a log-based metric); the default matches what Datadog's sshd pipeline makes of the sshd logs the role collects. */
          logQuery: text(1000).default(DEFAULT_FAILED_LOGIN_QUERY),
          algorithm: z.enum(['basic', 'agile', 'robust']).default('basic'),
          deviations: z.number().gt(0).max(10).default(3),
          alertWindow: duration.default('15m'),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type TeamFile = z.output<typeof TeamFileSchema>;
export type MonitorSpec = z.output<typeof MonitorSchema>;
export type SloSpec = z.output<typeof SloSchema>;
export type DashboardSpec = z.output<typeof DashboardSchema>;
export type NotifySpec = z.output<typeof NotifySchema>;
export type PolicyFile = z.output<typeof PolicyFileSchema>;
