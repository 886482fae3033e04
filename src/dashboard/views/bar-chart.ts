import { type Html, html } from '../html.ts';

export interface Bar {
  label: string;
  value: number;
}

const rowHeight = 22;
const labelWidth = 150;
const barWidth = 320;
const valueWidth = 70;

/**
 * A horizontal bar chart as inline SVG: no script, no library, readable on an old office PC and
 * printable. Labels and values go through the escaping template like any other text.
 */
export function barChart(options: { id: string; title: string; bars: Bar[]; colour?: string }): Html {
  const { bars } = options;
  const largest = Math.max(0, ...bars.map((bar) => bar.value));
  const height = bars.length * rowHeight + 4;
  const width = labelWidth + barWidth + valueWidth;
  const length = (value: number) => (largest > 0 ? Math.round((value / largest) * barWidth) : 0);
  return html`<figure class="card chart" id="${options.id}" style="margin:0"><figcaption><strong>${options.title}</strong></figcaption>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${options.title}">
${bars.map(
  (
    bar,
    index,
  ) => html`<g transform="translate(0 ${index * rowHeight + 2})"><text x="${labelWidth - 6}" y="15" text-anchor="end" font-size="12">${bar.label}</text>
<rect x="${labelWidth}" y="3" width="${length(bar.value)}" height="${rowHeight - 6}" fill="${options.colour ?? '#3a6491'}"><title>${bar.label}: ${bar.value}</title></rect>
<text x="${labelWidth + length(bar.value) + 6}" y="15" font-size="12">${bar.value}</text></g>`,
)}
</svg></figure>`;
}
