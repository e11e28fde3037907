/**
 * A section's submission for the annual evaluation: what the section achieved, its output
 * indicators (target and actual), the problems it sees and its next steps. The same schema
 * validates a draft (everything optional but well-formed) and a final submission (complete).
 */
import { z } from 'zod';
import { outputDirections } from './indicators';
import { bi } from './validation';

const text = z.string().trim().min(1, { message: bi('不能为空', 'may not be empty') }).max(20_000);
const title = z.string().trim().min(1, { message: bi('不能为空', 'may not be empty') }).max(200);


/** Decimal text with at most 4 decimals, e.g. "35000", "99.5"; kept as text so nothing is lost. */
const decimal = z
  .union([z.string(), z.number()])
  .transform((v) => (typeof v === 'number' ? String(v) : v.trim()))
  .refine((s) => /^-?\d+(\.\d{1,4})?$/.test(s), { message: bi('应为数字（最多 4 位小数）', 'must be a number (at most 4 decimals)') });

export const outputIndicatorSchema = z
  .object({
    name: title,
    /** 计量单位, e.g. 条, 家, %, 起. */
    unit: z.string().trim().max(20).default(''),
    direction: z.enum(outputDirections),
    target: decimal,
    actual: decimal,
    /** 偏差原因 when the target was not met. */
    note: z.string().trim().max(2_000).optional(),
  })
  .strict();
export type OutputIndicator = z.output<typeof outputIndicatorSchema>;

export const achievementSchema = z
  .object({
    title,
    paragraphs: z.array(text).min(1),
  })
  .strict();

const pointSchema = z.object({ title, detail: text.optional() }).strict();

export const sectionSubmissionSchema = z
  .object({
    section: z.string().trim().min(1),
    achievements: z.array(achievementSchema).default([]),
    outputIndicators: z.array(outputIndicatorSchema).default([]),
    problems: z.array(pointSchema).default([]),
    nextSteps: z.array(pointSchema).default([]),
  })
  .strict();
export type SectionSubmission = z.output<typeof sectionSubmissionSchema>;

/** A final submission must say something: at least one achievement or output indicator. */
export const finalSubmissionSchema = sectionSubmissionSchema.superRefine((s, ctx) => {
  if (s.achievements.length === 0 && s.outputIndicators.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['achievements'],
      message: bi('请至少填写一项工作成效或一项产出指标', 'give at least one achievement or one output indicator'),
      params: { code: 'empty_submission' },
    });
  }
});
