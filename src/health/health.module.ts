import { Module } from '@nestjs/common';
import { FilterModule } from '../filters/index.js';
import { HealthController } from './health.controller.js';

@Module({ imports: [FilterModule], controllers: [HealthController] })
export class HealthModule {}
