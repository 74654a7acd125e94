import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, openMap, shownText, signIn, snapshot, suiteTitle, useE2E, visible } from './support/e2e.ts';
import { ROOT } from './support/server.ts';

// What the Gaza scenario loads, read from the same files the server seeds from.
const DATA = join(ROOT, 'src/server/modules/geo/data');
const GOVERNORATES: { properties: { nameEn: string } }[] = JSON.parse(readFileSync(join(DATA, 'governorates.geojson'), 'utf8')).features;
const CROSSINGS: { nameEn: string; kind: string; geometry: { type: string } }[] = JSON.parse(
  readFileSync(join(DATA, 'crossings.json'), 'utf8'),
);
// The legend lists ways into the Strip first, then ports, then corridors.
const KIND_GROUP: Record<string, number> = { land_crossing: 0, gate: 0, port: 1, corridor: 2 };

/** The names of the features whose `selected` feature state is set, by source. */
function selectedOnMap() {
  type Feature = { id?: string | number; properties: Record<string, unknown> };
  type ConcordMap = {
    querySourceFeatures(source: string): Feature[];
    getFeatureState(feature: { source: string; id: string | number }): { selected?: boolean };
  };
  const map = (window as unknown as { __concordMap: ConcordMap }).__concordMap;
  const selected: string[] = [];
  for (const source of ['governorates', 'crossings']) {
    const ids = new Set(map.querySourceFeatures(source).map((f) => f.id ?? String(f.properties.id)));
    for (const id of ids) if (map.getFeatureState({ source, id }).selected) selected.push(`${source}:${id}`);
  }
  return selected.sort();
}

interface MapFacts {
  sources: string[];
  layers: string[];
  governoratesInSource: string[];
  governoratesRendered: string[];
  crossingsInSource: { id: string; geometry: string }[];
  crossingPointsRendered: string[];
  corridorRendered: string[];
}

