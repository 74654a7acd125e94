/**
 * Writes small PMTiles v3 archives for the browser tests, following the specification
 * (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md): a 127-byte header,
 * an uncompressed root directory, JSON metadata and the tiles, each part right after the
 * one before. The `pmtiles` package only reads archives, so the writing is done here.
 * Tiles are solid-colour 256x256 PNG images.
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';

const HEADER_LENGTH = 127;
const COMPRESSION_NONE = 1;
const TILE_TYPE_PNG = 2;

/** A PNG image of one colour: 8-bit RGB, no interlacing. */
export function solidPng(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth, colour type RGB, compression, filter, interlace
  const row = Buffer.alloc(1 + width * 3); // filter type 0, then the pixels
  for (let x = 0; x < width; x++) row.set([r, g, b], 1 + x * 3);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * The colour of the first pixel of an 8-bit RGB or RGBA PNG, such as a 1x1 screenshot.
 * The first pixel of the first row reads the same under every PNG filter type.
 */
export function firstPixel(png: Buffer): [number, number, number] {
  let at = 8;
  let colourType = -1;
  const data: Buffer[] = [];
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      if (body[8] !== 8) throw new Error(`Unsupported PNG bit depth ${body[8]}`);
      colourType = body[9] ?? -1;
    }
    if (type === 'IDAT') data.push(body);
    at += 12 + length;
  }
  if (colourType !== 2 && colourType !== 6) throw new Error(`Unsupported PNG colour type ${colourType}`);
  const pixels = inflateSync(Buffer.concat(data));
  return [pixels[1] ?? 0, pixels[2] ?? 0, pixels[3] ?? 0];
}

/** The PMTiles tile id: tiles of all lower zooms first, then the position on a Hilbert curve. */
export function tileId(z: number, x: number, y: number): number {
  let id = 0;
  for (let level = 0; level < z; level++) id += 4 ** level;
  const n = 2 ** z;
  let d = 0;
  let tx = x;
  let ty = y;
  for (let s = n / 2; s >= 1; s /= 2) {
    const rx = (tx & s) > 0 ? 1 : 0;
    const ry = (ty & s) > 0 ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    if (ry === 0) {
      if (rx === 1) {
        tx = s - 1 - tx;
        ty = s - 1 - ty;
      }
      [tx, ty] = [ty, tx];
    }
  }
  return id + d;
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

interface Entry {
  tileId: number;
  offset: number;
  length: number;
  runLength: number;
}

/** A directory: the count, then tile id deltas, run lengths, lengths and offsets, each as varints. */
function directory(entries: Entry[]): Buffer {
  const bytes = [...varint(entries.length)];
  let last = 0;
  for (const entry of entries) {
    bytes.push(...varint(entry.tileId - last));
    last = entry.tileId;
  }
  for (const entry of entries) bytes.push(...varint(entry.runLength));
  for (const entry of entries) bytes.push(...varint(entry.length));
  entries.forEach((entry, i) => {
    const previous = entries[i - 1];
    // 0 means "right after the previous tile"; anything else is the offset plus one.
    bytes.push(...varint(previous && entry.offset === previous.offset + previous.length ? 0 : entry.offset + 1));
  });
  return Buffer.from(bytes);
}

export function lonToTileX(lon: number, z: number): number {
  return Math.floor(((lon + 180) / 360) * 2 ** z);
}

export function latToTileY(lat: number, z: number): number {
  const rad = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * 2 ** z);
}

export interface RasterArchiveOptions {
  /** [west, south, east, north] in degrees. */
  bounds: [number, number, number, number];
  minZoom: number;
  maxZoom: number;
  /** Tiles alternate between these colours like a chequerboard. */
  colours: [number, number, number][];
}

export interface RasterArchive {
  bytes: Buffer;
  /** Where the tile data starts: reads from here on are reads of tiles. */
  tileDataOffset: number;
  /** Every tile in the archive, as z/x/y. */
  tiles: string[];
}

/** A raster archive covering `bounds` at every zoom from minZoom to maxZoom. */
export function rasterArchive({ bounds, minZoom, maxZoom, colours }: RasterArchiveOptions): RasterArchive {
  const [west, south, east, north] = bounds;
  const images = colours.map((colour) => solidPng(256, 256, colour));
  const tiles: { z: number; x: number; y: number; image: number }[] = [];
  for (let z = minZoom; z <= maxZoom; z++) {
    for (let x = lonToTileX(west, z); x <= lonToTileX(east, z); x++) {
      for (let y = latToTileY(north, z); y <= latToTileY(south, z); y++) {
        tiles.push({ z, x, y, image: (x + y) % images.length });
      }
    }
  }

  // Each image is stored once; tiles of the same colour point at the same bytes.
  const imageOffsets: number[] = [];
  let tileDataLength = 0;
  for (const image of images) {
    imageOffsets.push(tileDataLength);
    tileDataLength += image.length;
  }
  const entries = tiles
    .map(({ z, x, y, image }) => ({
      tileId: tileId(z, x, y),
      offset: imageOffsets[image] ?? 0,
      length: images[image]?.length ?? 0,
      runLength: 1,
    }))
    .sort((a, b) => a.tileId - b.tileId);
  const root = directory(entries);
  const metadata = Buffer.from('{}', 'utf8');

  const rootOffset = HEADER_LENGTH;
  const metadataOffset = rootOffset + root.length;
  const leafOffset = metadataOffset + metadata.length;
  const tileDataOffset = leafOffset;

  const header = Buffer.alloc(HEADER_LENGTH);
  header.write('PMTiles', 0, 'latin1');
  header.writeUInt8(3, 7);
  const u64 = (value: number, at: number) => header.writeBigUInt64LE(BigInt(value), at);
  u64(rootOffset, 8);
  u64(root.length, 16);
  u64(metadataOffset, 24);
  u64(metadata.length, 32);
  u64(leafOffset, 40);
  u64(0, 48); // no leaf directories
  u64(tileDataOffset, 56);
  u64(tileDataLength, 64);
  u64(entries.length, 72); // addressed tiles
  u64(entries.length, 80); // tile entries
  u64(images.length, 88); // distinct tile contents
  header.writeUInt8(0, 96); // not clustered: tiles share contents out of id order
  header.writeUInt8(COMPRESSION_NONE, 97); // internal compression
  header.writeUInt8(COMPRESSION_NONE, 98); // tile compression
  header.writeUInt8(TILE_TYPE_PNG, 99);
  header.writeUInt8(minZoom, 100);
  header.writeUInt8(maxZoom, 101);
  const e7 = (degrees: number, at: number) => header.writeInt32LE(Math.round(degrees * 1e7), at);
  e7(west, 102);
  e7(south, 106);
  e7(east, 110);
  e7(north, 114);
  header.writeUInt8(maxZoom, 118);
  e7((west + east) / 2, 119);
  e7((south + north) / 2, 123);

  return {
    bytes: Buffer.concat([header, root, metadata, ...images]),
    tileDataOffset,
    tiles: tiles.map(({ z, x, y }) => `${z}/${x}/${y}`),
  };
}
