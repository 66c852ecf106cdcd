import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WorkspaceId } from '../common/auth/auth-context.js';
import { WorkspaceAuthGuard } from '../workspaces/workspace-auth.guard.js';
import { ApiErrors } from '../common/http/api-errors.decorator.js';
import { Clock } from '../common/clock.js';
import { ClassifyResponse, OutcomeResponse } from './cooldowns.dto.js';
import { publicClassification, toCooldownView } from './cooldown.types.js';
import { OutcomeDto } from './outcome.dto.js';
import { OutcomesService } from './outcomes.service.js';

@ApiTags('outcomes')
@ApiBearerAuth('workspace')
@UseGuards(WorkspaceAuthGuard)
@Controller('v1')
export class OutcomesController {
  constructor(
    private readonly outcomes: OutcomesService,
    private readonly clock: Clock,
  ) {}

  @Post('identities/:identityId/outcomes')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'reportOutcome',
    summary: 'Report what an action got from LinkedIn: classified, logged, and LinkedIn pushback starts or extends a cooldown',
  })
  @ApiOkResponse({ type: OutcomeResponse })
  @ApiErrors(400, 401, 404, 413, 429, 503)
  async report(@WorkspaceId() ws: string, @Param('identityId') id: string, @Body() dto: OutcomeDto): Promise<OutcomeResponse> {
    const r = await this.outcomes.report(ws, id, dto);
    return {
      classification: publicClassification(r.classification),
      cooldown: r.cooldown ? toCooldownView(r.cooldown, this.clock.now()) : null,
      effect: r.effect,
    };
  }

  @Post('classify')
  @HttpCode(200)
  @ApiOperation({ operationId: 'classifyOutcome', summary: 'Classify an outcome without recording anything' })
  @ApiOkResponse({ type: ClassifyResponse })
  @ApiErrors(400, 401, 413, 429)
  classify(@Body() dto: OutcomeDto): ClassifyResponse {
    return { classification: publicClassification(this.outcomes.classify(dto)) };
  }
}
