import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

export interface AuthContext {
  workspaceId: string;
  keyId: string;
}

export interface AuthedRequest {
  id?: string;
  auth?: AuthContext;
  headers: Record<string, string | string[] | undefined>;
}

/** The authenticated workspace's id, set by WorkspaceAuthGuard. */
export const WorkspaceId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<AuthedRequest>();
  if (!req.auth) throw new Error('WorkspaceId used on a route without WorkspaceAuthGuard');
  return req.auth.workspaceId;
});
