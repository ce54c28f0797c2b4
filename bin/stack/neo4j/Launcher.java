// Embedded Neo4j for bin/stack/neo4j.sh: a DBMS with Bolt on 127.0.0.1:<port>, auth off, small memory.
//
//   java -cp "<lib>/*" Launcher.java <dataDir> <port>          (source launch)
//   java -cp "<classes>:<lib>/*" Launcher <dataDir> <port>     (compiled once by neo4j.sh)
//
// After the default database answers `RETURN 1` it writes <dataDir>/ready (the stack's readiness marker),
// then runs until SIGTERM/SIGINT, when it shuts the DBMS down cleanly.
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

public class Launcher {
  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: Launcher <dataDir> <boltPort>");
      System.exit(2);
    }
    try {
      run(args);
    } catch (Throwable e) {
      // Neo4j's own (non-daemon) threads would keep a failed JVM alive: exit; the hook, if set, shuts down.
      e.printStackTrace();
      System.exit(1);
    }
  }

  static void run(String[] args) throws Exception {
    Path home = Path.of(args[0]).toAbsolutePath();
    int port = Integer.parseInt(args[1]);
    Files.createDirectories(home);
    Path ready = home.resolve("ready");
    Files.deleteIfExists(ready);

    long t0 = System.nanoTime();
    DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
        .setConfig(BoltConnector.enabled, true)
        .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
        .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
        .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
        .setConfig(HttpConnector.enabled, false)
        .setConfig(HttpsConnector.enabled, false)
        .setConfig(GraphDatabaseSettings.auth_enabled, false)
        .setConfig(GraphDatabaseSettings.udc_enabled, false)
        .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(64))
        // A dev and test server: keep little transaction log (the default, 2 days, grew to 3.8 GB on one HPO load).
        .setConfig(GraphDatabaseSettings.keep_logical_logs, "100M size")
        .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(2))
        // A throw-away test server: don't linger 2 x 5 s in Bolt's graceful shutdown.
        .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(500))
        .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofMillis(500))
        .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
        .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(2))
        .build();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("neo4j: shutting down");
      try {
        Files.deleteIfExists(ready);
      } catch (Exception ignored) {
        // best effort
      }
      dbms.shutdown();
      System.out.println("neo4j: stopped");
      System.out.flush();
      stopped.countDown();
    }, "neo4j-shutdown"));

    GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
    Object one = db.executeTransactionally("RETURN 1 AS one", java.util.Map.of(),
        r -> r.hasNext() ? r.next().get("one") : null);
    if (!Long.valueOf(1L).equals(one)) {
      throw new IllegalStateException("RETURN 1 answered " + one);
    }
    Files.writeString(ready, ProcessHandle.current().pid() + "\n");
    System.out.printf("neo4j: bolt://127.0.0.1:%d ready in %d ms (data %s)%n",
        port, (System.nanoTime() - t0) / 1_000_000, home);
    System.out.flush();
    stopped.await();
  }
}
