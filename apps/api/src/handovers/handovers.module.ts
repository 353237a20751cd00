import { Module } from '@nestjs/common';
import { ComplaintsModule } from '../complaints/complaints.module';
import { HandoversHttpController } from './handovers.http.controller';
import { Handovers } from './handovers.service';

/** Shift handover (交接班): the open items a desk holds, handed over and acknowledged. */
@Module({
  imports: [ComplaintsModule],
  controllers: [HandoversHttpController],
  providers: [Handovers],
})
export class HandoversModule {}
