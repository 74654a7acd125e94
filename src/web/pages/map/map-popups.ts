/** Popup contents, built as DOM nodes with textContent so that no data is parsed as HTML. */
import type { TFunction } from 'i18next';
import { type CrossingProperties, type GovernorateProperties, localName, statusOf } from './geo-types';

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function row(list: HTMLElement, label: string, value: string | null | undefined) {
  if (!value) return;
  list.append(element('dt', label), element('dd', value));
}

interface PopupContext {
  t: TFunction;
  language: string;
  formatNumber: (value: number) => string;
}

export function governoratePopup(props: GovernorateProperties, { t, language, formatNumber }: PopupContext) {
  const root = element('div', undefined, 'concord-popup');
  root.append(element('h3', localName(props, language)));
  const list = element('dl');
  if (props.population !== null && props.population !== undefined) {
    row(list, t('map.population'), formatNumber(props.population));
    const year = props.populationYear ? String(props.populationYear) : '';
    row(
      list,
      t('map.populationSource'),
      [props.populationSource, year && t('map.year', { year: formatYear(year, language) })].filter(Boolean).join(' · '),
    );
  } else {
    row(list, t('map.population'), t('map.unknown'));
  }
  root.append(list);
  return root;
}

export function crossingPopup(props: CrossingProperties, { t, language }: PopupContext) {
  const root = element('div', undefined, 'concord-popup');
  root.append(element('h3', localName(props, language)));
  const list = element('dl');
  row(list, t('map.kind'), t(`map.kinds.${props.kind}`, { defaultValue: props.kind }));
  const status = statusOf(props);
  row(list, t('map.status'), t(`map.statuses.${status}`, { defaultValue: status }));
  row(list, t('map.note'), language === 'ar' && props.noteAr ? props.noteAr : props.note);
  row(list, t('map.locationNote'), props.locationNote);
  root.append(list);
  return root;
}

/** Years read as plain numbers without grouping ("2023", not "2,023"). */
export function formatYear(year: string | number, language: string): string {
  return new Intl.NumberFormat(language === 'ar' ? 'ar' : 'en', { useGrouping: false }).format(Number(year));
}
