import i18n from '../../i18n/i18n';

/** A translated description of a permission; unknown keys use the server's words. */
export function permissionLabel(key: string, serverDescription?: string): string {
  return i18n.t(`permissions.${key}`, { defaultValue: serverDescription ?? key });
}
