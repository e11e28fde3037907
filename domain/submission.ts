/**
 * A section's submission for the annual evaluation: what the section achieved, its output
 * indicators (target and actual), the problems it sees and its next steps. The same schema
 * validates a submission; `draftSubmissionSchema` below keeps work in progress in the same shape.
 */
import { z } from 'zod';
import { outputCategories, outputDirections } from './indicators';
import { decimalTextSchema } from './rate';
import { selfAssessmentDraftSchema, selfAssessmentEntrySchema } from './self-assessment';
import { bi } from './validation';

const text = z.string().trim().min(1, { message: bi('不能为空', 'may not be empty') }).max(20_000);
const title = z.string().trim().min(1, { message: bi('不能为空', 'may not be empty') }).max(200);


/** Decimal text with at most 4 decimals, e.g. "35000", "99.5"; kept as text so nothing is lost. */
const decimal = decimalTextSchema(4);

export const outputIndicatorSchema = z
  .object({
    name: title,
    /** 计量单位, e.g. 条, 家, %, 起. */
    unit: z.string().trim().max(20).default(''),
    direction: z.enum(outputDirections),
    target: decimal,
    actual: decimal,
    /** 数量 / 质量 / 时效 / 成本: which 产出 rate it feeds (实际完成率, 质量达标率, 完成及时率). */
    category: z.enum(outputCategories).default('quantity'),
    /** A 重点工作 (for 重点工作办结率). */
    key: z.boolean().default(false),
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
    /** The indicators the unit has this section assess (`unit.sections[].assesses`): tier, points, reason, evidence. */
    selfAssessments: z.array(selfAssessmentEntrySchema).max(100).default([]),
  })
  .strict();
export type SectionSubmission = z.output<typeof sectionSubmissionSchema>;

/**
 * A stored submission read back through the schema, so content written before a field existed gets
 * that field's default (`selfAssessments: []`, an output indicator's `category` and `key`).
 */
export function storedSubmission(content: unknown): SectionSubmission {
  return sectionSubmissionSchema.parse(content);
}

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

// ── Drafts ──────────────────────────────────────────────────────────────────────────────────
// A draft is work in progress: any field may be missing or blank and numbers may be half typed,
// but its shape is the submission's (so the form can always load it back) and its size bounded.

const draftText = (max: number) => z.string().max(max, { message: bi(`不能超过 ${max} 个字符`, `at most ${max} characters`) });
const draftNumber = z.union([draftText(40), z.number()]);
const draftList = <T extends z.ZodType>(item: T, max: number) => z.array(item).max(max, { message: bi(`最多 ${max} 项`, `at most ${max} items`) });
const draftPoint = z.object({ title: draftText(200).optional(), detail: draftText(20_000).optional() }).strict();

export const draftSubmissionSchema = z
  .object({
    section: z.string().optional(),
    achievements: draftList(z.object({ title: draftText(200).optional(), paragraphs: draftList(draftText(20_000), 100).optional() }).strict(), 100).optional(),
    outputIndicators: draftList(
      z
        .object({
          name: draftText(200).optional(),
          unit: draftText(20).optional(),
          direction: z.union([z.enum(outputDirections), z.literal('')]).optional(),
          target: draftNumber.optional(),
          actual: draftNumber.optional(),
          category: z.union([z.enum(outputCategories), z.literal('')]).optional(),
          key: z.boolean().optional(),
          note: draftText(2_000).optional(),
        })
        .strict(),
      500,
    ).optional(),
    problems: draftList(draftPoint, 100).optional(),
    nextSteps: draftList(draftPoint, 100).optional(),
    selfAssessments: selfAssessmentDraftSchema.shape.entries,
  })
  .strict();
export type SubmissionDraft = z.output<typeof draftSubmissionSchema>;
