package dev.perceo.testserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.internal.helpers.HostnamePort;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * Minimal launcher for a real Neo4j 5.26 Community DBMS (embedded) with a Bolt connector on
 * 127.0.0.1, for Perceo's integration tests. Started by tests/services/neo4j/neo4j.sh.
 *
 * <pre>
 *   java -cp 'target/neo4j-testserver.jar:target/lib/*' dev.perceo.testserver.Neo4jServer \
 *        --port 17687 --data-dir /tmp/x --database perceo
 * </pre>
 *
 * The password for user {@code neo4j} is read from the environment variable
 * {@code PERCEO_NEO4J_PASSWORD} (so it never shows up in a process listing); {@code --password}
 * is accepted as a fallback. It must be at least 8 characters. {@code --no-auth} disables auth.
 *
 * Prints exactly one line {@code READY bolt://127.0.0.1:<port>} on stdout once Bolt accepts
 * connections and the password is set. Shuts down cleanly on SIGTERM/SIGINT.
 */
public final class Neo4jServer {
    private static final String HOST = "127.0.0.1";

    private Neo4jServer() {}

    public static void main(String[] args) throws Exception {
        int port = intEnv("PERCEO_NEO4J_PORT", 17687);
        String dataDir = env("PERCEO_NEO4J_DATA_DIR", null);
        String database = env("PERCEO_NEO4J_DATABASE", "perceo");
        String password = env("PERCEO_NEO4J_PASSWORD", null);
        boolean auth = true;
        String pageCache = env("PERCEO_NEO4J_PAGECACHE", "64m");

        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--port" -> port = Integer.parseInt(need(args, ++i, a));
                case "--data-dir" -> dataDir = need(args, ++i, a);
                case "--database" -> database = need(args, ++i, a);
                case "--password" -> password = need(args, ++i, a);
                case "--page-cache" -> pageCache = need(args, ++i, a);
                case "--no-auth" -> auth = false;
                case "-h", "--help" -> {
                    System.out.println("usage: Neo4jServer [--port P] [--data-dir DIR] [--database DB]"
                            + " [--password PW | env PERCEO_NEO4J_PASSWORD] [--page-cache 64m] [--no-auth]");
                    return;
                }
                default -> fail("unknown argument: " + a);
            }
        }
        if (dataDir == null) fail("--data-dir (or PERCEO_NEO4J_DATA_DIR) is required");
        if (auth) {
            if (password == null || password.isEmpty()) password = "perceo-test-pw";
            if (password.length() < 8) fail("password must be at least 8 characters");
        }

        Path home = Path.of(dataDir).toAbsolutePath();
        Files.createDirectories(home);

        long t0 = System.nanoTime();
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(BoltConnector.thread_pool_min_size, 2)
                .setConfig(BoltConnector.thread_pool_max_size, 64)
                .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                .setConfig(GraphDatabaseSettings.initial_default_database, database)
                .setConfig(GraphDatabaseSettings.pagecache_memory, parseBytes(pageCache))
                .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, parseBytes("256m"))
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "2 files")
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, parseBytes("4m"))
                // Test server: don't sit in Netty's graceful-shutdown quiet periods (~10 s otherwise).
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(2))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("perceo-neo4j: shutting down");
            try {
                dbms.shutdown();
            } catch (Throwable t) {
                System.err.println("perceo-neo4j: shutdown error: " + t);
            } finally {
                stopped.countDown();
            }
        }, "perceo-neo4j-shutdown"));

        if (auth) {
            // With auth on, a fresh store has neo4j/neo4j with a required password change.
            // Embedded transactions run with auth disabled, so we may set it directly.
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        }

        // Make sure the user database is up (also catches a data dir created with another name).
        dbms.database(database).executeTransactionally("RETURN 1");

        int boltPort = port;
        HostnamePort bound = ((GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME))
                .getDependencyResolver().resolveDependency(ConnectorPortRegister.class)
                .getLocalAddress(ConnectorType.BOLT);
        if (bound != null) boltPort = bound.getPort();
        waitForPort(boltPort, Duration.ofSeconds(30));

        System.err.printf("perceo-neo4j: started in %d ms (home=%s, database=%s, auth=%s)%n",
                (System.nanoTime() - t0) / 1_000_000, home, database, auth);
        System.out.println("READY bolt://" + HOST + ":" + boltPort);
        System.out.flush();

        stopped.await();
    }

    private static void waitForPort(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(HOST, port), 1000);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) fail("bolt port " + port + " never accepted connections: " + e);
                Thread.sleep(100);
            }
        }
    }

    private static long parseBytes(String s) {
        String v = s.trim().toLowerCase();
        long mul = 1;
        char last = v.charAt(v.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            mul = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            v = v.substring(0, v.length() - 1);
        }
        return Long.parseLong(v) * mul;
    }

    private static String need(String[] args, int i, String flag) {
        if (i >= args.length) fail(flag + " needs a value");
        return args[i];
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? dflt : v;
    }

    private static int intEnv(String name, int dflt) {
        String v = env(name, null);
        return v == null ? dflt : Integer.parseInt(v);
    }

    private static void fail(String msg) {
        System.err.println("perceo-neo4j: " + msg);
        System.exit(2);
    }
}
