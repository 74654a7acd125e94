/** Turning server problems into words for people. */
import { notifications } from '@mantine/notifications';
import { isApiError } from '../http/api-client';
import i18n from '../i18n/i18n';

/**
 * The server's `detail` is written in English. Known problem codes have a translation,
 * used when the interface is not in English; anything else shows the server's words.
 */
export function problemMessage(error: unknown): string {
  if (!error) return '';
  if (isApiError(error)) {
    const { code, detail, title } = error.problem;
    const serverText = detail || title;
    if (code && i18n.resolvedLanguage !== 'en') {
      return i18n.t(`problems.${code}`, { defaultValue: serverText });
    }
    return serverText || i18n.t('errors.unexpected');
  }
  if (error instanceof Error && error.message) return error.message;
  return i18n.t('errors.unexpected');
}

/** Maps validation errors to field names: `/email` -> `email`, `/roles/0` -> `roles`. */
export function fieldErrors(error: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (!isApiError(error)) return result;
  for (const item of error.problem.errors ?? []) {
    const field = item.pointer.replace(/^#?\//, '').split('/')[0] ?? '';
    if (field && !result[field]) result[field] = item.detail;
  }
  return result;
}

const closeButtonProps = () => ({ 'aria-label': i18n.t('common.close') });

export function notifyError(error: unknown): void {
  notifications.show({
    color: 'red',
    title: i18n.t('errors.title'),
    message: problemMessage(error),
    closeButtonProps: closeButtonProps(),
  });
}

export function notifySuccess(message: string): void {
  notifications.show({ color: 'teal', message, closeButtonProps: closeButtonProps() });
}
