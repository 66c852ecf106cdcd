import { createHash } from 'node:crypto';

const SHORT = 22;

/**
 * The sorted-set member for an action id. Short ids are used as they are; longer ones become a
 * 23-character digest (a length no raw member has, so the two forms never collide). Members stay
 * small, which keeps a window in Redis' compact listpack encoding.
 */
export function actionMember(actionId: string): string {
  if (actionId.length <= SHORT && !actionId.includes('#')) return actionId;
  return '~' + createHash('sha256').update(actionId, 'utf8').digest('base64url').slice(0, SHORT);
}

/** Every member an action of this cost holds in a window: the member, then `#k` for its k-th unit (as guard.lua writes them). */
export function unitMembers(actionId: string, cost: number): string[] {
  const member = actionMember(actionId);
  return Array.from({ length: cost }, (_, k) => (k === 0 ? member : `${member}#${k + 1}`));
}
