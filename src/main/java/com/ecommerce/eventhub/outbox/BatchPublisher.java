package com.ecommerce.eventhub.outbox;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.ecommerce.eventhub.config.RelayProperties;
import com.ecommerce.eventhub.topology.BrokerConnections;
import com.ecommerce.eventhub.topology.TopologyDeclarer;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Publishes a relay batch on one confirm-mode channel per relay worker and waits for the broker's
 * confirms of the whole batch together.
 *
 * <p>
 * Why not camel-spring-rabbitmq or RabbitTemplate: the Camel producer waits for each message's
 * confirm before sending the next (one round trip per event caps the relay far below its aim), and
 * RabbitTemplate's correlated confirms and returns add Spring's correlation headers to every message,
 * which would change the wire format. The connection ({@code event-hub-relay}) comes from
 * {@link BrokerConnections}: every node of {@code spring.rabbitmq.addresses}, shuffled, so the relay
 * goes on when a node of a cluster dies.
 *
 * <p>
 * Every message is published {@code mandatory}: RabbitMQ confirms a message no queue receives and
 * drops it, so a returned message counts as failed even though its confirm is positive. RabbitMQ
 * sends the return before the confirm on the same channel, so all returns of a batch are known
 * once its confirms have arrived.
 *
 * <p>
 * A broker that stops answering (a hung node, a resource alarm raised mid-batch) must not hold a
 * worker, and the rows it locked, for longer than the confirm timeout: a watchdog aborts the connection
 * if a batch is not done by then, which also unblocks a write stuck on a full socket; the next batch
 * connects again, possibly to another node.
 */
