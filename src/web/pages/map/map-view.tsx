import 'maplibre-gl/dist/maplibre-gl.css';
import './map.css';
import {
  AttributionControl,
  type MapGeoJSONFeature,
  Map as MapLibreMap,
  Marker,
  NavigationControl,
  Popup,
  setWorkerUrl,
} from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { type RefObject, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppConfig } from '../../http/types';
import { useFormat } from '../../i18n/format';
import { addBasemap, type Basemap, removeBasemap } from './basemap';
import { type Crossings, type Governorates, localName, type Selection } from './geo-types';
import { type Bounds, boundsOf, labelPoint, lineLabelPoint } from './map-geometry';
import { addGeoLayers, CROSSING_SOURCE, GOVERNORATE_SOURCE, INTERACTIVE_LAYERS, LAYER_IDS, offlineStyle } from './map-layers';
import { crossingPopup, governoratePopup } from './map-popups';

// Bundling moves MapLibre away from its worker file, so say where the worker is.
setWorkerUrl(workerUrl);

declare global {
  interface Window {
    __concordMap?: MapLibreMap;
  }
}

function crossingAnchor(geometry: Crossings['features'][number]['geometry'], bounds: Bounds | null) {
  return geometry.type === 'LineString' ? lineLabelPoint(geometry.coordinates, bounds) : labelPoint(geometry);
}

/** Centred on the point, or beside it: after (to its right) or before (to its left). */
type LabelPlacement = 'centre' | 'after' | 'before';

export interface Camera {
  center: [number, number];
  zoom: number;
}

interface MapViewProps {
  config: AppConfig;
  /** Drawn under the map's own layers once it is known; null for none. */
  basemap: Basemap | null;
  /** Called when the configured basemap style cannot be loaded and the offline style is used instead. */
  onBasemapFailed: () => void;
  governorates: Governorates;
  crossings: Crossings;
  selection: Selection;
  onSelect: (selection: Selection) => void;
  /** Survives the map being rebuilt when the language changes. */
  camera: RefObject<Camera | null>;
}

