import { createRequire } from 'node:module';
import { causesOf } from './kafka-failure.js';

/** One partition's part of Kafka's answer to a produce request: error code 0 when it was written. */
export interface PartitionAnswer {
  topic: string;
  partition: number;
  errorCode: number;
}

interface ProduceResponse {
  topics: { topicName: string; partitions: { partition: number; errorCode: number }[] }[];
}

interface ProduceResponseModule {
  parse(data: ProduceResponse): Promise<ProduceResponse>;
}

/** Every produce response version kafkajs 2.2.4 speaks. */
const PRODUCE_VERSIONS = [0, 1, 2, 3, 4, 5, 6, 7];

const answersOfError = new WeakMap<object, PartitionAnswer[]>();
let applied = false;

/**
 * Kafka answers a produce request per partition, and writes each partition's records or none of
 * them; kafkajs throws the first failing partition's error and drops the rest of the answer
 * (protocol/requests/produce/v*\/response.js), so a caller cannot tell which partitions were
 * written. This keeps the whole answer with the error it throws, for `partitionAnswersOf`.
 */
export function keepPartitionAnswers(): void {
  if (applied) return;
  applied = true;
  const require = createRequire(import.meta.url);
  // Loaded all before any is changed: some versions take another's parse when they load.
  const responses = PRODUCE_VERSIONS.map(
    (version) =>
      require(
        `kafkajs/src/protocol/requests/produce/v${version}/response.js`,
      ) as ProduceResponseModule,
  );
  for (const response of responses) {
    const parse = response.parse.bind(response);
    response.parse = async (data) => {
      try {
        return await parse(data);
      } catch (error) {
        if (typeof error === 'object' && error !== null && !answersOfError.has(error)) {
          answersOfError.set(
            error,
            data.topics.flatMap(({ topicName, partitions }) =>
              partitions.map(({ partition, errorCode }) => ({
                topic: topicName,
                partition,
                errorCode,
              })),
            ),
          );
        }
        throw error;
      }
    };
  }
}

/** Kafka's whole answer behind a failed produce request, when the failure was its answer. */
export function partitionAnswersOf(error: unknown): readonly PartitionAnswer[] | undefined {
  for (const link of causesOf(error)) {
    const answers = typeof link === 'object' && link !== null && answersOfError.get(link);
    if (answers) return answers;
  }
  return undefined;
}
