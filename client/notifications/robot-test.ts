/**
 * A test message to a 企业微信 / 钉钉 robot, sent by the HTTP server when an administrator adds or
 * checks a channel — before it is saved, so a mistyped webhook never becomes a channel that
 * silently drops every reminder. Same message format and 钉钉 signature as the worker's notifier
 * (activities/notifications/notifier.ts; tests/integration/admin-api.integration.test.ts checks
 * that the two agree), kept here because the client does not import activities.
 */
import { createHmac } from 'node:crypto';

export interface RobotTarget {
  kind: 'wecom' | 'dingtalk';
  url: string;
  secret: string | null;
}

/** 钉钉 加签: `timestamp` and `sign` (HMAC-SHA256 of "timestamp\nsecret", base64) in the query. */
export function dingtalkSigned(url: string, secret: string, timestampMs: number): string {
  const sign = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
  return `${url}${url.includes('?') ? '&' : '?'}timestamp=${timestampMs}&sign=${encodeURIComponent(sign)}`;
}

/** The markdown message both robots take. */
export function robotMessage(kind: 'wecom' | 'dingtalk', subject: string, body: string, link: string | null): unknown {
  const text = `**${subject}**\n\n${body}${link ? `\n\n[打开](${link})` : ''}`;
  return kind === 'wecom' ? { msgtype: 'markdown', markdown: { content: text } } : { msgtype: 'markdown', markdown: { title: subject, text } };
}

/**
 * Sends the message; null when the robot took it (HTTP 2xx and `errcode` 0), else why not, in
 * words a person can act on (the robot's own `errmsg` when it gives one).
 */
export async function sendRobotTest(target: RobotTarget, message: { subject: string; body: string; link: string | null }, doFetch: typeof fetch = fetch): Promise<string | null> {
  const url = target.kind === 'dingtalk' && target.secret ? dingtalkSigned(target.url, target.secret, Date.now()) : target.url;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(robotMessage(target.kind, message.subject, message.body, message.link)),
      signal: AbortSignal.timeout(10_000),
      redirect: 'error',
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return cause ? `${cause}: ${(e as Error).message}` : (e as Error).message;
  }
  const answer = (await response.json().catch(() => ({}))) as { errcode?: number; errmsg?: string };
  if (!response.ok) return `HTTP ${response.status}${answer.errmsg ? ` ${answer.errmsg}` : ''}`;
  if ((answer.errcode ?? 0) !== 0) return `errcode ${answer.errcode}${answer.errmsg ? ` ${answer.errmsg}` : ''}`;
  return null;
}
