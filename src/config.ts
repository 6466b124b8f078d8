// One zod schema for the whole configuration, with defaults. Rooms read their section only.
// Keys in the file are snake_case (TOML); a bad value stops the start with exit 2 naming the key.
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { isValidTimeZone } from './lib/time-zone.js';
import { storeSection } from './store-config.js';

const timezone = z.string().refine(isValidTimeZone, 'must be an IANA time zone such as "Asia/Shanghai"');

export const configSchema = z
  .object({
    station: z
      .object({
        /** Station id: prefix of evidence numbers and the audit log's origin. Letters, digits, dash. */
        id: z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'letters, digits and "-" only, 1-32 characters').default('STATION'),
        name: z.string().max(200).default(''),
        timezone: timezone.default('Asia/Shanghai'),
      })
      .strict()
      .prefault({}),
    paths: z
      .object({
        /** Each path is relative to the home directory unless absolute. */
        store: z.string().min(1).default('store'),
        staging: z.string().min(1).default('staging'),
        catalog: z.string().min(1).default('catalog.sqlite'),
        docks: z.string().min(1).default('docks'),
      })
      .strict()
      .prefault({}),
    hash: z
      .object({
        /** Also compute the Chinese national standard SM3 digest (GB/T 32905) of each original. */
        sm3: z.boolean().default(false),
        /** Copy buffer size in MiB (a copy uses four: three chunks in turn and one to read back). */
        buffer_mib: z.number().int().min(1).max(64).default(8),
      })
      .strict()
      .prefault({}),
    ingest: z
      .object({
        /**
         * How many recorders are ingested at once (one recorder's files always in order, one at a
         * time); how many of them write at once is the writer gate's, which adapts to the store disk.
         */
        concurrency: z.number().int().min(1).max(64).default(64),
        /**
         * A file seen before with the same path, size and mtime: "digest" re-reads it and compares
         * the SHA-256 with the held original (safe, costs a read); "metadata" trusts path+size+mtime.
         */
        confirm_known: z.enum(['digest', 'metadata']).default('digest'),
        /**
         * Copies staged but not yet held, at most, per recorder: copying waits for room while they
         * are held (in batches of up to half this). A stop finishes at most one batch.
         */
        max_staged: z.number().int().min(1).max(4096).default(64),
        /**
         * A card that answers no read, listing or open for this many seconds is failed ("the card
         * stopped answering"), so it never holds up the other slots or a stop. 5-3600.
         */
        stall_seconds: z.number().int().min(5).max(3600).default(30),
      })
      .strict()
      .prefault({}),
    docks: z
      .object({
        /**
         * How USB recorders get mounted: "external" = the shipped udev rule + systemd-mount mount them
         * read-only under media_root and evidock runs unprivileged; "self" = evidock mounts them itself
         * (needs CAP_SYS_ADMIN); "off" = no USB docks, only the docks folder.
         */
        mount: z.enum(['external', 'self', 'off']).default('external'),
        /** Where recorders are mounted (each mount below it is a docked recorder). */
        media_root: z.string().min(1).default('/run/evidock/media'),
        /** USB port path -> slot label printed on the dock: { "1-1.3" = "A3" } ("1.3" = that port on any bus). */
        slots: z
          .record(z.string().regex(/^(\d+-)?\d+(\.\d+)*$/, 'a USB port path like "1-1.3" (or "1.3" for any bus)'), z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, '1-32 letters, digits, ".", "_" or "-"'))
          .default({}),
        /** USB vendor:product ids (hex) of recorders, e.g. ["2ca3:0031"]; "vvvv:*" = every product of a vendor. */
        recorders: z.array(z.string().regex(/^[0-9a-fA-F]{4}:([0-9a-fA-F]{4}|\*)$/, '"vendor:product" in hex, like "46f4:0001"')).default([]),
        /** Also accept any USB mass-storage device plugged into a configured slot. */
        mass_storage_on_slots: z.boolean().default(true),
        /**
         * Verify-then-wipe: after every file of a recorder is held and verified, delete them from the
         * recorder (each deletion logged with its digest). Any file not held blocks the whole wipe.
         */
        wipe: z.boolean().default(false),
        /** How often /proc/self/mountinfo is read, in ms (250-1000). */
        poll_ms: z.number().int().min(250).max(1000).default(500),
        /** sysfs root (tests only). */
        sys_root: z.string().min(1).default('/sys'),
      })
      .strict()
      .prefault({}),
    store: storeSection,
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
      })
      .strict()
      .prefault({}),
    audit: z
      .object({
        /** Minutes between signed checkpoints while the daemon runs; 0 = only at shutdown and export. */
        checkpoint_minutes: z.number().int().min(0).max(1440).default(60),
        /** The daemon re-hashes every held original at least this often (rolling fixity); 0 = off. */
        reverify_days: z.number().int().min(0).max(3650).default(90),
        /** Read-rate ceiling of rolling verification in MiB/s, so it never starves ingest; 0 = unthrottled. */
        reverify_mib_per_s: z.number().int().min(0).max(100000).default(50),
      })
      .strict()
      .prefault({}),
    daemon: z
      .object({
        /**
         * The daemon's unix socket, relative to the home (or absolute): auditors who cannot write the
         * home log their reads through it. Its challenge folder is beside it ("<socket>.challenges").
         * evidock.service: /run/evidock-reads/daemon.sock (tmpfiles: setgid, group evidock-audit).
         */
        socket: z.string().min(1).default('run/daemon.sock'),
        /** The group given the socket (mode 0660) where it exists and the daemon may give it. */
        audit_group: z.string().min(1).default('evidock-audit'),
      })
      .strict()
      .prefault({}),
    notary: z
      .object({
        /**
         * The notary's unix socket (evidock-notary.service: /run/evidock-notary/notary.sock). Absent:
         * no notary; the service signs checkpoints with its own key and seals nothing.
         */
        socket: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    meta: z
      .object({
        /** Read each held recording's metadata (exiftool, ffprobe) for its provenance. */
        read_metadata: z.boolean().default(true),
        /** Also try the built-in recorder name styles (gat947, gat947-unit, dsj, novatek) after yours. */
        builtin_name_conventions: z.boolean().default(true),
        /**
         * Recorder file-name conventions, tried in order before the built-in ones: a regular
         * expression with named groups deviceId, officer, unit, start (or date + time), seq.
         */
        name_conventions: z
          .array(
            z
              .object({
                family: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "." and "-" only'),
                pattern: z
                  .string()
                  .min(1)
                  .max(2000)
                  .refine((p) => {
                    try {
                      new RegExp(p, 'u');
                      return true;
                    } catch {
                      return false;
                    }
                  }, 'must be a valid regular expression')
                  .refine((p) => /\(\?<(deviceId|officer|start|date|time|seq|unit)>/.test(p), 'needs a named group: deviceId, officer, unit, start (or date + time), seq'),
                flags: z.string().regex(/^[ims]*$/, 'only i, m, s').optional(),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .prefault({}),
    web: z
      .object({
        /** Serve the station page (dock kiosk at /, supervisor view at /supervisor, /healthz). */
        enabled: z.boolean().default(true),
        /**
         * host:port the page listens on. Loopback by default; any other address needs tls_cert and
         * tls_key. Port 0 takes a free port (tests). $EVIDOCK_WEB_LISTEN overrides it.
         */
        listen: z
          .string()
          .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'host:port, like "127.0.0.1:8420" or "[::1]:8420"')
          .default('127.0.0.1:8420'),
        /** PEM certificate and key files (relative to the home unless absolute): required off loopback. */
        tls_cert: z.string().min(1).optional(),
        tls_key: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    rules: z
      .object({
        /** Working-day calendar overrides <year>.json (relative to the home unless absolute). */
        calendar_dir: z.string().min(1).default('calendar'),
        /** Art. 9: a pause between two segments of one recorder above this is an interruption. */
        gap_threshold_seconds: z.number().int().min(0).default(120),
        /** A pause longer than this starts a new activity (not an interruption). */
        activity_max_gap_seconds: z.number().int().min(0).default(1800),
        /** Recording start times more than this many days before docking are flagged. */
        clock_max_age_days: z.number().int().min(1).max(3650).default(30),
        /** Start times up to this far after docking are tolerated as clock drift. */
        clock_future_tolerance_seconds: z.number().int().min(0).max(86400).default(300),
      })
      .strict()
      .refine((r) => r.activity_max_gap_seconds >= r.gap_threshold_seconds, {
        message: 'activity_max_gap_seconds must be at least gap_threshold_seconds',
        path: ['activity_max_gap_seconds'],
      })
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Turn zod issues into "key.path: message (allowed: ...)" lines a person can act on. */
export function describeConfigIssues(error: z.ZodError, source: string): string {
  const lines = error.issues.map((issue) => {
    let where = issue.path.join('.');
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => (where ? `${where}.${k}` : k));
      return `  ${keys.join(', ')}: unknown setting (see config/evidock.example.toml for the allowed keys)`;
    }
    if (issue.code === 'invalid_value' && 'values' in issue) {
      message = `must be one of ${(issue.values as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    }
    if (!where) where = '(top level)';
    return `  ${where}: ${message}`;
  });
  return `invalid configuration in ${source}:\n${lines.join('\n')}`;
}

export function parseConfig(raw: unknown, source = 'configuration'): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(describeConfigIssues(result.error, source));
  return result.data;
}

/**
 * Read and validate a configuration file (TOML, or JSON by its extension). A missing file gives
 * the defaults unless it was `required` (given with --config). Throws ConfigError with the bad key.
 */
export function readConfigFile(configPath: string, required: boolean): { config: Config; configPath?: string } {
  let raw: unknown = {};
  if (existsSync(configPath)) {
    let text: string;
    try {
      text = readFileSync(configPath, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read configuration file ${configPath}: ${(err as Error).message}`);
    }
    try {
      raw = configPath.endsWith('.json') ? JSON.parse(text) : parseToml(text);
    } catch (err) {
      throw new ConfigError(`configuration file ${configPath} is not valid TOML: ${(err as Error).message}`);
    }
  } else if (required) {
    throw new ConfigError(`configuration file ${configPath} does not exist (given with --config)`);
  } else {
    return { config: parseConfig(raw, 'defaults') };
  }
  return { config: parseConfig(raw, configPath), configPath };
}
