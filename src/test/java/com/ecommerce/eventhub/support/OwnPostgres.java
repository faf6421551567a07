package com.ecommerce.eventhub.support;

/**
 * A PostgreSQL of the test's own on port 54329
 * ({@code src/test/cluster/postgres-cluster.sh}), to restart under a running hub. The
 * PostgreSQL on 5432 is not touched.
 */
public final class OwnPostgres implements AutoCloseable {

	public static final String JDBC_URL = "jdbc:postgresql://127.0.0.1:54329/postgres";

	private OwnPostgres() {
	}

	/** Creates and starts it, with fresh data. */
	public static OwnPostgres start() {
		Scripts.run("postgres-cluster.sh", "start");
		return new OwnPostgres();
	}

	/** Restarts it with {@code -m immediate}: every client is cut off, no checkpoint. */
	public void restartImmediately() {
		Scripts.run("postgres-cluster.sh", "restart-immediate");
	}

	@Override
	public void close() {
		Scripts.run("postgres-cluster.sh", "stop");
	}

}
