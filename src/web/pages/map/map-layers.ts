/**
 * The map's own style and layers. With no basemap configured the style is a single
 * background colour: nothing is fetched from the internet, and no symbol layers are
 * used because text needs glyph fonts from a server. Names are DOM markers instead.
 */
import type { ExpressionSpecification, Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';
import type { Crossings, Governorates } from './geo-types';

export const SEA_COLOUR = '#aacfe4';
export const LAND_COLOUR = '#f2ead8';
export const BOUNDARY_COLOUR = '#8c6d3f';
export const CORRIDOR_COLOUR = '#1864ab';

/** Crossing status colours; statuses the server adds later fall back to grey. */
export const STATUS_COLOURS: Record<string, string> = {
  open: '#2b8a3e',
  limited: '#e67700',
  restricted: '#e67700',
  partial: '#e67700',
  planned: '#5c7cfa',
  closed: '#c92a2a',
};
export const UNKNOWN_STATUS_COLOUR = '#868e96';

export const LAYER_IDS = {
  governorateFill: 'governorates-fill',
  governorateOutline: 'governorates-outline',
  corridor: 'crossings-corridor',
  crossings: 'crossings-points',
} as const;

export const INTERACTIVE_LAYERS = [LAYER_IDS.crossings, LAYER_IDS.corridor, LAYER_IDS.governorateFill];

export function offlineStyle(): StyleSpecification {
  return {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': SEA_COLOUR } }],
  };
}

/** Over a basemap the governorates are washed in lightly, so that the basemap shows through. */
export function governorateFillOpacity(overBasemap: boolean): ExpressionSpecification {
  return ['case', ['boolean', ['feature-state', 'selected'], false], overBasemap ? 0.6 : 1, overBasemap ? 0.35 : 0.85];
}

function statusColour(): ExpressionSpecification {
  const pairs = Object.entries(STATUS_COLOURS).flat();
  return ['match', ['get', 'status'], ...pairs, UNKNOWN_STATUS_COLOUR] as unknown as ExpressionSpecification;
}

export function addGeoLayers(map: MapLibreMap, governorates: Governorates, crossings: Crossings): void {
  map.addSource('governorates', { type: 'geojson', data: governorates, promoteId: 'id' });
  map.addSource('crossings', { type: 'geojson', data: crossings, promoteId: 'id' });

  map.addLayer({
    id: LAYER_IDS.governorateFill,
    type: 'fill',
    source: 'governorates',
    paint: {
      'fill-color': LAND_COLOUR,
      'fill-opacity': governorateFillOpacity(false),
    },
  });
  map.addLayer({
    id: LAYER_IDS.governorateOutline,
    type: 'line',
    source: 'governorates',
    paint: {
      'line-color': BOUNDARY_COLOUR,
      'line-width': ['case', ['boolean', ['feature-state', 'selected'], false], 3, 1.2],
    },
  });
  map.addLayer({
    id: LAYER_IDS.corridor,
    type: 'line',
    source: 'crossings',
    filter: ['==', ['geometry-type'], 'LineString'],
    layout: { 'line-cap': 'round' },
    paint: { 'line-color': CORRIDOR_COLOUR, 'line-width': 2.5, 'line-dasharray': [2, 2] },
  });
  map.addLayer({
    id: LAYER_IDS.crossings,
    type: 'circle',
    source: 'crossings',
    filter: ['==', ['geometry-type'], 'Point'],
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 5, 13, 9],
      'circle-color': statusColour(),
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 2,
    },
  });
}
