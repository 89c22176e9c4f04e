import { Module } from '@nestjs/common';
import { EventTracer } from './event-tracer.js';

@Module({
  providers: [EventTracer],
  exports: [EventTracer],
})
export class TracingModule {}
