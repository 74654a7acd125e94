import { Alert, Box, Grid } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { configQueries, geoQueries } from '../../http/queries/geo';
import type { Selection } from './geo-types';
import { MapLegend } from './map-legend';
import { type Camera, MapView } from './map-view';

// Below the header (56px), page padding and the title.
const MAP_HEIGHT = { base: '60dvh', md: 'calc(100dvh - 56px - 2 * var(--mantine-spacing-md) - 56px)' };

export default function MapPage() {
  const { t } = useTranslation();
  const camera = useRef<Camera | null>(null);
  const [selection, setSelection] = useState<Selection>(null);
  const config = useQuery(configQueries.current());
  // A style URL takes precedence; a PMTiles archive is read only when there is none.
  const pmtilesUrl = config.data && !config.data.basemap.styleUrl ? config.data.basemap.pmtilesUrl : null;
  const basemap = useQuery({ ...geoQueries.basemap(pmtilesUrl), staleTime: Infinity, retry: false });
  const [styleFailed, setStyleFailed] = useState(false);
  const governorates = useQuery(geoQueries.governorates());
  const crossings = useQuery(geoQueries.crossings());
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
