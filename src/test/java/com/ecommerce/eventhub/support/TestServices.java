package com.ecommerce.eventhub.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The real services the integration tests talk to. A missing service fails the test with
 * a message that says how to start it; nothing is skipped.
 */
public final class TestServices {

	public static final String JDBC_URL = System.getProperty("test.jdbc.url",
			"jdbc:postgresql://127.0.0.1:5432/postgres");

	public static final String DB_USER = "postgres";

	public static final String RABBIT_HOST = "127.0.0.1";

	public static final int RABBIT_PORT = 5672;

	private TestServices() {
	}

	/** Fails fast with a clear message when PostgreSQL or RabbitMQ is not reachable. */
	public static void requireRunning() {
		try (Connection connection = jdbc()) {
			connection.isValid(2);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("PostgreSQL is not reachable at " + JDBC_URL + " (start it with "
					+ "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`): " + ex.getMessage(),
					ex);
		}
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(RABBIT_HOST, RABBIT_PORT), 2000);
		}
		catch (IOException ex) {
			throw new IllegalStateException("RabbitMQ is not reachable at " + RABBIT_HOST + ":" + RABBIT_PORT
					+ " (start it with `rabbitmq-server -detached`): " + ex.getMessage(), ex);
		}
	}

	/**
	 * A new JDBC connection to the test database.
	 * @return an open connection, auto-commit on
	 * @throws SQLException when PostgreSQL is unreachable
	 */
	public static Connection jdbc() throws SQLException {
		return DriverManager.getConnection(JDBC_URL, DB_USER, "postgres");
	}

	/**
	 * A RabbitMQ connection factory for the test's own (observer) connections.
	 * @return the factory
	 */
	public static com.rabbitmq.client.ConnectionFactory rabbit() {
		com.rabbitmq.client.ConnectionFactory factory = new com.rabbitmq.client.ConnectionFactory();
		factory.setHost(RABBIT_HOST);
		factory.setPort(RABBIT_PORT);
		factory.setUsername("guest");
		factory.setPassword("guest");
		return factory;
	}

}
