/** The app's public configuration and the map's places. */
import { queryOptions } from '@tanstack/react-query';
import { loadPmtilesBasemap } from '../../pages/map/basemap';
import type { Crossings, Governorates } from '../../pages/map/geo-types';
import { api } from '../api-client';
import { queryKeys } from '../query-keys';
import type { AppConfig } from '../types';

const config = queryKeys('config');
const current = config.kind('current');
const geo = queryKeys('geo');
const governorates = geo.kind('governorates');
const crossings = geo.kind('crossings');
const basemap = geo.kind('basemap');

export const configQueries = {
  all: config.all,
  current: () => queryOptions({ queryKey: current(), queryFn: () => api.get<AppConfig>('/api/config'), staleTime: Infinity }),
};

export const geoQueries = {
  all: geo.all,
  governorates: () =>
    queryOptions({ queryKey: governorates(), queryFn: () => api.get<Governorates>('/api/geo/governorates'), staleTime: 5 * 60_000 }),
  crossings: () => queryOptions({ queryKey: crossings(), queryFn: () => api.get<Crossings>('/api/geo/crossings'), staleTime: 60_000 }),
  /** The offline basemap read from a PMTiles archive (only the map page asks for it). */
  basemap: (pmtilesUrl: string | null) =>
    queryOptions({
      queryKey: basemap(pmtilesUrl),
      queryFn: () =>
        loadPmtilesBasemap(pmtilesUrl ?? '').catch((error: unknown) => {
          console.warn('The PMTiles basemap could not be read; the map shows its own data only', error);
          throw error;
        }),
      enabled: Boolean(pmtilesUrl),
    }),
};
