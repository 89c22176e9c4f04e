import { Module } from '@nestjs/common';
import { KafkaConnectivity } from './kafka-connectivity.js';

@Module({ providers: [KafkaConnectivity], exports: [KafkaConnectivity] })
export class KafkaModule {}
