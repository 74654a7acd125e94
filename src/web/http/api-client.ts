/**
 * The one way the web app talks to the server. Every failure becomes an ApiError that
 * carries the RFC 9457 problem, so screens can show its detail and map validation
 * errors to fields. Cookie-authenticated writes carry the CSRF token from the session.
 */
import i18n from '../i18n/i18n';

export interface ProblemFieldError {
  pointer: string;
  detail: string;
}

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: ProblemFieldError[];
  correlationId?: string;
  /** With auth.rate-limited: how long until signing in is possible again. */
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  get code(): string | undefined {
    return this.problem.code;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type ErrorListener = (error: ApiError) => void;
const errorListeners = new Set<ErrorListener>();

/** Lets the session react to expiry (401) or a pending second-factor enrolment (403). */
export function onApiError(listener: ErrorListener): () => void {
  errorListeners.add(listener);
  return () => errorListeners.delete(listener);
}

export type QueryParams = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, params?: QueryParams): string {
  if (!params) return path;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

async function readProblem(response: Response): Promise<Problem> {
  const fallback: Problem = {
    title: response.statusText || i18n.t('errors.unexpected'),
    status: response.status,
  };
  try {
    const body = (await response.json()) as Partial<Problem> | null;
    if (body && typeof body === 'object') {
      const problem: Problem = { ...fallback, ...body, status: body.status ?? response.status };
      const retryAfter = Number(response.headers.get('retry-after'));
      if (problem.retryAfterSeconds === undefined && Number.isFinite(retryAfter) && retryAfter > 0) problem.retryAfterSeconds = retryAfter;
      return problem;
    }
  } catch {
    // Not JSON (a proxy page, for instance): the status line is all we have.
  }
  return fallback;
}

async function request<T>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
  const isWrite = method !== 'GET' && method !== 'HEAD';
  const hasBody = method === 'POST' || method === 'PATCH' || method === 'PUT';
  if (hasBody) headers['content-type'] = 'application/json';
  if (isWrite && csrfToken) headers['x-csrf-token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: hasBody ? JSON.stringify(body ?? {}) : undefined,
    });
  } catch {
    throw new ApiError({ title: i18n.t('errors.network'), status: 0, code: 'network' });
  }

  if (!response.ok) {
    const error = new ApiError(await readProblem(response));
    for (const listener of errorListeners) listener(error);
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * Sends a file as the request body (not JSON), reporting how much of it has gone, as a share
 * from 0 to 1. XMLHttpRequest because fetch cannot tell upload progress.
 */
function upload<T>(path: string, file: Blob, contentType: string, onProgress: (share: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('content-type', contentType);
    xhr.setRequestHeader('accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    xhr.onerror = () => reject(new ApiError({ title: i18n.t('errors.network'), status: 0, code: 'network' }));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        // Not JSON: the status line is all there is.
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as T);
      const problem = { title: xhr.statusText || i18n.t('errors.unexpected'), status: xhr.status, ...(body as object | null) };
      const error = new ApiError(problem as Problem);
      for (const listener of errorListeners) listener(error);
      reject(error);
    };
    xhr.send(file);
  });
}

export const api = {
  upload,
  get: <T>(path: string, params?: QueryParams) => request<T>('GET', withQuery(path, params)),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  /** A money write: the server needs an Idempotency-Key; pass the same key when retrying the same request. */
  postOnce: <T>(path: string, body: unknown, idempotencyKey: string) =>
    request<T>('POST', path, body, { 'idempotency-key': idempotencyKey }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body),
  delete: <T = void>(path: string) => request<T>('DELETE', path),
};
