/**
 * Parsing of the human quantities commands accept: ages such as `7d`,
 * `2h30m` or `1w` (units w, d, h, m, s), and sizes such as `10MB` (decimal:
 * K, KB, M, MB, ... are powers of 1000) or `10MiB` (binary: Ki, KiB, Mi,
 * MiB, ... are powers of 1024); a bare number is bytes.
 */
import { usageError } from "./errors.ts";

const DURATION_UNITS: Record<string, number> = {
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
};

/** `7d` → milliseconds. */
export function parseDuration(text: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)([wdhms])/g)];
  const matched = parts.map((p) => p[0]).join("");
  if (parts.length === 0 || matched !== text.trim()) {
    throw usageError(`Invalid duration "${text}" (use e.g. 7d, 2h30m, 45s).`);
  }
  return parts.reduce((total, [, n, unit]) => total + Number(n) * DURATION_UNITS[unit], 0);
}

const SIZE_POWERS: Record<string, number> = { "": 0, k: 1, m: 2, g: 3, t: 4, p: 5 };

/** `10MiB` → bytes. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?)b?$/i.exec(text.trim());
  if (!match) throw usageError(`Invalid size "${text}" (use e.g. 512, 10KB, 1.5MiB, 2GiB).`);
  const [, number, prefix, binary] = match;
  const base = binary ? 1024 : 1000;
  return Math.round(Number(number) * base ** SIZE_POWERS[prefix.toLowerCase()]);
}
