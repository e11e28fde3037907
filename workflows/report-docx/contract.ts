/**
 * Contract of a draft's DOCX on request: drafts store their PDF only; the first download of a
 * draft's DOCX starts this workflow (one per version: requests at once share it), whose activity
 * renders the DOCX in the worker's render pool from the document the PDF was made of and stores
 * it once. The HTTP process cannot render (it does not load activities), hence the round trip.
 */
export { taskQueue } from '../task-queue';

export const draftDocxWorkflowType = 'draftDocx';
export const draftDocxId = (unitCode: string, year: number, version: number): string => `report-docx/${unitCode}/${year}/v${version}`;

export interface DraftDocxInput {
  unitCode: string;
  year: number;
  version: number;
  /** Who asked (the download's account). */
  actor: string;
}

export interface DraftDocxResult {
  version: number;
  docxSha256: string;
  /** False when the DOCX was there already (asked for before, rendered eagerly, or issued). */
  rendered: boolean;
}
