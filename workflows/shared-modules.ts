/**
 * Loaded once per workflow thread before any workflow, and shared (frozen) by all of them — see
 * `sharedWorkflowModules` in worker/create-worker.ts. Naming zod there directly would not work:
 * webpack drops a preload whose result is unused from a package marked side-effect free.
 * Only stateless modules belong here: a shared module cannot keep per-workflow state, and nothing
 * in it may run workflow APIs (there is no workflow yet when it loads).
 */
import * as z from 'zod';

// zod sets its global configuration (default locale, memoizer) on first use. Once shared, that
// configuration object is frozen, so first use must happen here, before the freeze.
z.config(z.locales.en());
const warmUp = z.object({ text: z.string().min(1), count: z.number().int(), kind: z.enum(['a', 'b']), when: z.iso.date().optional() });
warmUp.safeParse({ text: 'x', count: 1, kind: 'a' });
warmUp.safeParse({ text: '', count: 1.5, kind: 'c', when: 'no' });

// Our own schemas stay per workflow: zod binds a schema's methods to it on first use, which a
// frozen (shared) schema refuses — tried, and every validator failed.
export const sharedZod: typeof z = z;
