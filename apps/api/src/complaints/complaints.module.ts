import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CalendarModule } from '../calendar/calendar.module';
import { QueriesModule } from '../queries/queries.module';
import { PolicyRecord } from './policy-record';
import { complaintPoliciesProvider, complaintPolicyProvider } from './complaint-policy.provider';
import { ComplaintCommands } from './http/complaint-commands.service';
import { ComplaintQueriesHttpController } from './http/complaint-queries.http.controller';
import { ComplaintsHttpController } from './http/complaints.http.controller';
import { RefundsHttpController } from './http/refunds.http.controller';
import { WorkOrdersHttpController } from './http/work-orders.http.controller';
import { ComplaintReader } from './read/complaint-reader';
import { RepeatComplainants } from './repeat-complainants';
import { RunComplaintCommandHandler } from './run-complaint-command';

/** Complaints, their work orders and refunds: the commands of API.md and the reads of this stage. */
@Module({
  imports: [CqrsModule, QueriesModule, CalendarModule],
  controllers: [ComplaintsHttpController, WorkOrdersHttpController, RefundsHttpController, ComplaintQueriesHttpController],
  providers: [complaintPolicyProvider, complaintPoliciesProvider, PolicyRecord, RunComplaintCommandHandler, ComplaintCommands, ComplaintReader, RepeatComplainants],
  exports: [RepeatComplainants],
})
export class ComplaintsModule {}
