package com.ecommerce.eventhub.dev;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.qpid.server.SystemLauncher;
import org.springframework.util.FileSystemUtils;

/**
 * Qpid Broker-J, in memory, speaking AMQP 0-9-1 on 127.0.0.1 with user guest/guest
 * ({@code dev/qpid-broker.json}). It has topic exchanges, durable queues, publisher
 * confirms, mandatory returns and consumer acknowledgements like RabbitMQ, but no quorum
 * queues and none of RabbitMQ's queue arguments: README "Dev mode" lists what differs.
 */
final class EmbeddedBroker implements AutoCloseable {

	static final String USER = "guest";

	static final String PASSWORD = "guest";

	private final SystemLauncher launcher;

	private final Path workDirectory;

	private final int port;

	private EmbeddedBroker(SystemLauncher launcher, Path workDirectory, int port) {
		this.launcher = launcher;
		this.workDirectory = workDirectory;
		this.port = port;
	}

	static EmbeddedBroker start(int port) throws IOException {
		Path workDirectory = Files.createTempDirectory("event-hub-dev-broker");
		SystemLauncher launcher = new SystemLauncher();
		try {
			launcher.startup(Map.of("type", "Memory", "initialConfigurationLocation",
					EmbeddedBroker.class.getResource("/dev/qpid-broker.json").toExternalForm(),
					"startupLoggedToSystemOut", false, "context",
					Map.of("qpid.amqp_port", String.valueOf(port), "qpid.work_dir", workDirectory.toString())));
		}
		catch (Exception ex) {
			FileSystemUtils.deleteRecursively(workDirectory);
			throw new IOException("The embedded AMQP broker did not start on port " + port, ex);
		}
		return new EmbeddedBroker(launcher, workDirectory, port);
	}

	int port() {
		return this.port;
	}

	@Override
	public void close() throws IOException {
		try {
			this.launcher.shutdown();
		}
		finally {
			FileSystemUtils.deleteRecursively(this.workDirectory);
		}
	}

}
