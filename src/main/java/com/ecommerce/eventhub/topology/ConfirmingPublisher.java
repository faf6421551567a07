package com.ecommerce.eventhub.topology;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The one place the hub publishes with publisher confirms: the relay's batches, the
 * consumers' dead letters, replays and parked messages. Every message is
 * {@code mandatory}: RabbitMQ confirms a message no queue receives and drops it, so a
 * returned message counts as failed even though its confirm is positive (RabbitMQ sends
 * the return before the confirm on the same channel).
 *
 * <p>
 * Each caller publishes on a lane: a confirm-mode channel of its own (the relay has one
 * per worker), used by one thread at a time, so batches of different lanes overlap while
 * their confirms are awaited. The lanes share one connection
 * ({@code event-hub-publisher}) from {@link BrokerConnections}: every node of
 * {@code spring.rabbitmq.addresses}, shuffled, so publishing goes on when a node of a
 * cluster dies.
 *
 * <p>
 * Why not camel-spring-rabbitmq or RabbitTemplate: the Camel producer waits for each
 * message's confirm before sending the next (one round trip per event), and
 * RabbitTemplate's correlated confirms and returns add Spring's correlation headers to
 * every message, which would change the wire format.
 *
 * <p>
 * A broker that stops answering (a hung node, a resource alarm raised mid-batch) must not
 * hold a caller, or the outbox rows it locked, for longer than its confirm timeout: a
 * watchdog aborts the connection if a publish is not done by then, which also unblocks a
 * write stuck on a full socket; the next publish connects again, possibly to another
 * node. While the broker blocks publishers (a resource alarm) nothing is written at all:
 * the publish fails at once with the broker's reason.
 */
