/**
 * The map's own style and layers. With no basemap configured the style is a single
 * background colour: nothing is fetched from the internet, and no symbol layers are
 * used because text needs glyph fonts from a server. Names are DOM markers instead.
 *
 * The app ships no land or coastline data, so the background is a neutral grey-beige
 * that claims neither land nor sea; the sea's colour is kept for water a basemap knows.
 */
import type { ExpressionSpecification, Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';
import type { Crossings, Governorates } from './geo-types';

export const BACKGROUND_COLOUR = '#e4e1da';
export const SEA_COLOUR = '#aacfe4';
export const LAND_COLOUR = '#faf4e4';
export const SELECTED_LAND_COLOUR = '#f2d48f';
export const BOUNDARY_COLOUR = '#8c6d3f';
export const SELECTED_BOUNDARY_COLOUR = '#5c4420';
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
export const UNKNOWN_STATUS_COLOUR = '#5c636a';

export const LAYER_IDS = {
  governorateFill: 'governorates-fill',
  governorateOutline: 'governorates-outline',
  corridor: 'crossings-corridor',
  crossings: 'crossings-points',
} as const;

export const GOVERNORATE_SOURCE = 'governorates';
export const CROSSING_SOURCE = 'crossings';

export const INTERACTIVE_LAYERS = [LAYER_IDS.crossings, LAYER_IDS.corridor, LAYER_IDS.governorateFill];

export function offlineStyle(): StyleSpecification {
  return {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': BACKGROUND_COLOUR } }],
  };
}

/** Whether the feature is the one selected on the map or in the legend. */
const SELECTED: ExpressionSpecification = ['boolean', ['feature-state', 'selected'], false];

/** Over a basemap the governorates are washed in lightly, so that the basemap shows through. */
export function governorateFillOpacity(overBasemap: boolean): ExpressionSpecification {
  return ['case', SELECTED, overBasemap ? 0.6 : 1, overBasemap ? 0.35 : 1];
}

function statusColour(): ExpressionSpecification {
  const pairs = Object.entries(STATUS_COLOURS).flat();
  return ['match', ['get', 'status'], ...pairs, UNKNOWN_STATUS_COLOUR] as unknown as ExpressionSpecification;
}

export function addGeoLayers(map: MapLibreMap, governorates: Governorates, crossings: Crossings): void {
  // promoteId: the features' `id` property is their feature id, which feature state is keyed by.
  map.addSource(GOVERNORATE_SOURCE, { type: 'geojson', data: governorates, promoteId: 'id' });
  map.addSource(CROSSING_SOURCE, { type: 'geojson', data: crossings, promoteId: 'id' });

  map.addLayer({
    id: LAYER_IDS.governorateFill,
    type: 'fill',
    source: GOVERNORATE_SOURCE,
    paint: {
      'fill-color': ['case', SELECTED, SELECTED_LAND_COLOUR, LAND_COLOUR],
      'fill-opacity': governorateFillOpacity(false),
    },
  });
  map.addLayer({
    id: LAYER_IDS.governorateOutline,
    type: 'line',
    source: GOVERNORATE_SOURCE,
    paint: {
      'line-color': ['case', SELECTED, SELECTED_BOUNDARY_COLOUR, BOUNDARY_COLOUR],
      'line-width': ['case', SELECTED, 3, 1.2],
    },
  });
  map.addLayer({
    id: LAYER_IDS.corridor,
    type: 'line',
    source: CROSSING_SOURCE,
    filter: ['==', ['geometry-type'], 'LineString'],
    layout: { 'line-cap': 'round' },
    paint: { 'line-color': CORRIDOR_COLOUR, 'line-width': ['case', SELECTED, 5, 2.5], 'line-dasharray': [2, 2] },
  });
  map.addLayer({
    id: LAYER_IDS.crossings,
    type: 'circle',
    source: CROSSING_SOURCE,
    filter: ['==', ['geometry-type'], 'Point'],
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, ['case', SELECTED, 8, 5], 13, ['case', SELECTED, 12, 9]],
      'circle-color': statusColour(),
      'circle-stroke-color': ['case', SELECTED, '#212529', '#ffffff'],
      'circle-stroke-width': ['case', SELECTED, 3, 2],
    },
  });
}
