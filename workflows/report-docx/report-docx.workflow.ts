/** Renders a draft's DOCX on request (see ./contract): one activity, retried if a worker or render thread dies mid-render. */
import { renderOnRequest } from '../render-on-request';
import type { DraftDocxInput, DraftDocxResult } from './contract';

export async function draftDocx(input: DraftDocxInput): Promise<DraftDocxResult> {
  return renderOnRequest.renderDraftDocx(input);
}
