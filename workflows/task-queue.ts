/** The task queue every selfeval workflow and activity runs on. */
export const taskQueue = 'selfeval';
