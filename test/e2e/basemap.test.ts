import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseLanguage,
  HAS_CHROMIUM,
  MAP_TIMEOUT_MS,
  openMap,
  signIn,
  snapshot,
  suiteTitle,
  useE2E,
  visible,
  waitForMap,
} from './support/e2e.ts';
import { firstPixel, rasterArchive } from './support/pmtiles.ts';

// Around the Gaza Strip, with room to spare: the map opens fitted to the Strip.
const BOUNDS: [number, number, number, number] = [33.5, 30.5, 35.5, 32.5];
const MIN_ZOOM = 6;
const MAX_ZOOM = 8;
// A lavender and green chequerboard, unlike anything the offline map draws.
const TILE_COLOURS: [number, number, number][] = [
  [214, 196, 232],
  [196, 224, 186],
];
// The offline map's background (BACKGROUND_COLOUR in the web app).
const BACKGROUND: [number, number, number] = [0xe4, 0xe1, 0xda];
// At sea west of the Strip, clear of its governorates, crossings, corridor and labels.
const OPEN_SEA: [number, number] = [34.15, 31.35];

const archive = rasterArchive({ bounds: BOUNDS, minZoom: MIN_ZOOM, maxZoom: MAX_ZOOM, colours: TILE_COLOURS });
const archiveDir = join(tmpdir(), `concord-e2e-basemap-${randomUUID()}`);
const archivePath = join(archiveDir, 'basemap.pmtiles');

interface BasemapFacts {
  layers: string[];
  source: { type?: string; tiles?: string[]; minzoom?: number; maxzoom?: number; bounds?: number[] } | undefined;
  governoratesRendered: number;
  canvas: { left: number; top: number; width: number; height: number };
  openSea: { x: number; y: number };
}

/** The colour is one of the tiles', or a blend of them where two tiles meet. */
function isTileColour(pixel: [number, number, number]): boolean {
  return pixel.every((value, i) => {
    const channel = TILE_COLOURS.map((colour) => colour[i] ?? 0);
    return value >= Math.min(...channel) - 6 && value <= Math.max(...channel) + 6;
  });
}

