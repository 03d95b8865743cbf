import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse, BODY_ERRORS, IdParam, PageQueryDto } from '#common';
import { CurrentPrincipal, type OrgPrincipal, Roles } from '#auth';
import { PatchContributionDto, PublishJointReportDto, PutContributionDto, PutJointReportDto } from './dto/joint-review.dto.js';
import { JointContributionView, JointReportView } from './dto/joint-review-view.dto.js';
import { JointReviewService } from './joint-review.service.js';

@ApiTags('joint incidents')
@ApiBearerAuth()
@ApiErrors(401, 403, 404)
@Controller('api/v1/joint-incidents/:id')
export class JointReviewController {
  constructor(private readonly review: JointReviewService) {}

  @Put('contribution')
  @Roles('admin', 'handler', 'coordinator')
  @ApiOperation({ summary: "Contribute to the lessons-learned review (learn_lessons only), or replace your organisation's contribution with the version you read" })
  @ApiOkResponse({ type: JointContributionView })
  @ApiErrors(...BODY_ERRORS, 409, 422)
  putContribution(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: PutContributionDto) {
    return this.review.put(principal, id, body);
  }

  @Patch('contribution')
  @Roles('admin', 'handler', 'coordinator')
  @ApiOperation({ summary: "Change your organisation's contribution: its text, near misses, marking or audience (the grants follow at once)" })
  @ApiOkResponse({ type: JointContributionView })
  @ApiErrors(...BODY_ERRORS, 409, 422)
  patchContribution(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: PatchContributionDto) {
    return this.review.patch(principal, id, body);
  }

  @Get('contributions')
  @ApiOperation({ summary: 'The contributions to the review you may read, newest first' })
  @ApiPageResponse(JointContributionView)
  @ApiErrors(400)
  listContributions(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Query() query: PageQueryDto) {
    return this.review.list(principal, id, query);
  }

  @Get('contributions/:contributionId')
  @ApiOperation({ summary: 'One contribution you may read (404 otherwise)' })
  @ApiOkResponse({ type: JointContributionView })
  getContribution(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Param('contributionId', IdParam()) contributionId: string) {
    return this.review.get(principal, id, contributionId);
  }

  @Put('report')
  @Roles('coordinator')
  @ApiOperation({ summary: 'Compile the joint report (the coordination team, learn_lessons only), or replace its draft with the version you read' })
  @ApiOkResponse({ type: JointReportView })
  @ApiErrors(...BODY_ERRORS, 409, 422)
  putReport(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: PutJointReportDto) {
    return this.review.putReport(principal, id, body);
  }

  @Get('report')
  @ApiOperation({ summary: 'The joint report as you may read it: each quote shown only where you may read the contribution it quotes' })
  @ApiOkResponse({ type: JointReportView })
  getReport(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.review.report(principal, id);
  }

  @Post('report/publish')
  @HttpCode(200)
  @Roles('coordinator')
  @ApiOperation({ summary: 'Publish the joint report to the accepted participants (final from then on); closing requires it' })
  @ApiOkResponse({ type: JointReportView })
  @ApiErrors(...BODY_ERRORS, 409)
  publishReport(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: PublishJointReportDto) {
    return this.review.publish(principal, id, body);
  }
}
