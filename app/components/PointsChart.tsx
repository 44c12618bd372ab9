// A small bar chart of points issued and redeemed per day or month: an SVG described by its
// summary for screen readers, with the figures in a table one click away. (Polaris Viz would
// add hundreds of KB of JavaScript for one chart.)
import { BlockStack, InlineStack, Text } from "@shopify/polaris";
import { useId } from "react";

export interface PointsChartProps {
  series: readonly { bucket: string; issued: number; redeemed: number }[];
  labels: { title: string; issued: string; redeemed: string; summary: string; empty: string; showData: string; date: string };
  formatBucket: (bucket: string) => string;
  formatNumber: (value: number) => string;
}

const ISSUED_COLOR = "#005bd3";
const REDEEMED_COLOR = "#c4620d";
const WIDTH = 720;
const HEIGHT = 200;
const AXIS = 24;

export function PointsChart({ series, labels, formatBucket, formatNumber }: PointsChartProps) {
  const headingId = useId();
  const max = Math.max(0, ...series.flatMap((point) => [point.issued, point.redeemed]));
  const empty = series.every((point) => point.issued === 0 && point.redeemed === 0);
  const slot = (WIDTH - AXIS) / Math.max(series.length, 1);
  const bar = Math.max(1, Math.min(14, slot / 2 - 1));
  const height = (value: number) => (max > 0 ? (Math.max(value, 0) / max) * (HEIGHT - 20) : 0);
  return (
    <BlockStack gap="300">
      <Text as="h2" variant="headingMd" id={headingId}>
        {labels.title}
      </Text>
      <InlineStack gap="400">
        <Legend color={ISSUED_COLOR} label={labels.issued} />
        <Legend color={REDEEMED_COLOR} label={labels.redeemed} />
      </InlineStack>
      {empty ? (
        <Text as="p" tone="subdued">
          {labels.empty}
        </Text>
      ) : (
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT + AXIS}`} width="100%" role="img" aria-labelledby={headingId} aria-describedby={`${headingId}-summary`}>
          <line x1={AXIS} x2={WIDTH} y1={HEIGHT} y2={HEIGHT} stroke="#8a8a8a" />
          <text x={AXIS - 4} y={12} textAnchor="end" fontSize="11" fill="#616161">
            {formatNumber(max)}
          </text>
          {series.map((point, index) => {
            const x = AXIS + index * slot + slot / 2;
            return (
              <g key={point.bucket}>
                <rect x={x - bar - 0.5} y={HEIGHT - height(point.issued)} width={bar} height={height(point.issued)} fill={ISSUED_COLOR} />
                <rect x={x + 0.5} y={HEIGHT - height(point.redeemed)} width={bar} height={height(point.redeemed)} fill={REDEEMED_COLOR} />
              </g>
            );
          })}
          {[0, series.length - 1].filter((index, i, all) => index >= 0 && all.indexOf(index) === i).map((index) => (
            <text key={index} x={AXIS + index * slot + slot / 2} y={HEIGHT + 16} textAnchor={index === 0 ? "start" : "end"} fontSize="11" fill="#616161">
              {formatBucket(series[index].bucket)}
            </text>
          ))}
        </svg>
      )}
      <Text as="p" tone="subdued" id={`${headingId}-summary`}>
        {labels.summary}
      </Text>
      {!empty && (
        <details>
          <summary>{labels.showData}</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">{labels.date}</th>
                <th scope="col">{labels.issued}</th>
                <th scope="col">{labels.redeemed}</th>
              </tr>
            </thead>
            <tbody>
              {series.map((point) => (
                <tr key={point.bucket}>
                  <th scope="row">{formatBucket(point.bucket)}</th>
                  <td>{formatNumber(point.issued)}</td>
                  <td>{formatNumber(point.redeemed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </BlockStack>
  );
}

function Legend({ color, label }: { color: string; label: string }) {
  return (
    <InlineStack gap="100" blockAlign="center">
      <svg width="12" height="12" aria-hidden="true">
        <rect width="12" height="12" rx="2" fill={color} />
      </svg>
      <Text as="span">{label}</Text>
    </InlineStack>
  );
}
