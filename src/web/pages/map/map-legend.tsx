import { Box, Group, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format';
import { type Crossings, type Governorates, localName, type Selection, statusOf } from './geo-types';
import { labelPoint } from './map-geometry';
import { BACKGROUND_COLOUR, CORRIDOR_COLOUR, LAND_COLOUR, SELECTED_LAND_COLOUR, STATUS_COLOURS, UNKNOWN_STATUS_COLOUR } from './map-layers';
import { formatYear } from './map-popups';

interface MapLegendProps {
  governorates: Governorates;
  crossings: Crossings;
  selection: Selection;
  onSelect: (selection: Selection) => void;
  /** The map shows no basemap: its plain background is explained. */
  plainBackground: boolean;
}

/** Listed as they lie on the map, north first, rather than alphabetically. */
function northToSouth(governorates: Governorates) {
  const latitude = (f: Governorates['features'][number]) => labelPoint(f.geometry)?.[1] ?? 0;
  return [...governorates.features].sort((a, b) => latitude(b) - latitude(a));
}

/** Ways into the Strip first, then ports, then corridors from overseas; unknown kinds last. */
const KIND_ORDER: Record<string, number> = { land_crossing: 0, gate: 0, port: 1, corridor: 2 };

/** Crossings grouped by kind, and by the name shown within a group. */
export function crossingsInOrder(crossings: Crossings, language: string) {
  const collator = new Intl.Collator(language === 'ar' ? 'ar' : 'en');
  const rank = (f: Crossings['features'][number]) => KIND_ORDER[f.properties.kind] ?? 3;
  return [...crossings.features].sort(
    (a, b) => rank(a) - rank(b) || collator.compare(localName(a.properties, language), localName(b.properties, language)),
  );
}

function Swatch({ colour, shape }: { colour: string; shape: 'square' | 'circle' | 'dash' }) {
  const common = { flex: 'none', backgroundColor: colour } as const;
  if (shape === 'dash') {
    return <Box aria-hidden w={18} h={0} style={{ flex: 'none', borderTop: `3px dashed ${colour}` }} />;
  }
  return <Box aria-hidden w={12} h={12} style={{ ...common, borderRadius: shape === 'circle' ? '50%' : 2, border: '1px solid #868e96' }} />;
}

/** The same data as the map, readable as text and usable by keyboard and screen reader. */
export function MapLegend({ governorates, crossings, selection, onSelect, plainBackground }: MapLegendProps) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const language = i18n.resolvedLanguage ?? 'en';
  const total = governorates.features.reduce((sum, f) => sum + (f.properties.population ?? 0), 0);
  const isSelected = (kind: 'governorate' | 'crossing', id: string) => selection?.kind === kind && selection.id === id;

  const item = (kind: 'governorate' | 'crossing', id: string, children: React.ReactNode) => (
    <UnstyledButton
      key={id}
      onClick={() => onSelect(isSelected(kind, id) ? null : { kind, id })}
      aria-pressed={isSelected(kind, id)}
      p={6}
      style={{
        borderRadius: 4,
        width: '100%',
        background: isSelected(kind, id) ? 'var(--mantine-color-blue-0)' : undefined,
      }}
    >
      {children}
    </UnstyledButton>
  );

  return (
    <Stack gap="md" data-testid="map-legend">
      <section aria-labelledby="legend-governorates">
        <Title order={3} size="h5" id="legend-governorates" mb={4}>
          {t('map.governorates')}
        </Title>
        <Stack gap={0}>
          {northToSouth(governorates).map((f) =>
            item(
              'governorate',
              f.properties.id,
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Group gap={6} wrap="nowrap">
                  <Swatch colour={isSelected('governorate', f.properties.id) ? SELECTED_LAND_COLOUR : LAND_COLOUR} shape="square" />
                  <Text size="sm">{localName(f.properties, language)}</Text>
                </Group>
                <Text size="sm" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                  {f.properties.population === null ? '—' : format.number(f.properties.population)}
                </Text>
              </Group>,
            ),
          )}
        </Stack>
        <Group justify="space-between" px={6} mt={4}>
          <Text size="sm" fw={600}>
            {t('map.totalPopulation')}
          </Text>
          <Text size="sm" fw={600}>
            {format.number(total)}
          </Text>
        </Group>
        <PopulationSources governorates={governorates} language={language} />
        {plainBackground && (
          <Group gap={6} wrap="nowrap" px={6} mt={6} align="flex-start">
            <Box pt={3}>
              <Swatch colour={BACKGROUND_COLOUR} shape="square" />
            </Box>
            <Text size="xs" c="dimmed">
              {t('map.plainBackground')}
            </Text>
          </Group>
        )}
      </section>
      <section aria-labelledby="legend-crossings">
        <Title order={3} size="h5" id="legend-crossings" mb={4}>
          {t('map.crossings')}
        </Title>
        <Stack gap={0}>
          {crossingsInOrder(crossings, language).map((f) => {
            const line = f.geometry.type === 'LineString';
            const status = statusOf(f.properties);
            const colour = line ? CORRIDOR_COLOUR : ((status && STATUS_COLOURS[status]) ?? UNKNOWN_STATUS_COLOUR);
            const kind = t(`map.kinds.${f.properties.kind}`, { defaultValue: f.properties.kind });
            return item(
              'crossing',
              f.properties.id,
              <Group gap={6} wrap="nowrap" align="flex-start">
                <Box pt={4}>
                  <Swatch colour={colour} shape={line ? 'dash' : 'circle'} />
                </Box>
                <div>
                  <Text size="sm">{localName(f.properties, language)}</Text>
                  <Text size="xs" c="dimmed">
                    {status ? t('map.kindAndStatus', { kind, status: t(`map.statuses.${status}`, { defaultValue: status }) }) : kind}
                  </Text>
                </div>
              </Group>,
            );
          })}
        </Stack>
      </section>
    </Stack>
  );
}

function PopulationSources({ governorates, language }: { governorates: Governorates; language: string }) {
  const { t } = useTranslation();
  const groups = new Map<string, string[]>();
  for (const { properties: p } of governorates.features) {
    if (!p.populationSource) continue;
    const key = [p.populationSource, p.populationYear ? formatYear(p.populationYear, language) : null].filter(Boolean).join(', ');
    groups.set(key, [...(groups.get(key) ?? []), localName(p, language)]);
  }
  if (groups.size === 0) return null;
  const list = new Intl.ListFormat(language === 'ar' ? 'ar' : 'en', { type: 'conjunction' });
  return (
    <Box component="details" px={6} mt={4}>
      <Text component="summary" size="xs" c="dimmed" style={{ cursor: 'pointer' }}>
        {t('map.populationSources')}
      </Text>
      <Stack gap={4} mt={4}>
        {[...groups].map(([source, names]) => (
          <Text key={source} size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            <Text span fw={600} inherit>
              {list.format(names)}
            </Text>
            {': '}
            {/* Sources are cited as published, in English; dir isolates them in an Arabic line. */}
            <span lang={language === 'en' ? undefined : 'en'} dir="ltr" translate="no">
              {source}
            </span>
          </Text>
        ))}
      </Stack>
    </Box>
  );
}
