/**
 * The pages read through the JSON API itself (in-process, with the visitor's session cookie), so
 * every page sees exactly what the API lets that person see: one authorization, one validation,
 * one error shape. Changes are made by the browser calling the API directly (with the CSRF token).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface ApiError {
  code: string;
  message: string;
  messageZh: string;
  details: Array<{ path: string; code: string; zh: string; en: string }>;
}

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; error: ApiError };

export class InternalApi {
  constructor(
    private readonly app: FastifyInstance,
    private readonly request: FastifyRequest,
  ) {}

  async get<T>(url: string): Promise<ApiResult<T>> {
    const response = await this.app.inject({ method: 'GET', url, headers: this.request.headers.cookie ? { cookie: this.request.headers.cookie } : {} });
    const isJson = String(response.headers['content-type'] ?? '').startsWith('application/json');
    const body: unknown = isJson ? response.json() : undefined;
    if (response.statusCode >= 200 && response.statusCode < 300) return { ok: true, status: response.statusCode, data: body as T };
    return { ok: false, status: response.statusCode, error: (body as ApiError | undefined) ?? { code: 'internal', message: response.body, messageZh: response.body, details: [] } };
  }

  /** A file from the API (report downloads), passed through. */
  async file(url: string): Promise<{ status: number; body: Buffer; headers: Record<string, string | string[] | number | undefined> }> {
    const response = await this.app.inject({ method: 'GET', url, headers: this.request.headers.cookie ? { cookie: this.request.headers.cookie } : {} });
    return { status: response.statusCode, body: response.rawPayload, headers: response.headers };
  }
}

/** The API's answer, or the error thrown as a page error. */
export class PageError extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError,
  ) {
    super(error.message);
  }
}

export function must<T>(result: ApiResult<T>): T {
  if (!result.ok) throw new PageError(result.status, result.error);
  return result.data;
}
