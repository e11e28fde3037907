/**
 * The facts a finance officer records about a withheld amount, as zod schemas: each carries a
 * `requestId` chosen by the caller (a retried request repeats it and gets the same answer).
 * Messages are bilingual (`bi`). Used by the workflow's update validators and by the API.
 */
import { z } from 'zod';
import { civilDateSchema } from '../calendar/civil-date';
import { bi } from '../validation';

export const requestIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/, { message: bi('请求编号只能包含字母、数字和 . _ : @ / -', 'requestId: letters, digits and . _ : @ / - only') });

const amountFenSchema = z
  .number()
  .int({ message: bi('金额应为整数（分）', 'amount must be a whole number of 分') })
  .positive({ message: bi('金额必须大于零', 'amount must be greater than zero') })
  .refine(Number.isSafeInteger, { message: bi('金额过大', 'amount too large') });

const note = z.string().trim().min(1).max(2000).optional();
const actor = z.string().trim().min(1).max(200).optional();

export const recordAssessmentSchema = z
  .object({
    requestId: requestIdSchema,
    /** The assessment period, e.g. "2021". */
    period: z.string().trim().min(1).max(20),
    assessedOn: civilDateSchema,
    passed: z.boolean(),
    score: z.number().min(0).max(100).optional(),
    /** Payment coefficient from the score, in basis points (9500 = 95%); required on a pass when the contract scales the fee. */
    coefficientBp: z.number().int().min(0).max(10_000, { message: bi('系数不得超过 100%', 'coefficient may not exceed 100%') }).optional(),
    note,
    actor,
  })
  .strict();
export type RecordAssessment = z.input<typeof recordAssessmentSchema>;

export const recordAcceptanceSchema = z
  .object({
    requestId: requestIdSchema,
    acceptedOn: civilDateSchema,
    /** Warranty of the retention this acceptance opens, when the contract does not say. */
    warrantyMonths: z.number().int().min(1).max(24, { message: bi('缺陷责任期最长 24 个月（建质〔2017〕138号）', 'the defect liability period is at most 24 months (建质〔2017〕138号)') }).optional(),
    note,
    actor,
  })
  .strict();
export type RecordAcceptance = z.input<typeof recordAcceptanceSchema>;

export const reportDefectSchema = z
  .object({
    requestId: requestIdSchema,
    reportedOn: civilDateSchema,
    /** How many months the warranty is extended by. */
    extendMonths: z.number().int().min(1).max(12),
    description: z.string().trim().min(1).max(2000),
    actor,
  })
  .strict();
export type ReportDefect = z.input<typeof reportDefectSchema>;

export const recordMilestoneSchema = z
  .object({
    requestId: requestIdSchema,
    /** The milestone as the ledger names it, e.g. "系统升级改造项目完成". */
    milestone: z.string().trim().min(1).max(200),
    reachedOn: civilDateSchema,
    note,
    actor,
  })
  .strict();
export type RecordMilestone = z.input<typeof recordMilestoneSchema>;

export const recordReleaseSchema = z
  .object({
    requestId: requestIdSchema,
    paidOn: civilDateSchema,
    amountFen: amountFenSchema,
    note,
    actor,
  })
  .strict();
export type RecordRelease = z.input<typeof recordReleaseSchema>;
