import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.utils.Utils;

/**
 * Reads lines of "<partitions> <base64 key>" and prints "<murmur2> <partition>" for each, as
 * Apache Kafka's own Java client computes them: the reference the service's partitioner must match.
 */
public class KafkaPartitionOfKey {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    StringBuilder out = new StringBuilder();
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isEmpty()) continue;
      String[] fields = line.split(" ", -1);
      int partitions = Integer.parseInt(fields[0]);
      byte[] key = Base64.getDecoder().decode(fields[1]);
      out.append(Utils.murmur2(key)).append(' ')
          .append(BuiltInPartitioner.partitionForKey(key, partitions)).append('\n');
    }
    System.out.print(out);
  }
}
