import { type ExecutionContext } from '@nestjs/common';
import { type AuthContext } from './auth-context.js';

/**
 * What runs once a workspace key is authenticated, inside WorkspaceAuthGuard, before any pipe or
 * handler: the workspace API limits (api-limits/api-limit-counter.ts). A guard step rather than a
 * global interceptor, so no route pays Nest's RxJS interceptor plumbing (issue 18).
 */
export const AFTER_AUTHENTICATION = Symbol('AFTER_AUTHENTICATION');

export interface AfterAuthentication {
  afterAuthentication(ctx: ExecutionContext, auth: AuthContext): Promise<void>;
}
