/**
 * Schemas of the files under `monitors/`: team files (monitors, SLOs,
 * dashboards with per-stage overrides) and `monitors/policy.yaml` (required
 * tags, the generated rollout monitors). They own every default.
 */
import { z } from 'zod';
import { DATADOG_OBJECT_ID, DATADOG_ROLE_ID, HTTPS_LINK, NOTIFY_HANDLE, SLUG, TAG_KEY, TAG_VALUE } from '../patterns';
import { DEFAULT_APM_OPERATION, DEFAULT_FAILED_LOGIN_QUERY, DEFAULT_LATENCY_MODE, LATENCY_MODES } from '../signals';
import { stringOf } from '../validate';
import { BURN_RATE_SEVERITIES, DEFAULT_BURN_RATE_TIERS, SLO_TIMEFRAMES } from './burn-rate';
import { DURATION, DURATION_EXPECTED, formatDuration } from './duration';
import { MONITOR_TYPES } from './query';

/** Name of the policy file inside `monitors/`. */
export const POLICY_FILE = 'policy.yaml';

const slug = stringOf(SLUG);
const duration = z.string().regex(DURATION, { error: DURATION_EXPECTED });
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
  alert: z.array(handle).default([]),
  /** Handles notified inside `{{#is_warning}}` (and `{{#is_warning_recovery}}`). */
  warning: z.array(handle).default([]),
  /** Handles notified inside `{{#is_no_data}}` when the monitor notifies on missing data (default: the alert handles). */
  noData: z.array(handle).optional(),
});

const ThresholdsSchema = z.strictObject({
  critical: z.number().optional(),
  warning: z.number().optional(),
  criticalRecovery: z.number().optional(),
  warningRecovery: z.number().optional(),
  /** Service checks: consecutive OK results that recover. */
  ok: z.number().optional(),
  /** Service checks: consecutive UNKNOWN results that alert. */
  unknown: z.number().optional(),
});

const SuppressionSchema = z.strictObject({
  /** Rule id, e.g. ROLLOUT-M003. */
  rule: z.string().regex(/^ROLLOUT-M\d{3}$/, { error: 'a rule id such as ROLLOUT-M003' }),
  /** Why the rule does not apply here (read in review; required). */
  reason: z.string().refine((r) => r.trim().length >= 15, { error: 'a written reason (at least 15 characters) why the rule does not apply' }),
});

/** Ids a definition had before (oldest first): a rename moves the Datadog object instead of re-creating it (Terraform `moved` blocks). */
const previousIds = z.array(slug).min(1).optional();
/** Datadog id of the existing object to adopt, per stage (Terraform `import` blocks; written by `rollout import`, removable once applied). */
const importIds = z.record(z.string(), stringOf(DATADOG_OBJECT_ID)).optional();

const MonitorStageSchema = z.strictObject({
  enabled: z.boolean().optional(),
  priority: priority.optional(),
  /** Merged over the definition's thresholds; a new critical threshold is written into the query too. */
  thresholds: ThresholdsSchema.optional(),
  notify: NotifySchema.optional(),
  query: text(4000).optional(),
});

export const MonitorSchema = z.strictObject({
  /** Stable key, unique across monitors/ (Terraform address, composite and SLO references). */
  id: slug,
  previousIds,
  importIds,
  /** Monitor name; the stage is prefixed (`[prod] ...`). */
  name: text(200),
  type: z.enum(MONITOR_TYPES),
  /** Datadog monitor query; `${env}`, `${service}`, `${team}` are replaced per stage. */
  query: text(4000),
  /** Message body; routing blocks, runbook and owner lines are appended. */
  message: z.string().max(4000).default(''),
  runbook: https.optional(),
  team: slug.optional(),
  service: slug.optional(),
  priority: priority.optional(),
  thresholds: ThresholdsSchema.optional(),
  /** Anomaly monitors: windows that trigger and recover (trigger equals the query's alert_window). */
  thresholdWindows: z.strictObject({ trigger: duration, recovery: duration }).optional(),
  noData: z
    .strictObject({
      /** Notify when data stops arriving. */
      notify: z.boolean().default(false),
      /** How long without data before notifying (default: Datadog's, 2x the query window recommended). */
      timeframe: duration.optional(),
    })
    .prefault({}),
  renotify: z
    .strictObject({
      interval: duration,
      statuses: z
        .array(z.enum(['alert', 'warn', 'no data']))
        .min(1)
        .default(['alert']),
      occurrences: z.number().int().min(1).max(100).optional(),
      /** Extra text sent with each re-notification. */
      message: z.string().max(1000).optional(),
    })
    .optional(),
  evaluationDelay: duration.optional(),
  newGroupDelay: duration.optional(),
  requireFullWindow: z.boolean().optional(),
  tags: tags.default({}),
  restrictedRoles: z.array(roleId).optional(),
  notify: NotifySchema.optional(),
  /** Make the monitor a signal of the go/no-go gate (`rollout_check:app-errors`): an application error monitor. */
  rolloutCheck: z.enum(['app-errors']).optional(),
  enabled: z.boolean().default(true),
  stages: z.record(z.string(), MonitorStageSchema).default({}),
  suppress: z.array(SuppressionSchema).default([]),
});

