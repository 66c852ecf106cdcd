import { type ScheduleFieldsDto } from './guard.dto.js';
import { type GuardRequest } from './guard.service.js';

/** The schedule-mode fields of a guard body, as the service takes them. */
export function scheduleFields(dto: ScheduleFieldsDto): Pick<GuardRequest, 'when' | 'notBefore' | 'notAfter'> {
  return {
    ...(dto.when ? { when: dto.when } : {}),
    ...(dto.not_before ? { notBefore: new Date(dto.not_before) } : {}),
    ...(dto.not_after ? { notAfter: new Date(dto.not_after) } : {}),
  };
}