@Component
class BatchPublisher implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(BatchPublisher.class);

	/** Extra time the watchdog gives a batch beyond the confirm timeout before it aborts the connection. */
	private static final Duration WATCHDOG_MARGIN = Duration.ofSeconds(2);

	private final BrokerConnections connections;

	private final TopologyDeclarer topology;

	private final Duration confirmTimeout;

	private final WorkerChannel[] channels;

	private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
		Thread thread = new Thread(runnable, "hub-relay-watchdog");
		thread.setDaemon(true);
		return thread;
	});

	private Connection connection;

	/** Why the broker blocks the relay's publishes (a resource alarm), null while it does not. */
	private volatile String blocked;

	BatchPublisher(BrokerConnections connections, TopologyDeclarer topology, RelayProperties relay) {
		this.connections = connections;
		this.topology = topology;
		this.confirmTimeout = relay.confirmTimeout();
		this.channels = new WorkerChannel[relay.workers()];
	}

	/**
	 * Publishes the messages in order on the worker's channel and waits for their confirms.
	 * @param worker the calling relay worker; one thread per worker at a time
	 * @param messages the batch, in outbox order
	 * @return one result per message
	 */
	List<PublishResult> publish(int worker, List<OutboundMessage> messages) {
		ScheduledFuture<?> abort = null;
		try {
			WorkerChannel channel = channel(worker);
			Connection used = channel.channel.getConnection();
			abort = this.watchdog.schedule(() -> abortConnection(used, "batch not done within the confirm timeout"),
					this.confirmTimeout.plus(WATCHDOG_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
			channel.returned.clear();
			for (OutboundMessage message : messages) {
				channel.channel.basicPublish(message.exchange(), message.routingKey(), true, message.properties(),
						message.body());
			}
			if (!channel.channel.waitForConfirms(this.confirmTimeout.toMillis())) {
				// Which ones were nacked is not worth tracking: nacks are rare and the rows are retried.
				return failAll(messages, "broker nacked the batch (internal error or queue overflow)");
			}
			List<PublishResult> results = new ArrayList<>(messages.size());
			for (OutboundMessage message : messages) {
				String messageId = message.properties().getMessageId();
				results.add(channel.returned.contains(messageId)
						? PublishResult.failed(message.rowId(),
								"unroutable: no queue is bound to '" + message.exchange() + "' for routing key '"
										+ message.routingKey() + "'")
						: PublishResult.confirmed(message.rowId()));
			}
			return results;
		}
		catch (TimeoutException ex) {
			if (this.blocked != null) {
				// A resource alarm: the broker is alive and will unblock this connection; only the channel
				// goes, so late confirms cannot count for the next batch.
				closeChannel(worker);
			}
			else {
				// A node that takes messages but does not confirm them is hung: connect afresh, elsewhere.
				abortConnection(null, "no publisher confirm within " + this.confirmTimeout);
			}
			return failAll(messages, "no publisher confirm within " + this.confirmTimeout);
		}
		catch (IOException | RuntimeException ex) {
			closeChannel(worker);
			this.topology.invalidate();
			return failAll(messages, "broker unavailable: " + describe(ex));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			closeChannel(worker);
			return failAll(messages, "interrupted while waiting for publisher confirms (shutting down)");
		}
		finally {
			if (abort != null) {
				abort.cancel(false);
			}
		}
	}

	/**
	 * Why the broker blocks the relay's publishes.
	 * @return the broker's reason (e.g. {@code low on memory}), null while publishes are not blocked
	 */
	String blockedReason() {
		return this.blocked;
	}

	private static List<PublishResult> failAll(List<OutboundMessage> messages, String error) {
		return messages.stream().map(message -> PublishResult.failed(message.rowId(), error)).toList();
	}

	private static String describe(Exception ex) {
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause.getClass().getSimpleName() + (cause.getMessage() != null ? ": " + cause.getMessage() : "");
	}

	private WorkerChannel channel(int worker) throws IOException {
		String alarm = this.blocked;
		if (alarm != null) {
			// Publishing now would block the worker inside a socket write with its rows locked.
			throw new IOException("connection blocked by the broker (resource alarm: " + alarm + ")");
		}
		WorkerChannel current = this.channels[worker];
		if (current != null && current.channel.isOpen()) {
			return current;
		}
		this.topology.ensureDeclared();
		Channel channel = connection().createChannel();
		channel.confirmSelect();
		WorkerChannel created = new WorkerChannel(channel);
		channel.addReturnListener(returned -> created.returned.add(returned.getProperties().getMessageId()));
		this.channels[worker] = created;
		return created;
	}

	private synchronized Connection connection() throws IOException {
		if (this.connection == null || !this.connection.isOpen()) {
			Connection created = this.connections.open("event-hub-relay");
			created.addBlockedListener(reason -> {
				log.warn("RabbitMQ blocked the relay connection: {}", reason);
				this.blocked = (reason != null && !reason.isBlank()) ? reason : "resource alarm";
			}, () -> {
				log.info("RabbitMQ unblocked the relay connection");
				this.blocked = null;
			});
			this.blocked = null;
			this.connection = created;
			log.info("Relay connected to RabbitMQ at {}:{}", created.getAddress().getHostAddress(), created.getPort());
		}
		return this.connection;
	}

	/**
	 * Aborts the relay connection (every worker's channel with it).
	 * @param only abort only if this is still the connection in use, null for whatever is in use
	 * @param why for the log
	 */
	private synchronized void abortConnection(Connection only, String why) {
		Connection current = this.connection;
		if (current == null || (only != null && only != current)) {
			return;
		}
		log.warn("Aborting the relay's RabbitMQ connection: {}", why);
		this.connection = null;
		this.blocked = null; // the alarm state belonged to that connection; a new one learns its own
		current.abort(1000);
		this.topology.invalidate();
	}

	private void closeChannel(int worker) {
		WorkerChannel current = this.channels[worker];
		this.channels[worker] = null;
		if (current != null && current.channel.isOpen()) {
			try {
				current.channel.abort();
			}
			catch (IOException | RuntimeException ex) {
				log.debug("Ignoring failure while aborting relay channel", ex);
			}
		}
	}

	@Override
	public synchronized void destroy() {
		this.watchdog.shutdownNow();
		if (this.connection != null && this.connection.isOpen()) {
			this.connection.abort();
		}
	}

	/** A worker's confirm-mode channel and the message ids the broker returned on it. */
	private static final class WorkerChannel {

		private final Channel channel;

		private final Set<String> returned = ConcurrentHashMap.newKeySet();

		private WorkerChannel(Channel channel) {
			this.channel = channel;
		}

	}

}
