/**
 * What the API answers for errors that are not AppErrors: Fastify's own refusals (body too large,
 * malformed JSON, an unsupported content type, a malformed URL), Temporal being unreachable or
 * not knowing the workflow or namespace, and Postgres refusing a value (a data exception). Each
 * becomes an AppError with a message in both languages, so every answer has the one error shape;
 * anything else is an internal error (500), logged.
 *
 * Also the checks every request body and query string passes before validation: no text with the
 * NUL character (Postgres cannot store it) and no nesting deeper than any document of ours needs
 * (serialising a deeper one for a workflow would overflow the stack).
 */
import { isGrpcServiceError, ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { AppError } from '../../domain/errors';
import type { Problem } from '../../domain/validation';

const MB = 1024 * 1024;
const sizeText = (bytes: number) => (bytes >= MB ? `${Math.round((bytes / MB) * 10) / 10} MB` : `${Math.round(bytes / 1024)} KB`);

/** gRPC status codes the Temporal client reports. */
const GRPC = { CANCELLED: 1, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, UNAVAILABLE: 14 } as const;

function grpcCode(error: unknown): number | undefined {
  if (isGrpcServiceError(error)) return error.code;
  if (error instanceof ServiceError && isGrpcServiceError(error.cause)) return error.cause.code;
  return undefined;
}

/** The AppError an error stands for, or undefined when it is an internal error. */
export function knownError(error: unknown, options: { bodyLimit?: number } = {}): AppError | undefined {
  const e = error as { code?: unknown; statusCode?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : '';

  // Fastify's own refusals of a request.
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const limit = options.bodyLimit ? `（上限 ${sizeText(options.bodyLimit)}）` : '';
      return new AppError('invalid_input', `请求内容过大${limit}`, `the request body is too large${options.bodyLimit ? ` (at most ${sizeText(options.bodyLimit)})` : ''}`, [
        { path: 'body', code: 'too_large', zh: `请求内容过大${limit}`, en: `too large${options.bodyLimit ? `: at most ${sizeText(options.bodyLimit)}` : ''}` },
      ]);
    }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('invalid_input', '不支持的内容类型，请以 JSON 发送', 'unsupported content type: send JSON', [{ path: 'content-type', code: 'unsupported_media_type', zh: '请以 application/json 发送', en: 'send application/json' }]);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return AppError.invalid([{ path: 'body', code: 'empty', zh: '请求内容为空', en: 'the body is empty' }], '请求内容为空', 'the body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return AppError.invalid([{ path: 'body', code: 'invalid_json', zh: `不是有效的 JSON：${message}`, en: `not valid JSON: ${message}` }], '请求内容不是有效的 JSON', 'the body is not valid JSON');
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return AppError.invalid([{ path: 'url', code: 'bad_url', zh: '地址中有无效的字符', en: 'the URL has invalid characters' }], '地址无效', 'malformed URL');
  }
  if (error instanceof SyntaxError && typeof e.statusCode === 'number' && e.statusCode === 400) {
    // secure-json-parse's refusals (e.g. __proto__ keys) and JSON.parse errors arrive as SyntaxErrors.
    return AppError.invalid([{ path: 'body', code: 'invalid_json', zh: `不是有效的 JSON：${message}`, en: `not valid JSON: ${message}` }], '请求内容不是有效的 JSON', 'the body is not valid JSON');
  }

  // Temporal.
  if (error instanceof WorkflowNotFoundError) return new AppError('not_found', '流程不存在或已结束', 'no such running workflow');
  if (error instanceof NamespaceNotFoundError) return namespaceMissing(error.namespace);
  const code = grpcCode(error);
  if (code !== undefined) {
    if (code === GRPC.NOT_FOUND) {
      const ns = /namespace\W+([^\s"]+)\W+(is )?not found/i.exec(message);
      return ns ? namespaceMissing(ns[1]!) : new AppError('not_found', '流程不存在或已结束', 'no such running workflow');
    }
    if (code === GRPC.UNAVAILABLE || code === GRPC.DEADLINE_EXCEEDED || code === GRPC.CANCELLED || code === GRPC.RESOURCE_EXHAUSTED) {
      return new AppError('unavailable', '流程服务（Temporal）暂时无法访问，请稍后再试', 'the workflow service (Temporal) is unavailable; try again shortly');
    }
    if (code === GRPC.ALREADY_EXISTS || code === GRPC.FAILED_PRECONDITION) return new AppError('conflict', '当前状态不允许此操作', `not possible now: ${message.split('\n')[0]}`);
  }

  // Postgres refusing a value (class 22: data exception — a NUL byte, an out-of-range number, a bad date).
  if (typeof e.code === 'string' && /^22[0-9A-Z]{3}$/.test(e.code) && 'severity' in (error as object)) {
    return AppError.invalid([{ path: 'body', code: 'unstorable_value', zh: `数据库无法保存其中的值：${message}`, en: `a value cannot be stored: ${message}` }]);
  }
  return undefined;
}

/** The status of the answer: the AppError's, except where HTTP has a more precise one for a refused request. */
export function httpStatusFor(error: unknown, known: AppError): number {
  const code = (error as { code?: unknown }).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 413;
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 415;
  return known.status;
}

function namespaceMissing(namespace: string): AppError {
  // Not a bad request: the server is configured for a namespace Temporal does not have. Still a
  // clean answer (the workflow it names cannot exist there), and it says what to fix.
  return new AppError('not_found', `Temporal 中没有命名空间“${namespace}”，流程不存在（请检查 TEMPORAL_NAMESPACE）`, `Temporal has no namespace "${namespace}", so no such workflow (check TEMPORAL_NAMESPACE)`);
}

// ── Checks on every body and query string ─────────────────────────────────────────────────────

/** Deeper than any document of ours (a ledger is about 8 levels). */
export const MAX_NESTING = 32;

/** Problems with a parsed body or query: NUL characters and excessive nesting. Iterative: a hostile depth cannot overflow the stack here. */
export function inputProblems(value: unknown, root: string): Problem[] {
  const problems: Problem[] = [];
  const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: value, path: root, depth: 0 }];
  let visited = 0;
  while (stack.length && problems.length < 20) {
    const { v, path, depth } = stack.pop()!;
    if (++visited > 2_000_000) break; // bounded by the body size anyway
    if (typeof v === 'string') {
      if (v.includes('\u0000')) problems.push({ path, code: 'nul_character', zh: '文本中不能包含空字符（\\u0000）', en: 'text must not contain the NUL character (\\u0000)' });
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_NESTING) {
      problems.push({ path, code: 'too_deep', zh: `嵌套层级过深（最多 ${MAX_NESTING} 层）`, en: `nested too deeply (at most ${MAX_NESTING} levels)` });
      continue;
    }
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, path: `${path}[${i}]`, depth: depth + 1 }));
    else {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\u0000')) problems.push({ path, code: 'nul_character', zh: '字段名中不能包含空字符', en: 'a field name must not contain the NUL character' });
        stack.push({ v: x, path: `${path}.${k}`, depth: depth + 1 });
      }
    }
  }
  return problems;
}
