import { Body, Controller, HttpCode, Inject, Module, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import { Clock, CLOCK, ManualClock } from '@complaints/application';
import { EVENT_STORE, EventStore } from '@complaints/event-store';
import { DeadlineScheduler } from '../deadlines/deadline-scheduler';
import { Roles } from '../platform/auth';
import { ProblemException } from '../platform/http';

export class MoveClockRequest {
  @ApiPropertyOptional({ example: 61, description: 'minutes to move forward' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(366 * 24 * 60)
  advanceMinutes?: number;

  @ApiPropertyOptional({ example: '2026-11-27T09:00:00+08:00', description: 'an instant to move to (not before the current one)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'now must be an ISO-8601 instant' })
  now?: string;
}

/**
 * `POST /api/test/clock` (API.md "Test clock"): mounted only when the server
 * runs with COMPLAINTS_TEST_CLOCK=1, which the configuration refuses in
 * production. Once events are written, time only moves forward: the event
 * log is in time order.
 */
@ApiTags('test clock')
@ApiBearerAuth()
@Controller('api/test/clock')
export class TestClockHttpController {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly scheduler: DeadlineScheduler,
  ) {}

  @Post()
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: "Move the server's clock (test servers only)" })
  @ApiOkResponse({ description: '`{ now }`' })
  async move(@Body() body: MoveClockRequest) {
    if (!(this.clock instanceof ManualClock)) throw new Error('the test clock module is mounted without a manual clock');
    const given = [body.advanceMinutes !== undefined, body.now !== undefined].filter(Boolean).length;
    if (given !== 1) {
      const message = 'give exactly one of advanceMinutes and now';
      throw new ProblemException({ status: 400, code: 'validation_failed', detail: message, extensions: { errors: [{ field: 'advanceMinutes', message }, { field: 'now', message }] } });
    }
    const current = this.clock.now();
    const target = body.now !== undefined ? new Date(body.now) : new Date(current.getTime() + body.advanceMinutes! * 60_000);
    // before anything is written the clock may be set anywhere; after, only forward: the log is in time order
    if (target < current && (await this.store.headPosition()) > 0) {
      const message = `the clock only moves forward once events are written; it is ${current.toISOString()}`;
      throw new ProblemException({ status: 400, code: 'validation_failed', detail: message, extensions: { errors: [{ field: 'now', message }] } });
    }
    this.clock.set(target);
    // API.md: every deadline that has come due fires before this call returns
    const fired = await this.scheduler.fireDue();
    return { now: target.toISOString(), deadlinesFired: fired };
  }
}

@Module({ controllers: [TestClockHttpController] })
export class TestClockModule {}
