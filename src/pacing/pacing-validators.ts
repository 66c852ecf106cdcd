import { type ApiPropertyOptions } from '@nestjs/swagger';
import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { scheduleProblems } from './schedule.js';

/** A schedule object or null; the message lists every problem (`days: …; end: …`). */
export function IsSchedule(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isSchedule',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (v: unknown) => Object.keys(scheduleProblems(v)).length === 0,
        defaultMessage(args: ValidationArguments) {
          const problems = scheduleProblems(args.value, '');
          return Object.entries(problems)
            .map(([k, msgs]) => `${propertyName}${k ? k : ''} ${msgs.join(', ')}`)
            .join('; ');
        },
      },
    });
}

export const SCHEDULE_SCHEMA = {
  type: 'object',
  nullable: true,
  description:
    'Working hours in the identity\'s time zone: ISO weekdays (1 = Monday), local start and exclusive end ("24:00" = midnight); each day opens 0–start_jitter_minutes late (stable per identity and day). null: any time.',
  properties: {
    days: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 7 }, example: [1, 2, 3, 4, 5] },
    start: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', example: '09:00' },
    end: { type: 'string', pattern: '^(([01]\\d|2[0-3]):[0-5]\\d|24:00)$', example: '18:00' },
    start_jitter_minutes: { type: 'integer', minimum: 0, maximum: 240, description: "Overrides the catalog's daily start offset (default 30)" },
  },
  required: ['days', 'start', 'end'] as string[],
  additionalProperties: false,
} satisfies ApiPropertyOptions;
