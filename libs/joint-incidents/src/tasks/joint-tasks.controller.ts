import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse, BODY_ERRORS, IdParam } from '#common';
import { CurrentPrincipal, type OrgPrincipal, Roles } from '#auth';
import { CreateJointTaskDto, JointTaskTransitionDto, MyTasksQueryDto, ReassignJointTaskDto, TaskListQueryDto } from './dto/joint-task.dto.js';
import { JointTaskView } from './dto/joint-task-view.dto.js';
import { JointTasksService } from './joint-tasks.service.js';

@ApiTags('joint incidents')
@ApiBearerAuth()
@ApiErrors(401, 403, 404)
@Controller('api/v1/joint-incidents/:id/tasks')
export class JointTasksController {
  constructor(private readonly tasks: JointTasksService) {}

  @Post()
  @Roles('admin', 'handler', 'coordinator')
  @ApiOperation({ summary: 'Assign a task to an accepted participant (the coordination team, or the participant taking part as lead), with its marking, priority and due date in an IANA zone' })
  @ApiCreatedResponse({ type: JointTaskView })
  @ApiErrors(...BODY_ERRORS, 409, 422)
  assign(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: CreateJointTaskDto) {
    return this.tasks.assign(principal, id, body);
  }

  @Get()
  @ApiOperation({ summary: 'The tasks of this joint incident you may read, soonest due first' })
  @ApiPageResponse(JointTaskView)
  @ApiErrors(400)
  list(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Query() query: TaskListQueryDto) {
    return this.tasks.list(principal, id, query);
  }

  @Get(':taskId')
  @ApiOperation({ summary: 'One task you may read, with its history (404 otherwise)' })
  @ApiOkResponse({ type: JointTaskView })
  get(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Param('taskId', IdParam()) taskId: string) {
    return this.tasks.get(principal, id, taskId);
  }

  @Post(':taskId/accept')
  @HttpCode(200)
  @Roles('admin', 'handler')
  @ApiOperation({ summary: 'The assignee organisation accepts a proposed task' })
  @ApiOkResponse({ type: JointTaskView })
  @ApiErrors(...BODY_ERRORS, 409)
  accept(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Param('taskId', IdParam()) taskId: string, @Body() body: JointTaskTransitionDto) {
    return this.tasks.move(principal, id, taskId, 'accept', body);
  }

  @Post(':taskId/decline')
  @HttpCode(200)
  @Roles('admin', 'handler')
  @ApiOperation({ summary: 'The assignee organisation declines a proposed task, with a reason' })
  @ApiOkResponse({ type: JointTaskView })
  @ApiErrors(...BODY_ERRORS, 409)
  decline(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Param('taskId', IdParam()) taskId: string, @Body() body: JointTaskTransitionDto) {
    return this.tasks.move(principal, id, taskId, 'decline', body);
  }

  @Post(':taskId/start')
  @HttpCode(200)
  @Roles('admin', 'handler')
  @ApiOperation({ summary: 'The assignee organisation starts an accepted task' })
  @ApiOkResponse({ type: JointTaskView })
  @ApiErrors(...BODY_ERRORS, 409)
  start(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Param('taskId', IdParam()) taskId: string, @Body() body: JointTaskTransitionDto) {
    return this.tasks.move(principal, id, taskId, 'start', body);
  }

  @Post(':taskId/done')
  @HttpCode(200)
  @Roles('admin', 'handler')
  @ApiOperation({ summary: 'The assignee organisation finishes a task in progress, with an outcome note' })
  @ApiOkResponse({ type: JointTaskView })
  @ApiErrors(...BODY_ERRORS, 409)
  done(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Param('taskId', IdParam()) taskId: string, @Body() body: JointTaskTransitionDto) {
    return this.tasks.move(principal, id, taskId, 'done', body);
  }

  @Post(':taskId/cancel')
  @HttpCode(200)
  @Roles('admin', 'handler', 'coordinator')
  @ApiOperation({ summary: 'The assigner cancels an open task, with a reason' })
  @ApiOkResponse({ type: JointTaskView })
  @ApiErrors(...BODY_ERRORS, 409)
  cancel(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Param('taskId', IdParam()) taskId: string, @Body() body: JointTaskTransitionDto) {
    return this.tasks.cancel(principal, id, taskId, body);
  }

  @Post(':taskId/reassign')
  @HttpCode(200)
  @Roles('admin', 'handler', 'coordinator')
  @ApiOperation({ summary: 'The assigner gives the task to another accepted participant, back to proposed, with a reason' })
  @ApiOkResponse({ type: JointTaskView })
  @ApiErrors(...BODY_ERRORS, 409, 422)
  reassign(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Param('taskId', IdParam()) taskId: string, @Body() body: ReassignJointTaskDto) {
    return this.tasks.reassign(principal, id, taskId, body);
  }
}

@ApiTags('joint incidents')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Controller('api/v1/tasks')
export class MyTasksController {
  constructor(private readonly tasks: JointTasksService) {}

  @Get()
  @ApiOperation({
    summary: "Tasks across joint incidents: assigned to your organisation (scope assigned, the default), or every task of the joint incidents you coordinate (scope coordinated); soonest due first",
  })
  @ApiPageResponse(JointTaskView)
  @ApiErrors(400)
  mine(@CurrentPrincipal() principal: OrgPrincipal, @Query() query: MyTasksQueryDto) {
    return this.tasks.mine(principal, query);
  }
}
