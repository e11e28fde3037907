/**
 * The one error type of selfeval. A code from a closed union, a message in Chinese and English,
 * the problems that caused it (field by field), and the HTTP status each code maps to.
 * Activities turn AppErrors with a non-retryable code into non-retryable ApplicationFailures.
 */
import type { Problem } from './validation';

export const appErrorCodes = [
  'invalid_input',
  'not_found',
  'conflict',
  'forbidden',
  'unauthenticated',
  'rate_limited',
  'config',
  'unavailable',
  'internal',
] as const;
export type AppErrorCode = (typeof appErrorCodes)[number];

export const httpStatusOf: Record<AppErrorCode, number> = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  unauthenticated: 401,
  rate_limited: 429,
  config: 500,
  unavailable: 503,
  internal: 500,
};

/** Codes a retry cannot fix: the same input fails the same way. */
export const nonRetryableCodes: ReadonlySet<AppErrorCode> = new Set<AppErrorCode>([
  'invalid_input',
  'not_found',
  'conflict',
  'forbidden',
  'unauthenticated',
  'config',
]);

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: AppErrorCode,
    readonly zh: string,
    readonly en: string,
    readonly details: readonly Problem[] = [],
  ) {
    super(`${en}${details.length ? `: ${details.map((d) => `${d.path}: ${d.en}`).join('; ')}` : ''}`);
  }

  get status(): number {
    return httpStatusOf[this.code];
  }

  /** The one error shape of the API: `{ code, message, details[] }`. */
  toJSON(): { code: AppErrorCode; message: string; messageZh: string; details: readonly Problem[] } {
    return { code: this.code, message: this.en, messageZh: this.zh, details: this.details };
  }

  static invalid(problems: readonly Problem[], zh = '输入有误', en = 'invalid input'): AppError {
    return new AppError('invalid_input', zh, en, problems);
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