export function MapView({ config, basemap, onBasemapFailed, governorates, crossings, selection, onSelect, camera }: MapViewProps) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const language = i18n.resolvedLanguage ?? 'en';
  const containerRef = useRef<HTMLElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const popupRef = useRef<Popup | null>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const onBasemapFailedRef = useRef(onBasemapFailed);
  onBasemapFailedRef.current = onBasemapFailed;
  const [ready, setReady] = useState(false);
  const [loadedMap, setLoadedMap] = useState<MapLibreMap | null>(null);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const rtl = language === 'ar';
    const saved = camera.current;
    const bounds = boundsOf(governorates.features.map((f) => f.geometry));
    const map = new MapLibreMap({
      container,
      style: config.basemap.styleUrl ?? offlineStyle(),
      ...(saved ? { center: saved.center, zoom: saved.zoom } : bounds ? { bounds } : {}),
      fitBoundsOptions: { padding: 32 },
      attributionControl: false,
      locale: {
        'Map.Title': t('map.canvasLabel'),
        'NavigationControl.ZoomIn': t('map.zoomIn'),
        'NavigationControl.ZoomOut': t('map.zoomOut'),
        'NavigationControl.ResetBearing': t('map.resetBearing'),
        'Popup.Close': t('map.closePopup'),
        'AttributionControl.ToggleAttribution': t('map.toggleAttribution'),
      },
    });
    map.addControl(new NavigationControl({ showCompass: false }), rtl ? 'top-left' : 'top-right');
    map.addControl(
      // MapLibre inserts this as HTML; the text is our own translation, and the span keeps
      // an Arabic line in the right order inside the map's left-to-right controls.
      new AttributionControl({
        compact: false,
        customAttribution: `<span dir="${rtl ? 'rtl' : 'ltr'}">${t('map.attribution')}</span>`,
      }),
      rtl ? 'bottom-left' : 'bottom-right',
    );
    mapRef.current = map;

    const markers: Marker[] = [];
    const addLabel = (text: string, at: [number, number], kind: 'governorate' | 'crossing', id: string, placement: LabelPlacement) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = `concord-map-label concord-map-label--${kind}`;
      button.textContent = text;
      button.lang = language;
      button.addEventListener('click', (event) => {
        event.stopPropagation();
        onSelectRef.current({ kind, id });
      });
      const marker =
        placement === 'centre'
          ? new Marker({ element: button, anchor: 'center' })
          : placement === 'after'
            ? new Marker({ element: button, anchor: 'left', offset: [10, 0] })
            : new Marker({ element: button, anchor: 'right', offset: [-10, 0] });
      markers.push(marker.setLngLat(at).addTo(map));
    };

    let styleFailed = false;
    map.on('error', (event) => {
      // A configured basemap that cannot be reached must not leave the page blank.
      if (!map.loaded() && !styleFailed && config.basemap.styleUrl) {
        styleFailed = true;
        console.warn('Basemap style failed to load; using the offline style', event.error);
        map.setStyle(offlineStyle());
        onBasemapFailedRef.current();
      }
    });

    map.on('load', () => {
      addGeoLayers(map, governorates, crossings);
      for (const feature of governorates.features) {
        const at = labelPoint(feature.geometry);
        if (at) addLabel(localName(feature.properties, language), at, 'governorate', feature.properties.id, 'centre');
      }
      for (const feature of crossings.features) {
        const at = crossingAnchor(feature.geometry, bounds);
        // A corridor arrives from the sea, so its name sits seaward of where it lands.
        const placement = feature.geometry.type === 'LineString' ? 'before' : 'after';
        if (at) addLabel(localName(feature.properties, language), at, 'crossing', feature.properties.id, placement);
      }
      window.__concordMap = map;
      setLoadedMap(map);
      map.once('idle', () => setReady(true));
    });

    map.on('click', (event) => {
      const hits: MapGeoJSONFeature[] = map.queryRenderedFeatures(event.point, {
        layers: INTERACTIVE_LAYERS.filter((id) => map.getLayer(id)),
      });
      const hit = hits.find((f) => f.layer.id !== LAYER_IDS.governorateFill) ?? hits[0];
      const id = hit?.properties?.id;
      if (!hit || typeof id !== 'string') {
        onSelectRef.current(null);
        return;
      }
      onSelectRef.current({ kind: hit.layer.id === LAYER_IDS.governorateFill ? 'governorate' : 'crossing', id });
    });
    for (const layer of INTERACTIVE_LAYERS) {
      map.on('mouseenter', layer, () => {
        map.getCanvas().style.cursor = 'pointer';
      });
      map.on('mouseleave', layer, () => {
        map.getCanvas().style.cursor = '';
      });
    }

    return () => {
      const center = map.getCenter();
      camera.current = { center: [center.lng, center.lat], zoom: map.getZoom() };
      for (const marker of markers) marker.remove();
      popupRef.current = null;
      mapRef.current = null;
      if (window.__concordMap === map) delete window.__concordMap;
      map.remove();
      setReady(false);
      setLoadedMap(null);
    };
    // The map is rebuilt only when its data or language changes; callbacks go through refs.
  }, [config, governorates, crossings, language, t, camera]);

  // The basemap goes under the map's own layers, whether it is known before the map loads or after.
  useEffect(() => {
    if (!loadedMap || !basemap) return;
    addBasemap(loadedMap, basemap);
    return () => {
      if (mapRef.current === loadedMap) removeBasemap(loadedMap, basemap);
    };
  }, [loadedMap, basemap]);

  // The selected feature is highlighted through its `selected` feature state, which the
  // layers style; whatever was selected before goes back to normal.
  useEffect(() => {
    const map = loadedMap;
    if (!map || !selection) return;
    const target = { source: selection.kind === 'governorate' ? GOVERNORATE_SOURCE : CROSSING_SOURCE, id: selection.id };
    if (!map.getSource(target.source)) return;
    map.setFeatureState(target, { selected: true });
    return () => {
      if (mapRef.current === map && map.getSource(target.source)) map.setFeatureState(target, { selected: false });
    };
  }, [loadedMap, selection]);

  // Show the popup for whatever is selected, whether picked on the map or in the list.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !ready || !selection) return;
    const context = { t, language, formatNumber: format.number };
    let content: HTMLElement | null = null;
    let at: [number, number] | null = null;
    if (selection.kind === 'governorate') {
      const feature = governorates.features.find((f) => f.properties.id === selection.id);
      if (feature) {
        content = governoratePopup(feature.properties, context);
        at = labelPoint(feature.geometry);
      }
    } else {
      const feature = crossings.features.find((f) => f.properties.id === selection.id);
      if (feature) {
        content = crossingPopup(feature.properties, context);
        at = crossingAnchor(feature.geometry, boundsOf(governorates.features.map((f) => f.geometry)));
      }
    }
    if (!content || !at) return;
    content.dir = language === 'ar' ? 'rtl' : 'ltr';
    const popup = new Popup({ maxWidth: '280px', focusAfterOpen: false }).setLngLat(at).setDOMContent(content);
    popup.on('close', () => {
      if (popupRef.current === popup) onSelectRef.current(null);
    });
    popup.addTo(map);
    popupRef.current = popup;
    return () => {
      if (popupRef.current === popup) popupRef.current = null;
      popup.remove();
    };
  }, [selection, ready, governorates, crossings, language, t, format]);

  return (
    <section
      ref={containerRef}
      className="concord-map"
      data-testid="map"
      data-ready={ready ? 'true' : undefined}
      aria-label={t('map.regionLabel')}
    />
  );
}
