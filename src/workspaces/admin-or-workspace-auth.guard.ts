import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { type AuthedRequest } from '../common/auth/auth-context.js';
import { extractApiKey, secretsEqual } from '../common/auth/key-hash.js';
import { WorkspaceAuthGuard } from './workspace-auth.guard.js';
import { AppConfig } from '../config/app-config.js';

/**
 * Reference reads that an operator needs before a workspace exists (the tier tables): the admin key
 * passes as itself (no workspace, so no workspace API limit counts it), any other key as a
 * workspace key.
 */
@Injectable()
export class AdminOrWorkspaceAuthGuard implements CanActivate {
  constructor(
    private readonly workspace: WorkspaceAuthGuard,
    private readonly config: AppConfig,
  ) {}

  canActivate(ctx: ExecutionContext): boolean | Promise<boolean> {
    const key = extractApiKey(ctx.switchToHttp().getRequest<AuthedRequest>().headers);
    if (key && this.config.adminApiKey && secretsEqual(key, this.config.adminApiKey)) return true;
    return this.workspace.canActivate(ctx);
  }
}
