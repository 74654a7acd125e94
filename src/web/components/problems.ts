/** Turning server problems into words for people. */
import { notifications } from '@mantine/notifications';
import { isApiError } from '../http/api-client';
import i18n, { intlLocale } from '../i18n/i18n';

/**
 * Problems whose wording the web app owns in every language. The server's `detail` is
 * written for API clients ("Quote this correlation id...", "The body is not valid JSON.");
 * people get a translated, specific sentence instead. For the other known codes the
 * server's detail says what exactly was refused, so English shows it and other languages
 * a translation of the code.
 */
const OWN_WORDING = new Set([
  'auth.unauthenticated',
  'auth.invalid-credentials',
  'auth.totp-required',
  'auth.totp-invalid',
  'auth.rate-limited',
  'auth.csrf',
  'auth.totp-enrolment-required',
  'request.malformed',
  'request.unsupported-media-type',
  'request.too-large',
  'resource.not-found',
  'route.not-found',
  'audit.append-only',
  'audit.key-unavailable',
  'database.unavailable',
  'server.shutting-down',
  'server.internal',
]);

/** How a problem is shown: calmly for something the person can put right, as a fault otherwise. */
export type ProblemSeverity = 'mistake' | 'fault';

export interface ProblemText {
  title: string;
  message: string;
  severity: ProblemSeverity;
  /** The server's correlation id for a fault, to quote when reporting it. */
  correlationId?: string;
}

function known(key: string): boolean {
  return i18n.exists(key);
}

function retryMinutes(seconds: unknown): number | null {
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds / 60) : null;
}

/** What happened and what to do, by the kind of refusal, when the code has no words of its own here. */
function byStatus(status: number): string {
  const key = `errors.byStatus.${status}`;
  return known(key) ? i18n.t(key) : i18n.t('errors.byStatus.400');
}

function messageFor(code: string | undefined, serverText: string, retryAfterSeconds: unknown, status: number): string {
  if (!code || !known(`problems.${code}`)) {
    // The server's sentence is English: other languages get the kind of refusal in their own words.
    return i18n.resolvedLanguage === 'en' && serverText ? serverText : byStatus(status);
  }
  if (code === 'auth.rate-limited') {
    const minutes = retryMinutes(retryAfterSeconds);
    if (minutes !== null) {
      const formatted = new Intl.NumberFormat(intlLocale(i18n.resolvedLanguage)).format(minutes);
      return i18n.t('problems.auth.rate-limited-retry', { count: minutes, formatted });
    }
  }
  if (OWN_WORDING.has(code) || i18n.resolvedLanguage !== 'en' || !serverText) return i18n.t(`problems.${code}`);
  return serverText;
}

/** Title, message and severity of any error a request can end in. */
export function describeProblem(error: unknown): ProblemText {
  if (isApiError(error)) {
    const { code, detail, title, status, correlationId, retryAfterSeconds } = error.problem;
    const serverText = detail || title;
    if (status === 0) return { title: i18n.t('errors.networkTitle'), message: i18n.t('errors.network'), severity: 'fault' };
    if (status >= 500) {
      // A fault of the server: generic words, with the reference that finds it in the log.
      const message = code && known(`problems.${code}`) ? i18n.t(`problems.${code}`) : i18n.t('errors.serverFault');
      return { title: i18n.t('errors.title'), message, severity: 'fault', ...(correlationId ? { correlationId } : {}) };
    }
    // Something the person can put right: a calm title that says what to check.
    const invalid = (error.problem.errors?.length ?? 0) > 0;
    const titleKey = invalid ? 'errors.invalidTitle' : code && known(`problemTitles.${code}`) ? `problemTitles.${code}` : 'errors.notDone';
    return {
      title: i18n.t(titleKey),
      message: messageFor(code, serverText, retryAfterSeconds, status),
      severity: 'mistake',
      ...(correlationId ? { correlationId } : {}),
    };
  }
  // A fault of the page itself: its message is for developers (e.g. "x.map is not a function").
  if (error) console.error(error);
  return { title: i18n.t('errors.title'), message: i18n.t('errors.unexpected'), severity: 'fault' };
}

/** The sentence for a problem, without its title. */
export function problemMessage(error: unknown): string {
  if (!error) return '';
  return describeProblem(error).message;
}

/** Maps validation errors to field names: `/email` -> `email`, `/roles/0` -> `roles`. */
export function fieldErrors(error: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (!isApiError(error)) return result;
  for (const item of error.problem.errors ?? []) {
    const field = item.pointer.replace(/^#?\//, '').split('/')[0] ?? '';
    // The server's detail is English; other languages say in their own words that the field needs another look.
    if (field && !result[field]) result[field] = i18n.resolvedLanguage === 'en' ? item.detail : i18n.t('errors.fieldInvalid');
  }
  return result;
}

const closeButtonProps = () => ({ 'aria-label': i18n.t('common.close') });

export function notifyError(error: unknown): void {
  const problem = describeProblem(error);
  const reference = problem.correlationId ? ` ${i18n.t('errors.correlationId', { id: problem.correlationId })}` : '';
  notifications.show({
    color: problem.severity === 'fault' ? 'red' : 'orange',
    title: problem.title,
    message: `${problem.message}${reference}`,
    closeButtonProps: closeButtonProps(),
  });
}

export function notifySuccess(message: string): void {
  notifications.show({ color: 'teal', message, closeButtonProps: closeButtonProps() });
}
