import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors } from '#common';
import { CurrentPrincipal, type OrgPrincipal, Roles } from '#auth';
import { FiguresQueryDto, type FiguresFormat } from './dto/figures-query.dto.js';
import { FiguresView, JointFiguresView } from './dto/figures-view.dto.js';
import { type CsvRow, csvFileName, figuresRows, jointFiguresRows, toCsv } from './figures-csv.js';
import { ManagementReviewService } from './management-review.service.js';

const CSV_DESCRIPTION = 'With `Accept: text/csv` or `format=csv`: the same figures as one table, `section,key,value` (RFC 4180, CRLF), as an attachment';

/** Both answers of a figures operation: the JSON class, and the CSV table. */
const figuresResponse = (view: typeof FiguresView | typeof JointFiguresView, description: string) => ({
  description,
  content: {
    'application/json': { schema: { $ref: getSchemaPath(view) } },
    'text/csv': { schema: { type: 'string' as const, description: CSV_DESCRIPTION }, example: 'section,key,value\r\nwindow,from,2025-01-01T00:00:00.000Z\r\n' },
  },
});

@ApiTags('management review')
@ApiBearerAuth()
@ApiErrors(401, 403)
@ApiExtraModels(FiguresView, JointFiguresView)
@ApiProduces('application/json', 'text/csv')
@ApiHeader({ name: 'Accept', required: false, description: 'text/csv for the CSV table; JSON otherwise' })
@Controller('api/v1/management-review')
export class ManagementReviewController {
  constructor(private readonly review: ManagementReviewService) {}

  @Get('figures')
  @Roles('admin', 'handler', 'viewer')
  @ApiOperation({ summary: "Your organisation's figures for management review over [from, to): incidents, near misses, times, NIS2 milestones; exercises excluded" })
  @ApiOkResponse(figuresResponse(FiguresView, 'The figures (JSON), or the same as a CSV table'))
  @ApiErrors(400)
  async figures(
    @CurrentPrincipal() principal: OrgPrincipal,
    @Query() query: FiguresQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const figures = await this.review.figures(principal, query);
    return wantsCsv(query.format, accept) ? sendCsv(reply, csvFileName('figures', figures), figuresRows(figures)) : figures;
  }

  @Get('joint-figures')
  @Roles('coordinator')
  @ApiOperation({ summary: "The coordinator's figures over its joint incidents opened in [from, to): classification, time to closing, phases, participants; exercises excluded" })
  @ApiOkResponse(figuresResponse(JointFiguresView, 'The joint figures (JSON), or the same as a CSV table'))
  @ApiErrors(400)
  async jointFigures(
    @CurrentPrincipal() principal: OrgPrincipal,
    @Query() query: FiguresQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const figures = await this.review.jointFigures(principal, query);
    return wantsCsv(query.format, accept) ? sendCsv(reply, csvFileName('joint-figures', figures), jointFiguresRows(figures)) : figures;
  }
}

/** `format` decides when given; else CSV only when the Accept header names text/csv. */
function wantsCsv(format: FiguresFormat | undefined, accept: string | undefined): boolean {
  if (format) return format === 'csv';
  return /(^|,)\s*text\/csv\s*(;|,|$)/i.test(accept ?? '');
}

function sendCsv(reply: FastifyReply, fileName: string, rows: CsvRow[]): string {
  reply.header('content-type', 'text/csv; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${fileName}"`);
  return toCsv(rows);
}
