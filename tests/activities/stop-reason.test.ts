/**
 * Why a stopped run stopped, in both languages, from its close event (worker/stop-sweeper.ts
 * reasonOf): who terminated it and why; a failure's innermost cause, which is where the activity's
 * own message is; a timeout and a cancellation, which carry nothing to read.
 */
import { describe, expect, it } from 'vitest';
import { reasonOf } from '../../worker/stop-sweeper';

describe('the reason a stopped run is recorded with', () => {
  it('names who terminated it and why, or says no reason was given', () => {
    expect(reasonOf('terminated', { workflowExecutionTerminatedEventAttributes: { identity: 'ops@host', reason: ' 清理测试数据 ' } })).toBe('由 ops@host 终止：清理测试数据 / terminated by ops@host: 清理测试数据');
    expect(reasonOf('terminated', { workflowExecutionTerminatedEventAttributes: { identity: 'history-service', reason: '' } })).toBe('由 history-service 终止，未说明原因 / terminated by history-service, no reason given');
    expect(reasonOf('terminated', undefined)).toBe('由 未知操作方 终止，未说明原因 / terminated by an unknown party, no reason given');
  });

  it('gives a failure’s innermost message (the activity’s own, not the wrapper’s)', () => {
    const failure = { message: 'Activity task failed', cause: { message: 'activity failed', cause: { message: '台账中没有暂缓支付 u/2020/x / no holdback u/2020/x in the ledger' } } };
    expect(reasonOf('failed', { workflowExecutionFailedEventAttributes: { failure } })).toBe('台账中没有暂缓支付 u/2020/x / no holdback u/2020/x in the ledger');
    expect(reasonOf('failed', { workflowExecutionFailedEventAttributes: { failure: { message: '  ' } } })).toBe('流程失败，未说明原因 / the workflow failed without a message');
  });

  it('says what a timeout and a cancellation are', () => {
    expect(reasonOf('timed_out', undefined)).toBe('流程超过了为其设定的运行时限 / the workflow ran past its execution timeout');
    expect(reasonOf('cancelled', undefined)).toBe('流程被取消 / the workflow was cancelled');
  });
});
