/** A small SVG line chart: objects/s against concurrency, one line per contender, a panel per RTT. */

export interface Series {
  readonly name: string;
  /** [concurrency, objects/s] */
  readonly points: readonly (readonly [number, number])[];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
}

/** One panel per entry of `panels` (title → series), side by side. */
export function concurrencyChart(panels: readonly { title: string; series: readonly Series[] }[]): string {
  const width = 460;
  const height = 320;
  const margin = { left: 60, right: 20, top: 40, bottom: 50 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const parts: string[] = [];
  panels.forEach((panel, p) => {
    const x0 = p * width;
    const xs = [...new Set(panel.series.flatMap((s) => s.points.map(([c]) => c)))].sort((a, b) => a - b);
    const maxY = Math.max(1, ...panel.series.flatMap((s) => s.points.map(([, y]) => y))) * 1.1;
    const xAt = (c: number) =>
      x0 +
      margin.left +
      (xs.length < 2
        ? plotW / 2
        : ((Math.log2(c) - Math.log2(xs[0]!)) / (Math.log2(xs.at(-1)!) - Math.log2(xs[0]!))) * plotW);
    const yAt = (v: number) => margin.top + plotH - (v / maxY) * plotH;
    parts.push(
      `<text x="${x0 + width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(panel.title)}</text>`,
    );
    parts.push(
      `<line x1="${x0 + margin.left}" y1="${margin.top + plotH}" x2="${x0 + margin.left + plotW}" y2="${margin.top + plotH}" stroke="#333"/>`,
    );
    parts.push(
      `<line x1="${x0 + margin.left}" y1="${margin.top}" x2="${x0 + margin.left}" y2="${margin.top + plotH}" stroke="#333"/>`,
    );
    for (const c of xs) {
      parts.push(`<text x="${xAt(c)}" y="${margin.top + plotH + 18}" text-anchor="middle" font-size="12">${c}</text>`);
    }
    for (let i = 0; i <= 4; i++) {
      const v = (maxY / 4) * i;
      parts.push(
        `<text x="${x0 + margin.left - 6}" y="${yAt(v) + 4}" text-anchor="end" font-size="11">${Math.round(v)}</text>`,
      );
      parts.push(
        `<line x1="${x0 + margin.left}" y1="${yAt(v)}" x2="${x0 + margin.left + plotW}" y2="${yAt(v)}" stroke="#ddd"/>`,
      );
    }
    parts.push(
      `<text x="${x0 + margin.left + plotW / 2}" y="${height - 12}" text-anchor="middle" font-size="12">concurrency</text>`,
    );
    parts.push(
      `<text x="${x0 + 16}" y="${margin.top + plotH / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 ${x0 + 16} ${margin.top + plotH / 2})">objects/s</text>`,
    );
    panel.series.forEach((series, i) => {
      const color = COLORS[i % COLORS.length]!;
      const path = series.points
        .map(([c, v], k) => `${k === 0 ? "M" : "L"}${xAt(c).toFixed(1)},${yAt(v).toFixed(1)}`)
        .join(" ");
      parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
      for (const [c, v] of series.points)
        parts.push(`<circle cx="${xAt(c).toFixed(1)}" cy="${yAt(v).toFixed(1)}" r="3" fill="${color}"/>`);
      if (p === 0) {
        parts.push(
          `<rect x="${x0 + margin.left + 10}" y="${margin.top + 6 + i * 16}" width="10" height="10" fill="${color}"/>`,
        );
        parts.push(
          `<text x="${x0 + margin.left + 26}" y="${margin.top + 15 + i * 16}" font-size="12">${escapeXml(series.name)}</text>`,
        );
      }
    });
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width * panels.length}" height="${height}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${parts.join("")}</svg>\n`;
}
