import { z } from 'zod';
import { eventId, labelValue, modelName, requestId, timestamp } from './fields';

/** A label must name the prediction it belongs to. */
export function hasJoinKey(label: { event_id?: unknown; request_id?: unknown }): boolean {
  return label.event_id !== undefined || label.request_id !== undefined;
}

/** Ground truth that arrives after the prediction; joined to it by event_id or request_id. */
export const labelEvent = z
  .strictObject(
    {
      model: modelName,
      label: labelValue,
      event_id: eventId.optional(),
      request_id: requestId.optional(),
      timestamp: timestamp.optional(),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be an object') },
  )
  .superRefine((label, ctx) => {
    if (!hasJoinKey(label)) {
      ctx.addIssue({
        code: 'custom',
        path: ['event_id'],
        message: 'event_id or request_id is required',
      });
    }
  });

export type LabelEventInput = z.input<typeof labelEvent>;
export type LabelEvent = z.output<typeof labelEvent>;
