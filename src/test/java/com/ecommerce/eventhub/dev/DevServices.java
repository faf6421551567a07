package com.ecommerce.eventhub.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.env.Environment;

/**
 * The services dev mode embeds: PostgreSQL, an AMQP 0-9-1 broker, an SMTP server and a
 * webhook receiver, all on 127.0.0.1 and on ports that do not clash with installed
 * services (never 5432 or 5672). Data lives in memory and temporary folders, gone when
 * dev mode stops.
 */
final class DevServices implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(DevServices.class);

	private final List<AutoCloseable> started = new ArrayList<>();

	private EmbeddedPostgres postgres;

	private EmbeddedBroker broker;

	private DevInbox inbox;

	private DevWebhookReceiver webhooks;

	private boolean closed;

	private DevServices() {
	}

	/**
	 * Starts every service; stops those already started when one fails.
	 * @param ports where each should listen
	 * @return the running services
	 */
	static DevServices start(Ports ports) {
		DevServices services = new DevServices();
		try {
			services.postgres = services.keep(EmbeddedPostgres.builder().setPort(ports.postgres()).start());
			services.broker = services.keep(EmbeddedBroker.start(ports.amqp()));
			services.inbox = services.keep(DevInbox.start(ports.smtp()));
			services.webhooks = services.keep(DevWebhookReceiver.start(ports.webhooks()));
			return services;
		}
		catch (IOException ex) {
			services.close();
			throw new UncheckedIOException("Dev mode could not start its embedded services", ex);
		}
		catch (RuntimeException ex) {
			services.close();
			throw ex;
		}
	}

	private <T extends AutoCloseable> T keep(T service) {
		this.started.add(service);
		return service;
	}

	/**
	 * @return the hub settings that point it at these services, in dev mode's broker
	 * flavour (classic queues, no RabbitMQ-only queue arguments)
	 */
	Map<String, Object> hubProperties() {
		Map<String, Object> settings = new LinkedHashMap<>();
		settings.put("spring.datasource.url", this.postgres.getJdbcUrl("postgres", "postgres"));
		settings.put("spring.datasource.username", "postgres");
		settings.put("spring.datasource.password", "");
		settings.put("spring.rabbitmq.host", "127.0.0.1");
		settings.put("spring.rabbitmq.port", this.broker.port());
		settings.put("spring.rabbitmq.addresses", "127.0.0.1:" + this.broker.port());
		settings.put("spring.rabbitmq.username", EmbeddedBroker.USER);
		settings.put("spring.rabbitmq.password", EmbeddedBroker.PASSWORD);
		settings.put("hub.topology.queue-type", "classic");
		settings.put("hub.topology.rabbitmq-extensions", false);
		settings.put("hub.mail.host", "127.0.0.1");
		settings.put("hub.mail.port", this.inbox.port());
		settings.put("hub.webhooks.inventory-url", this.webhooks.url("/inventory-events"));
		return settings;
	}

	/**
	 * @return one line naming every service and where it listens
	 */
	String describe() {
		return "PostgreSQL " + this.postgres.getJdbcUrl("postgres", "postgres") + ", AMQP 0-9-1 (Qpid) 127.0.0.1:"
				+ this.broker.port() + " " + EmbeddedBroker.USER + "/" + EmbeddedBroker.PASSWORD + ", SMTP 127.0.0.1:"
				+ this.inbox.port() + " (GET /dev/mails), webhooks " + this.webhooks.url("/") + " (GET /dev/webhooks)";
	}

	DevInbox inbox() {
		return this.inbox;
	}

	DevWebhookReceiver webhooks() {
		return this.webhooks;
	}

	/** Stops the services in the reverse order of their start; twice is harmless. */
	@Override
	public synchronized void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		for (int i = this.started.size() - 1; i >= 0; i--) {
			try {
				this.started.get(i).close();
			}
			catch (Exception ex) {
				log.warn("Could not stop a dev-mode service: {}", ex.toString());
			}
		}
	}

	/**
	 * Where the services listen: {@code dev.postgres.port} (55432), {@code dev.amqp.port}
	 * (55672), {@code dev.smtp.port} (55025), {@code dev.webhooks.port} (55090); 0 means
	 * any free port, and a taken port is replaced by a free one.
	 *
	 * @param postgres PostgreSQL's port
	 * @param amqp the broker's port
	 * @param smtp the SMTP server's port
	 * @param webhooks the webhook receiver's port
	 */
	record Ports(int postgres, int amqp, int smtp, int webhooks) {

		static Ports from(Environment environment) {
			return new Ports(port(environment, "dev.postgres.port", 55432), port(environment, "dev.amqp.port", 55672),
					port(environment, "dev.smtp.port", 55025), port(environment, "dev.webhooks.port", 55090));
		}

		private static int port(Environment environment, String key, int preferred) {
			int wanted = environment.getProperty(key, Integer.class, preferred);
			if (wanted != 0 && available(wanted)) {
				return wanted;
			}
			int free = freePort();
			if (wanted != 0) {
				log.info("Port {} ({}) is taken; dev mode uses {}", wanted, key, free);
			}
			return free;
		}

		private static boolean available(int port) {
			try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
				return true;
			}
			catch (IOException ex) {
				return false;
			}
		}

		private static int freePort() {
			try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
				return socket.getLocalPort();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

}
