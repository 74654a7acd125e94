import type { FeatureCollection, LineString, MultiPolygon, Point, Polygon } from 'geojson';

export interface GovernorateProperties {
  id: string;
  code: string;
  nameEn: string;
  nameAr: string;
  population: number | null;
  populationYear: number | null;
  populationSource: string | null;
}

export type CrossingKind = 'land_crossing' | 'port' | 'corridor' | 'gate';

export interface CrossingProperties {
  id: string;
  code: string;
  nameEn: string;
  nameAr: string;
  kind: CrossingKind;
  status?: string | null;
  note?: string | null;
  noteAr?: string | null;
  locationNote?: string | null;
  locationNoteAr?: string | null;
}

export type Governorates = FeatureCollection<Polygon | MultiPolygon, GovernorateProperties>;
export type Crossings = FeatureCollection<Point | LineString, CrossingProperties>;

export type Selection = { kind: 'governorate' | 'crossing'; id: string } | null;

/** The crossing's status, or null when the data records none (the scenario's crossings have none). */
export function statusOf(props: CrossingProperties): string | null {
  return typeof props.status === 'string' && props.status.trim() ? props.status.trim() : null;
}

export function localName(props: { nameEn: string; nameAr: string }, language: string): string {
  return language === 'ar' && props.nameAr ? props.nameAr : props.nameEn;
}
