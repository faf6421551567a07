package com.ecommerce.eventhub.outbox;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

import com.ecommerce.eventhub.config.HubProperties;
import com.ecommerce.eventhub.config.RelayProperties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Listens for the outbox's insert notifications (channel {@code <schema>.outbox_event},
 * sent by the trigger of migration V11) on a connection of its own, outside the pool, and
 * wakes the relay workers through {@link OutboxWakeup}. Off with
 * {@code hub.relay.wake-on-notify=false} or on an instance that does not relay.
 *
 * <p>
 * The notifications only make the relay faster; its polls stay the safety net. When the
 * connection fails (database restart, network) the listener says so once, keeps trying to
 * reconnect with a growing pause, and wakes the workers when it is back, since rows may
 * have come meanwhile. An idle connection is checked every {@link #IDLE_CHECK} so a
 * connection that died silently is noticed.
 */
@Component
class OutboxNotifications implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(OutboxNotifications.class);

	/** How long one wait for notifications lasts, and so how fast a stop is seen. */
	private static final int WAIT_MILLIS = 500;

	private static final Duration IDLE_CHECK = Duration.ofSeconds(30);

	private static final Duration MAX_PAUSE = Duration.ofSeconds(30);

	private final DataSourceProperties database;

	private final OutboxWakeup wakeup;

	private final String channel;

	private final boolean enabled;

	private volatile boolean running;

	private Thread listener;

	OutboxNotifications(DataSourceProperties database, OutboxWakeup wakeup, HubProperties hub, RelayProperties relay) {
		this.database = database;
		this.wakeup = wakeup;
		this.channel = hub.schema() + ".outbox_event";
		this.enabled = relay.enabled() && relay.wakeOnNotify();
	}

	@Override
	public void start() {
		if (!this.enabled) {
			return;
		}
		this.running = true;
		this.listener = new Thread(this::listen, "outbox-notifications");
		this.listener.setDaemon(true);
		this.listener.start();
	}

	@Override
	public void stop() {
		this.running = false;
		Thread thread = this.listener;
		if (thread != null) {
			thread.interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	private void listen() {
		Duration pause = Duration.ofSeconds(1);
		boolean reportedDown = false;
		while (this.running) {
			try (Connection connection = connect()) {
				if (reportedDown) {
					log.info("Listening for outbox notifications again");
					reportedDown = false;
				}
				pause = Duration.ofSeconds(1);
				// Rows may have been committed while no one listened.
				this.wakeup.wake();
				receive(connection);
			}
			catch (SQLException ex) {
				if (!this.running) {
					return;
				}
				if (!reportedDown) {
					log.warn(
							"Outbox notifications unavailable ({}); the relay polls every interval until they are back",
							ex.getMessage());
					reportedDown = true;
				}
				try {
					Thread.sleep(pause.toMillis());
				}
				catch (InterruptedException interrupted) {
					return;
				}
				pause = (pause.compareTo(MAX_PAUSE) < 0) ? pause.multipliedBy(2) : MAX_PAUSE;
			}
		}
	}

	private Connection connect() throws SQLException {
		Properties settings = new Properties();
		putIfSet(settings, "user", this.database.determineUsername());
		putIfSet(settings, "password", this.database.determinePassword());
		// Names the connection in pg_stat_activity (at most 63 bytes are kept).
		settings.put("ApplicationName", "event-hub listen " + this.channel);
		Connection connection = DriverManager.getConnection(this.database.determineUrl(), settings);
		try (Statement statement = connection.createStatement()) {
			statement.execute("LISTEN \"" + this.channel + "\"");
		}
		catch (SQLException ex) {
			connection.close();
			throw ex;
		}
		return connection;
	}

	private static void putIfSet(Properties settings, String key, String value) {
		if (value != null) {
			settings.put(key, value);
		}
	}

	private void receive(Connection connection) throws SQLException {
		PGConnection notifications = connection.unwrap(PGConnection.class);
		long lastHeard = System.nanoTime();
		while (this.running) {
			PGNotification[] received = notifications.getNotifications(WAIT_MILLIS);
			if (received != null && received.length > 0) {
				this.wakeup.wake();
				lastHeard = System.nanoTime();
			}
			else if (System.nanoTime() - lastHeard > IDLE_CHECK.toNanos()) {
				// Fails when the connection is gone, which a quiet LISTEN would not
				// notice.
				try (Statement statement = connection.createStatement()) {
					statement.setQueryTimeout(10);
					statement.execute("SELECT 1");
				}
				lastHeard = System.nanoTime();
			}
		}
	}

}
