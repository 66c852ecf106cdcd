import { type Result } from 'ioredis';
import { composeLua, intReply, RedisScript, ReplyReader } from '../redis/redis-script.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slInvitationState(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export interface InvitationStateInput {
  /** The identity's invitation hash. */
  key: string;
  op: 'load' | 'apply' | 'settle';
  /** The op's arguments, as invitation-state.lua lists them. */
  args: (string | number)[];
}

/**
 * Changes to an identity's invitation hash (invitation-state.lua). Answers 1/0 for load and settle
 * (written or not), the new pending count for apply (-1 when the hash is not loaded).
 */
export const INVITATION_STATE_SCRIPT = new RedisScript<InvitationStateInput, number>({
  command: 'slInvitationState',
  lua: composeLua(new URL('./invitation-state.lua', import.meta.url)),
  encode: (i) => ({ keys: [i.key], args: [i.op, ...i.args] }),
  decode: (reply, input) => {
    if (input.op !== 'apply') return intReply('invitation-state.lua', reply, 0, 1);
    const r = new ReplyReader('invitation-state.lua', reply).expectLength(2);
    const loaded = r.int('loaded', 0, 1);
    const pending = r.int('pending', -1);
    r.end();
    return loaded ? pending : -1;
  },
});
