/** Popup contents, built as DOM nodes with textContent so that no data is parsed as HTML. */
import type { TFunction } from 'i18next';
import { type CrossingProperties, type GovernorateProperties, localName, statusOf } from './geo-types';

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/**
 * A value in the interface's language, or in English when the data has no translation:
 * `lang` marks it for screen readers, and `dir="auto"` keeps an English sentence in an
 * Arabic popup in its own reading order (and the other way round).
 */
function row(list: HTMLElement, label: string, value: string | null | undefined, lang?: string) {
  if (!value) return;
  const dd = element('dd', value);
  dd.dir = 'auto';
  if (lang) dd.lang = lang;
  list.append(element('dt', label), dd);
}

/** English text, marked as such when the interface is in another language. */
function englishIn(language: string): string | undefined {
  return language === 'en' ? undefined : 'en';
}

function heading(props: { nameEn: string; nameAr: string }, language: string) {
  const node = element('h3', localName(props, language));
  if (language === 'ar' && !props.nameAr) node.lang = 'en';
  node.dir = 'auto';
  return node;
}

interface PopupContext {
  t: TFunction;
  language: string;
  formatNumber: (value: number) => string;
}

export function governoratePopup(props: GovernorateProperties, { t, language, formatNumber }: PopupContext) {
  const root = element('div', undefined, 'concord-popup');
  root.append(heading(props, language));
  const list = element('dl');
  if (props.population !== null && props.population !== undefined) {
    const population = formatNumber(props.population);
    row(
      list,
      t('map.population'),
      props.populationYear ? t('map.populationInYear', { population, year: formatYear(props.populationYear, language) }) : population,
    );
    // Sources are cited as published, in English.
    row(list, t('map.populationSource'), props.populationSource, englishIn(language));
  } else {
    row(list, t('map.population'), t('map.unknown'));
  }
  root.append(list);
  return root;
}

export function crossingPopup(props: CrossingProperties, { t, language }: PopupContext) {
  const root = element('div', undefined, 'concord-popup');
  root.append(heading(props, language));
  const list = element('dl');
  row(list, t('map.kind'), t(`map.kinds.${props.kind}`, { defaultValue: props.kind }));
  const status = statusOf(props);
  if (status) row(list, t('map.status'), t(`map.statuses.${status}`, { defaultValue: status }));
  if (language === 'ar' && props.noteAr) row(list, t('map.note'), props.noteAr);
  else row(list, t('map.note'), props.note, englishIn(language));
  if (language === 'ar' && props.locationNoteAr) row(list, t('map.locationNote'), props.locationNoteAr);
  else row(list, t('map.locationNote'), props.locationNote, englishIn(language));
  root.append(list);
  return root;
}

/** Years read as plain numbers without grouping ("2023", not "2,023"). */
export function formatYear(year: string | number, language: string): string {
  return new Intl.NumberFormat(language === 'ar' ? 'ar' : 'en', { useGrouping: false }).format(Number(year));
}