describe.skipIf(!HAS_CHROMIUM)(suiteTitle('the map page with a PMTiles basemap'), { timeout: 120_000 }, () => {
  // Registered before useE2E's hooks, so the archive is there when the server starts.
  beforeAll(async () => {
    await mkdir(archiveDir, { recursive: true });
    await writeFile(archivePath, archive.bytes);
  });
  afterAll(async () => {
    await rm(archiveDir, { recursive: true, force: true });
  });
  const e2e = useE2E({ env: { CONCORD_BASEMAP_PMTILES: archivePath } });

  it('draws the archive under the governorates, read with range requests from the server', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // The archive is read from the page and from MapLibre's worker; the context sees both.
    const archiveReads: Promise<{ range: string | undefined; status: number | undefined }>[] = [];
    context.on('requestfinished', (request: Request) => {
      if (new URL(request.url()).pathname !== '/basemap.pmtiles') return;
      const read = async () => ({ range: (await request.allHeaders()).range, status: (await request.response())?.status() });
      archiveReads.push(read());
    });

    await signIn(page, e2e.server, 'admin@concord.example');
    await openMap(page);
    // The basemap is added when its header has been read, and drawn when its tiles are in.
    await page.waitForFunction(
      () => {
        const map = (
          window as unknown as {
            __concordMap?: { getLayer(id: string): unknown; isSourceLoaded(id: string): boolean; areTilesLoaded(): boolean };
          }
        ).__concordMap;
        return Boolean(map?.getLayer('basemap-raster') && map.isSourceLoaded('basemap') && map.areTilesLoaded());
      },
      undefined,
      { timeout: MAP_TIMEOUT_MS },
    );
    await page.evaluate(
      () =>
        new Promise<void>((done) => {
          const map = (window as unknown as { __concordMap: { loaded(): boolean; once(event: string, fn: () => void): void } })
            .__concordMap;
          if (map.loaded()) done();
          else map.once('idle', () => done());
        }),
    );

    const facts = await page.evaluate((openSea): BasemapFacts => {
      type ConcordMap = {
        getStyle(): { sources: Record<string, BasemapFacts['source']>; layers: { id: string }[] };
        queryRenderedFeatures(options: { layers: string[] }): { properties: { id?: string } }[];
        project(at: [number, number]): { x: number; y: number };
        getCanvas(): HTMLCanvasElement;
      };
      const map = (window as unknown as { __concordMap: ConcordMap }).__concordMap;
      const rect = map.getCanvas().getBoundingClientRect();
      const point = map.project(openSea);
      return {
        layers: map.getStyle().layers.map((layer) => layer.id),
        source: map.getStyle().sources.basemap,
        governoratesRendered: new Set(map.queryRenderedFeatures({ layers: ['governorates-fill'] }).map((f) => f.properties.id)).size,
        canvas: { left: rect.left, top: rect.top, width: rect.width, height: rect.height },
        openSea: { x: point.x, y: point.y },
      };
    }, OPEN_SEA);

    // One raster layer, above the background and below every layer of the mission's own.
    expect(facts.layers[0]).toBe('background');
    expect(facts.layers).toContain('basemap-raster');
    const basemapAt = facts.layers.indexOf('basemap-raster');
    for (const own of ['governorates-fill', 'governorates-outline', 'crossings-corridor', 'crossings-points']) {
      expect(facts.layers.indexOf(own), own).toBeGreaterThan(basemapAt);
    }
    expect(facts.governoratesRendered).toBe(5);

    // The source is described by the archive's header.
    expect(facts.source?.type).toBe('raster');
    expect(facts.source?.tiles).toEqual([`pmtiles://${e2e.server.url}/basemap.pmtiles/{z}/{x}/{y}`]);
    expect(facts.source?.minzoom).toBe(MIN_ZOOM);
    expect(facts.source?.maxzoom).toBe(MAX_ZOOM);
    expect(facts.source?.bounds).toEqual(BOUNDS);

    // Every read of the archive was a range request answered with part of the file; past
    // the header and directory, tiles were read from the tile data.
    const reads = await Promise.all(archiveReads);
    expect(reads.length).toBeGreaterThanOrEqual(2);
    for (const read of reads) {
      expect(read.range).toMatch(/^bytes=\d+-\d+$/);
      expect(read.status).toBe(206);
    }
    const starts = reads.map((read) => Number(/^bytes=(\d+)-/.exec(read.range ?? '')?.[1]));
    expect(starts).toContain(0);
    expect(starts.filter((start) => start >= archive.tileDataOffset).length).toBeGreaterThanOrEqual(1);

    // And the tiles are on screen: at open sea the map shows a tile's colour, not the plain background.
    const { canvas, openSea } = facts;
    expect(openSea.x, 'the sample point is in view').toBeGreaterThan(0);
    expect(openSea.x).toBeLessThan(canvas.width);
    expect(openSea.y).toBeGreaterThan(0);
    expect(openSea.y).toBeLessThan(canvas.height);
    const shot = await page.screenshot({
      clip: { x: Math.round(canvas.left + openSea.x), y: Math.round(canvas.top + openSea.y), width: 1, height: 1 },
    });
    const pixel = firstPixel(shot);
    expect(isTileColour(pixel), `pixel ${pixel.join(',')} is a tile colour`).toBe(true);
    expect(pixel).not.toEqual(BACKGROUND);

    await expect(page.getByTestId('basemap-notice').count()).resolves.toBe(0);
    await snapshot(page, 'map-pmtiles');

    // Switching language rebuilds the map; the basemap comes back under the governorates.
    await page.evaluate(() => {
      const w = window as unknown as { __concordMap?: unknown; __mapBeforeSwitch?: unknown };
      w.__mapBeforeSwitch = w.__concordMap;
    });
    await chooseLanguage(page, 'ar');
    await page.waitForFunction(
      () => {
        const w = window as unknown as { __concordMap?: { getStyle(): { layers: { id: string }[] } }; __mapBeforeSwitch?: unknown };
        const map = w.__concordMap;
        if (!map || map === w.__mapBeforeSwitch) return false;
        const layers = map.getStyle().layers.map((layer) => layer.id);
        return layers.includes('basemap-raster') && layers.indexOf('basemap-raster') < layers.indexOf('governorates-fill');
      },
      undefined,
      { timeout: MAP_TIMEOUT_MS },
    );
    await waitForMap(page);
    await snapshot(page, 'map-pmtiles-ar');

    expect(pageErrors).toEqual([]);
    expect(e2e.foreignRequests).toEqual([]);
  });

  it('keeps the map and says so when the archive cannot be read', async () => {
    const context = await e2e.newContext();
    // As if the file had gone missing after the server started.
    await context.route('**/basemap.pmtiles', (route) => route.fulfill({ status: 404, body: 'Not Found' }));
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await signIn(page, e2e.server, 'admin@concord.example');
    await openMap(page);
    await visible(page.getByTestId('basemap-notice'));

    const facts = await page.evaluate(() => {
      type ConcordMap = {
        getStyle(): { sources: Record<string, unknown>; layers: { id: string }[] };
        queryRenderedFeatures(options: { layers: string[] }): { properties: { id?: string } }[];
      };
      const map = (window as unknown as { __concordMap: ConcordMap }).__concordMap;
      return {
        layers: map.getStyle().layers.map((layer) => layer.id),
        sources: Object.keys(map.getStyle().sources),
        governoratesRendered: new Set(map.queryRenderedFeatures({ layers: ['governorates-fill'] }).map((f) => f.properties.id)).size,
      };
    });
    expect(facts.sources).not.toContain('basemap');
    expect(facts.layers.filter((id) => id.startsWith('basemap'))).toEqual([]);
    expect(facts.governoratesRendered).toBe(5);

    await snapshot(page, 'map-pmtiles-unreadable');
    expect(pageErrors).toEqual([]);
  });
});
