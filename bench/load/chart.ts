/**
 * A hand-written SVG chart of one load scenario (no dependencies): on the left, achieved
 * throughput against offered load, with the ideal "achieved = offered" as a dashed line, so the
 * point where the server stops keeping up is where the two part; on the right, latency
 * percentiles against offered load on a logarithmic axis, so 2 ms and 2 s both stay readable.
 * Offered rates sit at even steps on the x axis (they usually double from step to step).
 */

export interface Series {
  readonly name: string;
  /** One value per step; null where the step had no sample (no request succeeded). */
  readonly values: readonly (number | null)[];
  readonly color: string;
  readonly dashed?: boolean;
}

export interface LoadChart {
  readonly title: string;
  /** What one arrival is, for the axis labels: `requests`, `checkouts`. */
  readonly unit: string;
  readonly offered: readonly number[];
  readonly achieved: readonly number[];
  readonly latencies: readonly Series[];
}

const width = 960;
const height = 380;
const panelWidth = 400;
const panelHeight = 250;
const top = 60;
const leftPanelX = 70;
const rightPanelX = 540;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function label(value: number): string {
  if (value >= 1_000) return `${Math.round(value / 100) / 10}k`;
  if (value >= 10 || Number.isInteger(value)) return String(Math.round(value));
  return value.toPrecision(2);
}

function xAt(panelX: number, index: number, count: number): number {
  return panelX + (count <= 1 ? panelWidth / 2 : (index * panelWidth) / (count - 1));
}

function polyline(points: readonly (readonly [number, number] | null)[], color: string, dashed: boolean): string {
  // A null breaks the line: a step without samples is a gap, not a zero.
  const runs: string[][] = [[]];
  for (const point of points) {
    if (point === null) runs.push([]);
    else runs[runs.length - 1]?.push(`${point[0].toFixed(1)},${point[1].toFixed(1)}`);
  }
  const dash = dashed ? ' stroke-dasharray="6 4"' : '';
  const lines = runs.filter((run) => run.length > 1).map((run) => `<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${run.join(' ')}"/>`);
  const dots = points.filter((point) => point !== null).map((point) => `<circle cx="${point[0].toFixed(1)}" cy="${point[1].toFixed(1)}" r="3" fill="${color}"/>`);
  return [...lines, ...dots].join('\n');
}

function xAxis(panelX: number, offered: readonly number[], unit: string): string {
  const ticks = offered.map((rate, index) => {
    const x = xAt(panelX, index, offered.length);
    return `<line x1="${x}" y1="${top + panelHeight}" x2="${x}" y2="${top + panelHeight + 5}" stroke="#555"/><text x="${x}" y="${top + panelHeight + 18}" text-anchor="middle">${label(rate)}</text>`;
  });
  const axis = `<line x1="${panelX}" y1="${top + panelHeight}" x2="${panelX + panelWidth}" y2="${top + panelHeight}" stroke="#555"/>`;
  const title = `<text x="${panelX + panelWidth / 2}" y="${top + panelHeight + 38}" text-anchor="middle">offered load (${escapeXml(unit)}/s)</text>`;
  return [axis, ...ticks, title].join('\n');
}

function yAxis(panelX: number, ticks: readonly { value: number; y: number }[], title: string): string {
  const lines = ticks.map(
    (tick) =>
      `<line x1="${panelX}" y1="${tick.y.toFixed(1)}" x2="${panelX + panelWidth}" y2="${tick.y.toFixed(1)}" stroke="#e5e5e5"/>` +
      `<text x="${panelX - 6}" y="${(tick.y + 4).toFixed(1)}" text-anchor="end">${label(tick.value)}</text>`,
  );
  const axis = `<line x1="${panelX}" y1="${top}" x2="${panelX}" y2="${top + panelHeight}" stroke="#555"/>`;
  const heading = `<text x="${panelX}" y="${top - 12}" font-weight="bold">${escapeXml(title)}</text>`;
  return [...lines, axis, heading].join('\n');
}

function throughputPanel(chart: LoadChart): string {
  const max = Math.max(1, ...chart.offered, ...chart.achieved) * 1.1;
  const y = (value: number) => top + panelHeight - (value / max) * panelHeight;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((share) => ({ value: (max / 1.1) * share, y: y((max / 1.1) * share) }));
  const at = (values: readonly number[]) => values.map((value, index) => [xAt(leftPanelX, index, chart.offered.length), y(value)] as const);
  return [
    yAxis(leftPanelX, ticks, `achieved throughput (${chart.unit}/s)`),
    xAxis(leftPanelX, chart.offered, chart.unit),
    // The ideal goes on top: where the server keeps up, it lies on the achieved line.
    polyline(at(chart.achieved), '#1f77b4', false),
    polyline(at(chart.offered), '#999', true),
  ].join('\n');
}

function latencyPanel(chart: LoadChart): string {
  const values = chart.latencies.flatMap((series) => series.values).filter((value): value is number => value !== null && value > 0);
  const lowDecade = Math.floor(Math.log10(Math.min(1, ...values)));
  const highDecade = Math.max(lowDecade + 1, Math.ceil(Math.log10(Math.max(10, ...values))));
  const y = (value: number) => top + panelHeight - ((Math.log10(Math.max(value, 10 ** lowDecade)) - lowDecade) / (highDecade - lowDecade)) * panelHeight;
  const ticks = Array.from({ length: highDecade - lowDecade + 1 }, (_, index) => 10 ** (lowDecade + index)).map((value) => ({ value, y: y(value) }));
  const lines = chart.latencies.map((series) =>
    polyline(series.values.map((value, index) => (value === null || !(value > 0) ? null : ([xAt(rightPanelX, index, chart.offered.length), y(value)] as const))), series.color, series.dashed ?? false),
  );
  return [yAxis(rightPanelX, ticks, 'latency (ms, log scale)'), xAxis(rightPanelX, chart.offered, chart.unit), ...lines].join('\n');
}

function legend(chart: LoadChart): string {
  const entries: Series[] = [
    { name: 'achieved', values: [], color: '#1f77b4' },
    { name: 'offered (ideal)', values: [], color: '#999', dashed: true },
    ...chart.latencies,
  ];
  return entries
    .map((entry, index) => {
      const x = leftPanelX + index * 110;
      const dash = entry.dashed ? ' stroke-dasharray="6 4"' : '';
      return `<line x1="${x}" y1="${height - 14}" x2="${x + 22}" y2="${height - 14}" stroke="${entry.color}" stroke-width="2"${dash}/><text x="${x + 28}" y="${height - 10}">${escapeXml(entry.name)}</text>`;
    })
    .join('\n');
}

export function renderLoadChart(chart: LoadChart): string {
  if (chart.achieved.length !== chart.offered.length) throw new Error('one achieved value per offered rate');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(chart.title)}</text>`,
    throughputPanel(chart),
    latencyPanel(chart),
    legend(chart),
    '</svg>',
    '',
  ].join('\n');
}