const BurnRateTierSchema = z.strictObject({
  severity: z.enum(BURN_RATE_SEVERITIES),
  burnRate: z.number().gt(0).max(10000),
  longWindow: duration,
  shortWindow: duration,
});

const SloTargetSchema = z.strictObject({
  timeframe: z.enum(SLO_TIMEFRAMES),
  /** Objective in percent, strictly between 0 and 100. */
  target: percent,
  /** Warning level, above the target and below 100. */
  warning: percent.optional(),
});

const SloStageSchema = z.strictObject({
  enabled: z.boolean().optional(),
  targets: z.array(SloTargetSchema).min(1).optional(),
  notify: NotifySchema.optional(),
});

const DEFAULT_TIERS_YAML = DEFAULT_BURN_RATE_TIERS.map((t) => ({
  severity: t.severity,
  burnRate: t.burnRate,
  longWindow: formatDuration(t.longWindowMinutes),
  shortWindow: formatDuration(t.shortWindowMinutes),
}));

export const SloSchema = z.strictObject({
  id: slug,
  previousIds,
  importIds,
  name: text(200),
  description: z.string().max(2000).optional(),
  type: z.enum(['metric', 'monitor', 'time-slice']),
  /** Metric SLOs: good events. */
  numerator: text(4000).optional(),
  /** Metric SLOs: all events. */
  denominator: text(4000).optional(),
  /** Monitor SLOs: ids of monitors in monitors/. */
  monitors: z.array(slug).min(1).optional(),
  /** Time-slice SLOs: a slice is good when `query comparator threshold` holds. */
  timeSlice: z
    .strictObject({
      query: text(4000),
      comparator: z.enum(['>', '>=', '<', '<=']),
      threshold: z.number(),
      interval: z.enum(['1m', '5m']).default('5m'),
    })
    .optional(),
  targets: z.array(SloTargetSchema).min(1),
  /** Timeframe the burn-rate alerts and the SLO's primary target use (default: 30d when given, else the first). */
  primaryTimeframe: z.enum(SLO_TIMEFRAMES).optional(),
  burnRate: z
    .strictObject({
      enabled: z.boolean().default(true),
      tiers: z.array(BurnRateTierSchema).min(1).max(6).default(DEFAULT_TIERS_YAML),
    })
    .prefault({}),
  runbook: https.optional(),
  team: slug.optional(),
  service: slug.optional(),
  /** Priority of the paging burn-rate alerts (ticket alerts get 3). */
  priority: priority.default(2),
  tags: tags.default({}),
  notify: NotifySchema.optional(),
  enabled: z.boolean().default(true),
  stages: z.record(z.string(), SloStageSchema).default({}),
  /** Suppressions apply to the generated burn-rate alerts. */
  suppress: z.array(SuppressionSchema).default([]),
});

export const DashboardSchema = z.strictObject({
  id: slug,
  previousIds,
  importIds,
  /** Dashboard JSON as exported from Datadog, relative to this file; server-set fields are stripped. */
  file: z.string().regex(/^[A-Za-z0-9_./-]+\.json$/, { error: 'a relative path to a .json file' }),
  /** Title (default: the JSON's title); the stage is prefixed. */
  title: text(200).optional(),
  team: slug.optional(),
  /**
   * Datadog role ids that may edit the dashboard (`restricted_roles`). An
   * exported `"is_read_only": true` (deprecated by Datadog) becomes these
   * roles, or the file's `restrictedRoles`.
   */
  restrictedRoles: z.array(roleId).min(1).optional(),
  enabled: z.boolean().default(true),
  stages: z.record(z.string(), z.strictObject({ enabled: z.boolean().optional() })).default({}),
});

const FileStageSchema = z.strictObject({
  /** Routing of every definition in the file in this stage (a definition's own stage override wins). */
  notify: NotifySchema.optional(),
  enabled: z.boolean().optional(),
});

/** One team file: `monitors/<team>.yaml`. */
export const TeamFileSchema = z.strictObject({
  /** Owning team of every definition in the file (a definition may name its own). */
  team: slug.optional(),
  /** Default service of the definitions. */
  service: slug.optional(),
  notify: NotifySchema.prefault({}),
  tags: tags.default({}),
  restrictedRoles: z.array(roleId).optional(),
  stages: z.record(z.string(), FileStageSchema).default({}),
  monitors: z.array(MonitorSchema).default([]),
  slos: z.array(SloSchema).default([]),
  dashboards: z.array(DashboardSchema).default([]),
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
