import { Alert, Box, Grid } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { api } from '../../http/api-client';
import type { AppConfig } from '../../http/types';
import { loadPmtilesBasemap } from './basemap';
import type { Crossings, Governorates, Selection } from './geo-types';
import { MapLegend } from './map-legend';
import { type Camera, MapView } from './map-view';

// Below the header (56px), page padding and the title.
const MAP_HEIGHT = { base: '60dvh', md: 'calc(100dvh - 56px - 2 * var(--mantine-spacing-md) - 56px)' };

export default function MapPage() {
  const { t } = useTranslation();
  const camera = useRef<Camera | null>(null);
  const [selection, setSelection] = useState<Selection>(null);
  const config = useQuery({
    queryKey: ['config'],
    queryFn: () => api.get<AppConfig>('/api/config'),
    staleTime: Infinity,
  });
  // A style URL takes precedence; a PMTiles archive is read only when there is none.
  const pmtilesUrl = config.data && !config.data.basemap.styleUrl ? config.data.basemap.pmtilesUrl : null;
  const basemap = useQuery({
    queryKey: ['basemap', pmtilesUrl],
    queryFn: () =>
      loadPmtilesBasemap(pmtilesUrl ?? '').catch((error: unknown) => {
        console.warn('The PMTiles basemap could not be read; the map shows its own data only', error);
        throw error;
      }),
    enabled: Boolean(pmtilesUrl),
    staleTime: Infinity,
    retry: false,
  });
  const [styleFailed, setStyleFailed] = useState(false);
  const governorates = useQuery({
    queryKey: ['geo', 'governorates'],
    queryFn: () => api.get<Governorates>('/api/geo/governorates'),
    staleTime: 5 * 60_000,
  });
  const crossings = useQuery({
    queryKey: ['geo', 'crossings'],
    queryFn: () => api.get<Crossings>('/api/geo/crossings'),
    staleTime: 60_000,
  });
  const error = config.error ?? governorates.error ?? crossings.error;
  // The map does not wait for the basemap: it is drawn underneath whenever it arrives.
  const pending = config.isPending || governorates.isPending || crossings.isPending;
  const basemapFailed = basemap.isError || styleFailed;

  return (
    <>
      <PageHeader title={t('map.title')} />
      <QueryState isPending={pending} error={error}>
        {config.data && governorates.data && crossings.data && (
          <Grid gap="md">
            <Grid.Col span={{ base: 12, md: 8, lg: 9 }}>
              <Box h={MAP_HEIGHT}>
                <MapView
                  config={config.data}
                  basemap={basemap.data ?? null}
                  onBasemapFailed={() => setStyleFailed(true)}
                  governorates={governorates.data}
                  crossings={crossings.data}
                  selection={selection}
                  onSelect={setSelection}
                  camera={camera}
                />
              </Box>
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 4, lg: 3 }}>
              <Box mah={{ base: 'none', md: MAP_HEIGHT.md }} style={{ overflowY: 'auto' }} pe={4}>
                {basemapFailed && (
                  <Alert color="yellow" mb="md" p="xs" role="status" data-testid="basemap-notice">
                    {t('map.basemapUnavailable')}
                  </Alert>
                )}
                <MapLegend
                  governorates={governorates.data}
                  crossings={crossings.data}
                  selection={selection}
                  onSelect={setSelection}
                  plainBackground={!basemap.data && (!config.data.basemap.styleUrl || styleFailed)}
                />
                <Alert color="gray" mt="md" p="xs">
                  {t('map.illustrative')}
                </Alert>
              </Box>
            </Grid.Col>
          </Grid>
        )}
      </QueryState>
    </>
  );
}
