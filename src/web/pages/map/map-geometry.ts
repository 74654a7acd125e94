/** Small geometry helpers: where to put a label, and the box that holds all features. */
import type { Geometry, Position } from 'geojson';

function ringArea(ring: Position[]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x1 = 0, y1 = 0] = ring[j] ?? [];
    const [x2 = 0, y2 = 0] = ring[i] ?? [];
    sum += x1 * y2 - x2 * y1;
  }
  return sum / 2;
}

/** Area-weighted centroid of a ring; the Gaza governorates are convex enough for it to fall inside. */
function ringCentroid(ring: Position[]): [number, number] {
  const area = ringArea(ring);
  if (area === 0) {
    const n = ring.length || 1;
    return [ring.reduce((s, p) => s + (p[0] ?? 0), 0) / n, ring.reduce((s, p) => s + (p[1] ?? 0), 0) / n];
  }
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x1 = 0, y1 = 0] = ring[j] ?? [];
    const [x2 = 0, y2 = 0] = ring[i] ?? [];
    const f = x1 * y2 - x2 * y1;
    cx += (x1 + x2) * f;
    cy += (y1 + y2) * f;
  }
  return [cx / (6 * area), cy / (6 * area)];
}

export function labelPoint(geometry: Geometry): [number, number] | null {
  switch (geometry.type) {
    case 'Point':
      return [geometry.coordinates[0] ?? 0, geometry.coordinates[1] ?? 0];
    case 'LineString': {
      const mid = geometry.coordinates[Math.floor(geometry.coordinates.length / 2)];
      return mid ? [mid[0] ?? 0, mid[1] ?? 0] : null;
    }
    case 'Polygon':
      return geometry.coordinates[0] ? ringCentroid(geometry.coordinates[0]) : null;
    case 'MultiPolygon': {
      const outers = geometry.coordinates.map((polygon) => polygon[0] ?? []);
      const largest = outers.sort((a, b) => Math.abs(ringArea(b)) - Math.abs(ringArea(a)))[0];
      return largest ? ringCentroid(largest) : null;
    }
    default:
      return null;
  }
}

function positions(geometry: Geometry): Position[] {
  switch (geometry.type) {
    case 'Point':
      return [geometry.coordinates];
    case 'LineString':
    case 'MultiPoint':
      return geometry.coordinates;
    case 'Polygon':
    case 'MultiLineString':
      return geometry.coordinates.flat();
    case 'MultiPolygon':
      return geometry.coordinates.flat(2);
    case 'GeometryCollection':
      return geometry.geometries.flatMap(positions);
  }
}

export type Bounds = [[number, number], [number, number]];

/** A line's label goes at the end nearest the area of interest (the Gaza end of a sea corridor). */
export function lineLabelPoint(coordinates: Position[], near: Bounds | null): [number, number] | null {
  const first = coordinates[0];
  const last = coordinates[coordinates.length - 1];
  if (!first || !last) return null;
  if (!near) return [last[0] ?? 0, last[1] ?? 0];
  const cx = (near[0][0] + near[1][0]) / 2;
  const cy = (near[0][1] + near[1][1]) / 2;
  const distance = (p: Position) => Math.hypot((p[0] ?? 0) - cx, (p[1] ?? 0) - cy);
  const end = distance(first) <= distance(last) ? first : last;
  return [end[0] ?? 0, end[1] ?? 0];
}

export function boundsOf(geometries: Geometry[]): Bounds | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const position of geometries.flatMap(positions)) {
    const [x = NaN, y = NaN] = position;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  return Number.isFinite(minX)
    ? [
        [minX, minY],
        [maxX, maxY],
      ]
    : null;
}
