/**
 * Deployment configuration from wrangler vars, validated with zod once per
 * isolate. Layout: pools → erasure sets → drives (2..16 per set, or 1 for a
 * single-drive test layout). Parity defaults follow MinIO by set size.
 * Each AWS storage class is stored with one of two parities: STANDARD's
 * (FLOE_PARITY) or REDUCED_REDUNDANCY's (FLOE_RRS_PARITY), chosen by
 * FLOE_STORAGE_CLASS_MAP, a JSON object from class to "STANDARD" or
 * "REDUCED_REDUNDANCY" laid over the default (REDUCED_REDUNDANCY → reduced,
 * every other class → standard).
 * FLOE_TARGET_ALLOWLIST lists the CIDRs and host names remote targets may
 * use although shared/net/target-url.ts refuses them (loopback, private
 * ranges, local names); empty (the deployed default) allows none of them.
 */
import { z } from "zod";
import { defaultParity, defaultRrsParity } from "./layout/quorum.ts";
import { STORAGE_CLASSES, type StorageClass } from "./types/version-record.ts";
import { parseTargetAllowlist, type TargetAllowlist } from "./net/target-url.ts";

const poolSchema = z.object({
  sets: z.number().int().min(1).max(64),
  drivesPerSet: z.number().int().min(1).max(16),
});

const parityField = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value.trim() === "") return null;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 8) {
      ctx.addIssue({ code: "custom", message: `parity must be an integer 0..8, got "${value}"` });
      return z.NEVER;
    }
    return n;
  });

/** The two parities a storage class can map to. */
export type ParityClass = "STANDARD" | "REDUCED_REDUNDANCY";

const storageClassMapField = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const map = Object.fromEntries(
      STORAGE_CLASSES.map((name) => [name, name === "REDUCED_REDUNDANCY" ? name : "STANDARD"]),
    ) as Record<StorageClass, ParityClass>;
    if (value === undefined || value.trim() === "") return map;
    const overrides = z
      .partialRecord(z.enum(STORAGE_CLASSES), z.enum(["STANDARD", "REDUCED_REDUNDANCY"]))
      .safeParse(safeJson(value));
    if (!overrides.success) {
      ctx.addIssue({
        code: "custom",
        message: `FLOE_STORAGE_CLASS_MAP must be a JSON object from AWS storage classes to "STANDARD" or "REDUCED_REDUNDANCY": ${overrides.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`).join("; ")}`,
      });
      return z.NEVER;
    }
    return { ...map, ...overrides.data };
  });

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const intField = (min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === "") return fallback;
      const n = Number(value);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `must be an integer ${min}..${max}` });
        return z.NEVER;
      }
      return n;
    });

const varsSchema = z.object({
  FLOE_POOLS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      try {
        return z
          .array(poolSchema)
          .min(1)
          .parse(JSON.parse(value ?? '[{"sets":1,"drivesPerSet":8}]'));
      } catch (error) {
        ctx.addIssue({
          code: "custom",
          message: `FLOE_POOLS is not a valid layout: ${String(error)}`,
        });
        return z.NEVER;
      }
    }),
  FLOE_PARITY: parityField,
  FLOE_RRS_PARITY: parityField,
  FLOE_STORAGE_CLASS_MAP: storageClassMapField,
  FLOE_BLOCK_SIZE: intField(64 * 1024, 16 * 1024 * 1024, 1024 * 1024),
  FLOE_INLINE_THRESHOLD: intField(0, 1024 * 1024, 128 * 1024),
  FLOE_REGION: z.string().optional().default("us-east-1"),
  FLOE_FAULT_INJECTION: z
    .string()
    .optional()
    .transform((v) => v === "on"),
  FLOE_DOMAIN: z.string().optional().default(""),
  FLOE_MAX_RETENTION_DAYS: intField(1, 365_000, 36_500),
  FLOE_TARGET_ALLOWLIST: z
    .string()
    .optional()
    .transform((value, ctx) => {
      try {
        return parseTargetAllowlist(value ?? "");
      } catch (error) {
        ctx.addIssue({
          code: "custom",
          message: `FLOE_TARGET_ALLOWLIST: ${error instanceof Error ? error.message : String(error)}`,
        });
        return z.NEVER;
      }
    }),
});

export interface PoolConfig {
  readonly sets: number;
  readonly drivesPerSet: number;
}

export interface FloeConfig {
  readonly pools: readonly PoolConfig[];
  /** Parity per storage class, per pool (pools may differ in set size). */
  readonly parity: readonly { standard: number; reduced: number }[];
  /** Which parity each storage class is stored with. */
  readonly storageClassParity: Readonly<Record<StorageClass, ParityClass>>;
  readonly blockSize: number;
  readonly inlineThreshold: number;
  readonly region: string;
  readonly faultInjection: boolean;
  /** Base domain for virtual-hosted-style requests ("" = path style only). */
  readonly domain: string;
  /** Longest COMPLIANCE retention a version may be given, in days from now (100 years by default). */
  readonly maxRetentionDays: number;
  /** What remote targets may reach beyond public hosts (FLOE_TARGET_ALLOWLIST). */
  readonly targetAllowlist: TargetAllowlist;
}

/** Largest shard-block a drive stores in one SQLite row (the row limit is 2 MB). */
export const MAX_SHARD_BLOCK_BYTES = 2_000_000;

let cached: { source: unknown; config: FloeConfig } | null = null;

/** Parses and validates the deployment config; throws with a readable message on bad vars. */
export function loadConfig(env: object): FloeConfig {
  if (cached && cached.source === env) return cached.config;
  const vars = varsSchema.parse(env);
  const parity = vars.FLOE_POOLS.map((pool) => {
    const n = pool.drivesPerSet;
    const standard = vars.FLOE_PARITY ?? defaultParity(n);
    const reduced = Math.min(vars.FLOE_RRS_PARITY ?? defaultRrsParity(n), standard);
    if (standard > Math.floor(n / 2) || (n > 1 && standard >= n)) {
      throw new Error(`parity ${standard} is too high for a set of ${n} drives (max ${n >> 1})`);
    }
    if (Math.ceil(vars.FLOE_BLOCK_SIZE / (n - standard)) > MAX_SHARD_BLOCK_BYTES) {
      throw new Error(`FLOE_BLOCK_SIZE gives shard-blocks over the 2 MB SQLite row limit`);
    }
    return { standard, reduced };
  });
  const config: FloeConfig = {
    pools: vars.FLOE_POOLS,
    parity,
    storageClassParity: vars.FLOE_STORAGE_CLASS_MAP,
    blockSize: vars.FLOE_BLOCK_SIZE,
    inlineThreshold: vars.FLOE_INLINE_THRESHOLD,
    region: vars.FLOE_REGION,
    faultInjection: vars.FLOE_FAULT_INJECTION,
    domain: vars.FLOE_DOMAIN,
    maxRetentionDays: vars.FLOE_MAX_RETENTION_DAYS,
    targetAllowlist: vars.FLOE_TARGET_ALLOWLIST,
  };
  cached = { source: env, config };
  return config;
}