describe.skipIf(!HAS_CHROMIUM)(suiteTitle('the map page'), { timeout: 120_000 }, () => {
  const e2e = useE2E();

  it('shows the five governorates and all nine crossings, offline, with attribution', async () => {
    expect(GOVERNORATES).toHaveLength(5);
    expect(CROSSINGS).toHaveLength(9);

    const context = await e2e.newContext();
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // The server's Content-Security-Policy allows no inline script and workers from blob: only: nothing the map needs is refused.
    const refusedByPolicy: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refusedByPolicy.push(message.text());
    });

    await signIn(page, e2e.server, 'admin@concord.example');
    await openMap(page);

    const facts = await page.evaluate(async (): Promise<MapFacts> => {
      type Feature = { id?: string | number; properties: Record<string, unknown>; geometry: { type: string } };
      type ConcordMap = {
        getStyle(): { sources: Record<string, unknown>; layers: { id: string }[] };
        getSource(id: string): { getData(): Promise<{ features: Feature[] }> } | undefined;
        querySourceFeatures(source: string): Feature[];
        queryRenderedFeatures(options: { layers: string[] }): Feature[];
      };
      const map = (window as unknown as { __concordMap: ConcordMap }).__concordMap;
      // Features are split across tiles, so the same one can come back more than once.
      const ids = (features: Feature[]) => [...new Set(features.map((f) => String(f.properties.id ?? f.id)))].sort();
      const crossings = (await map.getSource('crossings')?.getData())?.features ?? [];
      return {
        sources: Object.keys(map.getStyle().sources),
        layers: map.getStyle().layers.map((layer) => layer.id),
        governoratesInSource: ids(map.querySourceFeatures('governorates')),
        governoratesRendered: ids(map.queryRenderedFeatures({ layers: ['governorates-fill'] })),
        crossingsInSource: crossings.map((f) => ({ id: String(f.properties.id), geometry: f.geometry.type })),
        crossingPointsRendered: ids(map.queryRenderedFeatures({ layers: ['crossings-points'] })),
        corridorRendered: ids(map.queryRenderedFeatures({ layers: ['crossings-corridor'] })),
      };
    });

    expect(facts.sources).toEqual(expect.arrayContaining(['governorates', 'crossings']));
    expect(facts.layers).toEqual(
      expect.arrayContaining(['governorates-fill', 'governorates-outline', 'crossings-corridor', 'crossings-points']),
    );
    // All five governorates are drawn: the map opens fitted to the Strip.
    expect(facts.governoratesInSource).toHaveLength(5);
    expect(facts.governoratesRendered).toEqual(facts.governoratesInSource);
    // Nine entry points, one of them the maritime corridor drawn as a line.
    expect(facts.crossingsInSource).toHaveLength(9);
    expect(new Set(facts.crossingsInSource.map((c) => c.id)).size).toBe(9);
    expect(facts.crossingsInSource.filter((c) => c.geometry === 'LineString')).toHaveLength(1);
    expect(facts.crossingsInSource.filter((c) => c.geometry === 'Point')).toHaveLength(8);
    // Ashdod, Allenby and Larnaca lie outside the first view; the crossings on the Strip's edge are drawn.
    expect(facts.crossingPointsRendered.length).toBeGreaterThanOrEqual(6);
    expect(facts.corridorRendered).toHaveLength(1);

    // The legend lists every governorate and every crossing by name.
    const legend = page.getByTestId('map-legend');
    await visible(legend);
    const legendText = await shownText(legend);
    for (const { properties } of GOVERNORATES) expect(legendText).toContain(properties.nameEn);
    for (const crossing of CROSSINGS) expect(legendText).toContain(crossing.nameEn);

    // Names are drawn on the map as labels.
    const labels = await page.locator('[data-testid="map"] .concord-map-label').allInnerTexts();
    expect(labels).toEqual(expect.arrayContaining(GOVERNORATES.map((g) => g.properties.nameEn)));

    const attribution = page.locator('[data-testid="map"] .maplibregl-ctrl-attrib');
    await visible(attribution);
    expect(await shownText(attribution)).toContain('geoBoundaries');

    // Crossings are grouped by kind, by name within a group.
    const legendCrossings = await legend.locator('section[aria-labelledby="legend-crossings"] button').allInnerTexts();
    const expectedOrder = [...CROSSINGS]
      .sort((a, b) => (KIND_GROUP[a.kind] ?? 3) - (KIND_GROUP[b.kind] ?? 3) || a.nameEn.localeCompare(b.nameEn, 'en'))
      .map((c) => c.nameEn);
    expect(legendCrossings.map((text) => expectedOrder.find((name) => text.startsWith(name)))).toEqual(expectedOrder);

    await snapshot(page, 'map-en');

    // Picking a governorate highlights it on the map; picking a crossing moves the highlight.
    const governorateItem = legend.getByRole('button').filter({ hasText: 'Khan Younis' });
    await governorateItem.click();
    await visible(page.locator('.maplibregl-popup'));
    await page.waitForFunction(() => document.querySelector('.maplibregl-popup h3')?.textContent === 'Khan Younis');
    const governorateSelected = await page.evaluate(selectedOnMap);
    expect(governorateSelected).toHaveLength(1);
    expect(governorateSelected[0]).toMatch(/^governorates:/);
    expect(await governorateItem.getAttribute('aria-pressed')).toBe('true');
    await snapshot(page, 'map-selected-governorate');

    await legend.getByRole('button').filter({ hasText: 'Kissufim crossing' }).click();
    await page.waitForFunction(() => document.querySelector('.maplibregl-popup h3')?.textContent === 'Kissufim crossing');
    const crossingSelected = await page.evaluate(selectedOnMap);
    expect(crossingSelected).toHaveLength(1);
    expect(crossingSelected[0]).toMatch(/^crossings:/);

    // Closing the popup clears the selection, on the map and in the legend.
    await page.locator('.maplibregl-popup-close-button').click();
    await page.locator('.maplibregl-popup').waitFor({ state: 'detached' });
    expect(await page.evaluate(selectedOnMap)).toEqual([]);
    expect(await legend.locator('button[aria-pressed="true"]').count()).toBe(0);

    expect(pageErrors).toEqual([]);
    expect(refusedByPolicy).toEqual([]);
    // Everything the page needed came from the Concord server itself.
    expect(e2e.foreignRequests).toEqual([]);
  });
});
