import { Module } from '@nestjs/common';
import { complaintPolicyProvider } from '../complaints/complaint-policy.provider';
import { PersonalDataAudit } from '../privacy/personal-data-audit';
import { PersonalDataReadsHttpController } from '../privacy/personal-data-reads.http.controller';
import { ConsoleQueriesHttpController } from './console-queries.http.controller';
import { QueuesHttpController } from './queues.http.controller';
import { ReadModelsReader } from './read-models.reader';
import { SearchHttpController } from './search.http.controller';
import { StatisticsHttpController } from './statistics.http.controller';

/** The read side of API.md: queues, search, statistics, reports, the bulletin; all answered from the read models. */
@Module({
  controllers: [QueuesHttpController, SearchHttpController, StatisticsHttpController, PersonalDataReadsHttpController, ConsoleQueriesHttpController],
  providers: [ReadModelsReader, PersonalDataAudit, complaintPolicyProvider],
  exports: [ReadModelsReader, PersonalDataAudit],
})
export class QueriesModule {}
