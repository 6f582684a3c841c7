/**
 * Prometheus text exposition (format 0.0.4): families with HELP and TYPE
 * lines, samples with escaped label values, histograms as cumulative
 * `_bucket{le}` samples plus `_sum` and `_count`.
 */

export type Labels = Readonly<Record<string, string>>;

interface Family {
  name: string;
  help: string;
  type: "gauge" | "counter" | "histogram";
  samples: string[];
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

function number(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

export class Exposition {
  private families = new Map<string, Family>();

  private family(name: string, help: string, type: Family["type"]): Family {
    let family = this.families.get(name);
    if (!family) {
      family = { name, help, type, samples: [] };
      this.families.set(name, family);
    }
    return family;
  }

  gauge(name: string, help: string, labels: Labels, value: number): void {
    this.family(name, help, "gauge").samples.push(`${name}${labelText(labels)} ${number(value)}`);
  }

  counter(name: string, help: string, labels: Labels, value: number): void {
    this.family(name, help, "counter").samples.push(`${name}${labelText(labels)} ${number(value)}`);
  }

  /** A histogram from per-bucket (non-cumulative) counts; `bounds` in seconds, the last count is +Inf. */
  histogram(
    name: string,
    help: string,
    labels: Labels,
    bounds: readonly number[],
    counts: readonly number[],
    sum: number,
  ): void {
    const family = this.family(name, help, "histogram");
    let cumulative = 0;
    bounds.forEach((bound, i) => {
      cumulative += counts[i] ?? 0;
      family.samples.push(
        `${name}_bucket${labelText({ ...labels, le: String(bound) })} ${cumulative}`,
      );
    });
    cumulative += counts[bounds.length] ?? 0;
    family.samples.push(`${name}_bucket${labelText({ ...labels, le: "+Inf" })} ${cumulative}`);
    family.samples.push(`${name}_sum${labelText(labels)} ${number(sum)}`);
    family.samples.push(`${name}_count${labelText(labels)} ${cumulative}`);
  }

  /** Declares a family with no samples yet (so it is listed even when empty). */
  declare(name: string, help: string, type: Family["type"]): void {
    this.family(name, help, type);
  }

  render(): string {
    const lines: string[] = [];
    for (const family of this.families.values()) {
      lines.push(
        `# HELP ${family.name} ${family.help}`,
        `# TYPE ${family.name} ${family.type}`,
        ...family.samples,
      );
    }
    return `${lines.join("\n")}\n`;
  }
}
