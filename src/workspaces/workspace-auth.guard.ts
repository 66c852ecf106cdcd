import { type CanActivate, type ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { AFTER_AUTHENTICATION, type AfterAuthentication } from '../common/auth/after-authentication.js';
import { AppConfig } from '../config/app-config.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiError } from '../common/errors/api-error.js';
import { type AuthedRequest } from '../common/auth/auth-context.js';
import { extractApiKey, secretsEqual } from '../common/auth/key-hash.js';

/** What an operator who tries the admin key on a workspace route needs to hear. */
const ADMIN_KEY_ON_WORKSPACE_ROUTE =
  'This is the admin key: the admin key manages workspaces; use a workspace API key, e.g. POST /v1/workspaces/{id}/api-keys';

@Injectable()
export class WorkspaceAuthGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly config: AppConfig,
    /** The workspace API limits (ApiLimitsModule), counted once the key is known. */
    @Optional() @Inject(AFTER_AUTHENTICATION) private readonly after?: AfterAuthentication,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    if (req.auth) return true;
    const key = extractApiKey(req.headers);
    if (!key) throw ApiError.unauthorized('Missing API key: send Authorization: Bearer <key> or X-API-Key');
    const auth = await this.keys.authenticate(key);
    if (!auth) {
      // Only unknown keys pay for this comparison; a workspace key never reaches it.
      if (this.config.adminApiKey && secretsEqual(key, this.config.adminApiKey)) throw ApiError.unauthorized(ADMIN_KEY_ON_WORKSPACE_ROUTE);
      throw ApiError.unauthorized('Invalid or revoked API key');
    }
    req.auth = auth;
    if (this.after) await this.after.afterAuthentication(ctx, auth);
    return true;
  }
}
