/**
 * A basemap from a PMTiles archive that the server serves at `/basemap.pmtiles`. The
 * archive is read with HTTP range requests through MapLibre's `pmtiles://` protocol, so
 * nothing leaves the Concord server. Raster archives are drawn as they are; vector
 * archives get a plain style made from their metadata, without labels, because text
 * would need glyph fonts from the internet.
 */
import { addProtocol, type LayerSpecification, type Map as MapLibreMap, type SourceSpecification } from 'maplibre-gl';
import { type Header, PMTiles, Protocol, TileType } from 'pmtiles';
import { governorateFillOpacity, LAYER_IDS, SEA_COLOUR } from './map-layers';

export const BASEMAP_SOURCE_ID = 'basemap';
const LAYER_PREFIX = 'basemap-';

const BASEMAP_LAND = '#efeae0';
const BASEMAP_WATER = SEA_COLOUR;
const BASEMAP_LINE = '#a5a5a5';
const WATER_LAYER = /water|ocean|sea|lake|river/i;
// Web Mercator cannot show the poles; MapLibre clamps to this latitude anyway.
const MAX_LATITUDE = 85.051129;

/** Sources and layers to put under the map's own layers. */
export interface Basemap {
  sources: Record<string, SourceSpecification>;
  layers: LayerSpecification[];
}

let protocol: Protocol | null = null;

/** Registers the `pmtiles://` protocol with MapLibre, once per page. */
function pmtilesProtocol(): Protocol {
  if (!protocol) {
    protocol = new Protocol();
    addProtocol('pmtiles', protocol.tile);
  }
  return protocol;
}

interface VectorLayerInfo {
  id: string;
}

interface ArchiveMetadata {
  attribution?: unknown;
  vector_layers?: unknown;
  tilestats?: unknown;
}

/** Layer ids from the archive's `vector_layers`; anything malformed is left out. */
export function vectorLayerIds(metadata: ArchiveMetadata): string[] {
  const list = Array.isArray(metadata.vector_layers) ? (metadata.vector_layers as unknown[]) : [];
  const ids = list
    .map((layer) => (layer && typeof layer === 'object' ? (layer as Partial<VectorLayerInfo>).id : undefined))
    .filter((id): id is string => typeof id === 'string' && id.length > 0);
  return [...new Set(ids)];
}

/** The archive's attribution as plain text: it may hold HTML, which MapLibre would insert as is. */
function attributionText(metadata: ArchiveMetadata): string | undefined {
  if (typeof metadata.attribution !== 'string' || !metadata.attribution.trim()) return undefined;
  // Parsing into a detached document runs no scripts and loads nothing.
  const body = new DOMParser().parseFromString(metadata.attribution, 'text/html').body;
  for (const node of body.querySelectorAll('script, style, template')) node.remove();
  const text = body.textContent?.replace(/\s+/g, ' ').trim() ?? '';
  if (!text) return undefined;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function boundsOf(header: Header): [number, number, number, number] | undefined {
  const west = Math.max(-180, header.minLon);
  const south = Math.max(-MAX_LATITUDE, header.minLat);
  const east = Math.min(180, header.maxLon);
  const north = Math.min(MAX_LATITUDE, header.maxLat);
  return west < east && south < north ? [west, south, east, north] : undefined;
}

/**
 * Polygons as a light fill (water in the sea's colour), lines as thin grey lines; nothing
 * else. All fills go before all lines, so that no area hides a road or a border.
 */
export function vectorLayers(ids: string[]): LayerSpecification[] {
  const fills = ids.map(
    (id): LayerSpecification => ({
      id: `${LAYER_PREFIX}${id}-fill`,
      type: 'fill',
      source: BASEMAP_SOURCE_ID,
      'source-layer': id,
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': WATER_LAYER.test(id) ? BASEMAP_WATER : BASEMAP_LAND, 'fill-opacity': 0.9 },
    }),
  );
  const lines = ids.map(
    (id): LayerSpecification => ({
      id: `${LAYER_PREFIX}${id}-line`,
      type: 'line',
      source: BASEMAP_SOURCE_ID,
      'source-layer': id,
      filter: ['==', ['geometry-type'], 'LineString'],
      paint: { 'line-color': BASEMAP_LINE, 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.4, 14, 1] },
    }),
  );
  return [...fills, ...lines];
}

/** Builds the basemap's sources and layers from the archive's header and metadata. */
export function basemapFromArchive(archiveUrl: string, header: Header, metadata: ArchiveMetadata): Basemap {
  const common = {
    tiles: [`pmtiles://${archiveUrl}/{z}/{x}/{y}`],
    minzoom: header.minZoom,
    maxzoom: header.maxZoom,
    ...(boundsOf(header) ? { bounds: boundsOf(header) } : {}),
    ...(attributionText(metadata) ? { attribution: attributionText(metadata) } : {}),
  };
  switch (header.tileType) {
    case TileType.Png:
    case TileType.Jpeg:
    case TileType.Webp:
    case TileType.Avif:
      return {
        sources: { [BASEMAP_SOURCE_ID]: { type: 'raster', tileSize: 256, ...common } },
        layers: [{ id: `${LAYER_PREFIX}raster`, type: 'raster', source: BASEMAP_SOURCE_ID }],
      };
    case TileType.Mvt:
    case TileType.Mlt: {
      const ids = vectorLayerIds(metadata);
      if (ids.length === 0) throw new Error('The vector basemap archive lists no vector_layers in its metadata');
      return {
        sources: {
          [BASEMAP_SOURCE_ID]: { type: 'vector', ...common, ...(header.tileType === TileType.Mlt ? { encoding: 'mlt' } : {}) },
        },
        layers: vectorLayers(ids),
      };
    }
    default:
      throw new Error(`The basemap archive holds tiles of an unsupported type (${header.tileType})`);
  }
}

/** Reads the archive's header and metadata; rejects when the archive cannot be read or used. */
export async function loadPmtilesBasemap(url: string): Promise<Basemap> {
  const archiveUrl = new URL(url, window.location.href).href;
  const archive = new PMTiles(archiveUrl);
  const header = await archive.getHeader();
  const metadata = ((await archive.getMetadata()) ?? {}) as ArchiveMetadata;
  // The protocol reuses this instance, and with it the header and directories just read.
  pmtilesProtocol().add(archive);
  return basemapFromArchive(archiveUrl, header, metadata);
}

function washGovernorates(map: MapLibreMap, overBasemap: boolean): void {
  if (map.getLayer(LAYER_IDS.governorateFill)) {
    map.setPaintProperty(LAYER_IDS.governorateFill, 'fill-opacity', governorateFillOpacity(overBasemap));
  }
}

/** Adds the basemap under the map's own layers, which are there already. */
export function addBasemap(map: MapLibreMap, basemap: Basemap): void {
  const below = map.getLayer(LAYER_IDS.governorateFill) ? LAYER_IDS.governorateFill : undefined;
  for (const [id, source] of Object.entries(basemap.sources)) {
    if (!map.getSource(id)) map.addSource(id, source);
  }
  for (const layer of basemap.layers) {
    if (!map.getLayer(layer.id)) map.addLayer(layer, below);
  }
  washGovernorates(map, true);
}

export function removeBasemap(map: MapLibreMap, basemap: Basemap): void {
  for (const layer of basemap.layers) {
    if (map.getLayer(layer.id)) map.removeLayer(layer.id);
  }
  for (const id of Object.keys(basemap.sources)) {
    if (map.getSource(id)) map.removeSource(id);
  }
  washGovernorates(map, false);
}
