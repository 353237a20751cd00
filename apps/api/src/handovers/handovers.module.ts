import { Module } from '@nestjs/common';
import { QueriesModule } from '../queries/queries.module';
import { HandoversHttpController } from './handovers.http.controller';
import { Handovers } from './handovers.service';

/** Shift handover (交接班): the open items a desk holds, handed over and acknowledged. */
@Module({
  imports: [QueriesModule],
  controllers: [HandoversHttpController],
  providers: [Handovers],
})
export class HandoversModule {}