@Component
public class ConfirmingPublisher implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(ConfirmingPublisher.class);

	/**
	 * Extra time the watchdog gives a publish beyond its confirm timeout before it aborts
	 * the connection.
	 */
	private static final Duration WATCHDOG_MARGIN = Duration.ofSeconds(2);

	private final BrokerConnections connections;

	private final TopologyDeclarer topology;

	private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

	private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
		Thread thread = new Thread(runnable, "hub-publish-watchdog");
		thread.setDaemon(true);
		return thread;
	});

	private Connection connection;

	/** Why the broker blocks publishing (a resource alarm), null while it does not. */
	private volatile String blocked;

	public ConfirmingPublisher(BrokerConnections connections, TopologyDeclarer topology) {
		this.connections = connections;
		this.topology = topology;
	}

	/**
	 * A message to publish.
	 *
	 * @param exchange the exchange, {@code ""} for the default exchange (routing key =
	 * queue name)
	 * @param routingKey the routing key
	 * @param properties its AMQP properties
	 * @param body its body
	 */
	public record Outgoing(String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body) {
	}

	/**
	 * What became of one message.
	 *
	 * @param confirmed the broker confirmed it and a queue took it
	 * @param returned the broker confirmed it but no queue is bound for its routing key
	 * @param error why it was not taken, null when confirmed
	 */
	public record Outcome(boolean confirmed, boolean returned, String error) {

		static final Outcome CONFIRMED = new Outcome(true, false, null);

		static Outcome failed(String error) {
			return new Outcome(false, false, error);
		}

		static Outcome returned(String error) {
			return new Outcome(false, true, error);
		}

	}

	/**
	 * Publishes a batch in order on a lane and waits for the confirms of the whole batch
	 * together.
	 * @param lane the caller's lane, e.g. {@code relay-0}; one thread at a time per lane
	 * @param batch the messages; each needs a message id unique in the batch (returns are
	 * matched on it)
	 * @param confirmTimeout how long to wait for the confirms
	 * @return one outcome per message, in order
	 */
	public List<Outcome> publish(String lane, List<Outgoing> batch, Duration confirmTimeout) {
		Lane current = this.lanes.computeIfAbsent(lane, Lane::new);
		current.lock.lock();
		ScheduledFuture<?> abort = null;
		try {
			Channel channel = current.channel();
			Connection used = channel.getConnection();
			abort = this.watchdog.schedule(() -> abortConnection(used, "publish not done within " + confirmTimeout),
					confirmTimeout.plus(WATCHDOG_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
			current.returned.clear();
			for (Outgoing message : batch) {
				channel.basicPublish(message.exchange(), message.routingKey(), true, message.properties(),
						message.body());
			}
			if (!channel.waitForConfirms(confirmTimeout.toMillis())) {
				// Which ones were nacked is not worth tracking: nacks are rare and
				// callers retry. The retry gets a fresh channel: after a quorum
				// queue's leader was killed on a busy machine, batches were seen
				// nacked for minutes on the same channels; a new channel drops
				// what the broker kept for the old one, for one channel per nack.
				current.close();
				return failAll(batch, "broker nacked the batch (internal error or queue overflow)");
			}
			List<Outcome> outcomes = new ArrayList<>(batch.size());
			for (Outgoing message : batch) {
				boolean returned = current.returned.contains(returnKey(message.properties().getMessageId()));
				outcomes.add(returned ? Outcome.returned("unroutable: no queue is bound to '" + message.exchange()
						+ "' for routing key '" + message.routingKey() + "'") : Outcome.CONFIRMED);
			}
			return outcomes;
		}
		catch (TimeoutException ex) {
			if (this.blocked != null) {
				// A resource alarm: the broker is alive and will unblock the connection;
				// only the channel
				// goes, so late confirms cannot count for the next publish.
				current.close();
			}
			else {
				// A node that takes messages but does not confirm them is hung: connect
				// afresh, elsewhere.
				abortConnection(null, "no publisher confirm within " + confirmTimeout);
			}
			return failAll(batch, "no publisher confirm within " + confirmTimeout);
		}
		catch (IOException | RuntimeException ex) {
			current.close();
			this.topology.invalidate();
			return failAll(batch, "broker unavailable: " + describe(ex));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			current.close();
			return failAll(batch, "interrupted while waiting for publisher confirms (shutting down)");
		}
		finally {
			if (abort != null) {
				abort.cancel(false);
			}
			current.lock.unlock();
		}
	}

	/**
	 * Publishes one message and returns once the broker confirmed that a queue took it.
	 * @param lane the caller's lane, e.g. {@code dead-letters}
	 * @param message the message
	 * @param confirmTimeout how long to wait for the confirm
	 * @throws PublishException when it was not confirmed, or no queue took it
	 */
	public void publishOne(String lane, Outgoing message, Duration confirmTimeout) {
		Outcome outcome = publish(lane, List.of(message), confirmTimeout).get(0);
		if (!outcome.confirmed()) {
			throw new PublishException(outcome.error());
		}
	}

	/**
	 * Why the broker blocks publishing.
	 * @return the broker's reason (e.g. {@code low on memory}), null while publishing is
	 * not blocked
	 */
	public String blockedReason() {
		return this.blocked;
	}

	private static List<Outcome> failAll(List<Outgoing> batch, String error) {
		Outcome failed = Outcome.failed(error);
		return batch.stream().map(message -> failed).toList();
	}

	private static String describe(Exception ex) {
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause.getClass().getSimpleName() + (cause.getMessage() != null ? ": " + cause.getMessage() : "");
	}

	/**
	 * A message without an id is returned as the empty key: a single publish matches it
	 * all the same.
	 */
	private static String returnKey(String messageId) {
		return (messageId != null) ? messageId : "";
	}

	private synchronized Connection connection() throws IOException {
		if (this.connection == null || !this.connection.isOpen()) {
			Connection created = this.connections.open("event-hub-publisher");
			created.addBlockedListener(reason -> {
				log.warn("RabbitMQ blocked publishing: {}", reason);
				this.blocked = (reason != null && !reason.isBlank()) ? reason : "resource alarm";
			}, () -> {
				log.info("RabbitMQ unblocked publishing");
				this.blocked = null;
			});
			this.blocked = null;
			this.connection = created;
			log.info("Publishing to RabbitMQ at {}:{}", created.getAddress().getHostAddress(), created.getPort());
		}
		return this.connection;
	}

	/**
	 * Aborts the publishing connection (every lane's channel with it).
	 * @param only abort only if this is still the connection in use, null for whatever is
	 * in use
	 * @param why for the log
	 */
	private synchronized void abortConnection(Connection only, String why) {
		Connection current = this.connection;
		if (current == null || (only != null && only != current)) {
			return;
		}
		log.warn("Aborting the RabbitMQ publishing connection: {}", why);
		this.connection = null;
		this.blocked = null; // the alarm state belonged to that connection; a new one
								// learns its own
		current.abort(1000);
		this.topology.invalidate();
	}

	@Override
	public synchronized void destroy() {
		this.watchdog.shutdownNow();
		if (this.connection != null && this.connection.isOpen()) {
			this.connection.abort();
		}
	}

	/**
	 * A caller's confirm-mode channel, the message ids the broker returned on it, and its
	 * lock.
	 */
	private final class Lane {

		private final ReentrantLock lock = new ReentrantLock();

		private final Set<String> returned = ConcurrentHashMap.newKeySet();

		private Channel channel;

		Lane(String name) {
			log.debug("Publishing lane {} opened", name);
		}

		Channel channel() throws IOException {
			String alarm = ConfirmingPublisher.this.blocked;
			if (alarm != null) {
				// Publishing now would block the caller inside a socket write, with its
				// rows locked.
				throw new IOException("publishing blocked by the broker (resource alarm: " + alarm + ")");
			}
			if (this.channel != null && this.channel.isOpen()) {
				return this.channel;
			}
			ConfirmingPublisher.this.topology.ensureDeclared();
			Channel created = connection().createChannel();
			created.confirmSelect();
			created
				.addReturnListener(returned -> this.returned.add(returnKey(returned.getProperties().getMessageId())));
			this.channel = created;
			return created;
		}

		void close() {
			Channel current = this.channel;
			this.channel = null;
			if (current != null && current.isOpen()) {
				try {
					current.abort();
				}
				catch (IOException | RuntimeException ex) {
					log.debug("Ignoring failure while aborting a publishing channel", ex);
				}
			}
		}

	}

	/**
	 * The broker did not take a message; a caller that needs it taken keeps its original.
	 */
	public static class PublishException extends RuntimeException {

		public PublishException(String message) {
			super(message);
		}

	}

}
