import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { EVENTS_PATH } from '../test/support/service.js';

// The framework's own ceiling for the bench: Nest on Fastify, one controller that takes the JSON
// body Fastify parsed and answers 202 with {}. Nothing of the service: what any Nest webhook pays.

@Controller()
class EmptyController {
  @Post(EVENTS_PATH)
  @HttpCode(202)
  take(@Body() body: unknown): object {
    return typeof body === 'object' ? {} : { body };
  }
}

@Module({ controllers: [EmptyController] })
class EmptyModule {}

const app = await NestFactory.create<NestFastifyApplication>(EmptyModule, new FastifyAdapter(), {
  logger: false,
});
await app.listen(0, '127.0.0.1');
process.stdout.write(`${new URL(await app.getUrl()).port}\n`);
