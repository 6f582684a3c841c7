// Minimal five-field cron matching (minute hour day-of-month month
// day-of-week) with *, numbers, ranges a-b, lists and steps */n or a-b/n:
// enough to fire wrangler.toml's triggers locally on their schedule.

function fieldMatches(field, value, min, max) {
  return field.split(",").some((part) => {
    const [range, stepText] = part.split("/");
    const step = stepText ? Number(stepText) : 1;
    let lo = min;
    let hi = max;
    if (range !== "*") {
      const [a, b] = range.split("-").map(Number);
      lo = a;
      hi = b ?? (stepText ? max : a);
    }
    return value >= lo && value <= hi && (value - lo) % step === 0;
  });
}

/** True when `cron` fires at minute `date` (UTC, as Cloudflare runs crons). */
export function cronMatches(cron, date) {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return false;
  const [minute, hour, dom, month, dow] = fields;
  return (
    fieldMatches(minute, date.getUTCMinutes(), 0, 59) &&
    fieldMatches(hour, date.getUTCHours(), 0, 23) &&
    fieldMatches(dom, date.getUTCDate(), 1, 31) &&
    fieldMatches(month, date.getUTCMonth() + 1, 1, 12) &&
    fieldMatches(dow, date.getUTCDay(), 0, 6)
  );
}
