package com.ecommerce.eventhub.outbox;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

import com.ecommerce.eventhub.config.RelayProperties;
import com.ecommerce.eventhub.topology.TopologyDeclarer;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
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
 * which would change the wire format. This class uses the broker connection settings Spring Boot
 * configured ({@code spring.rabbitmq.*}) on a dedicated connection named {@code event-hub-relay}.
 *
 * <p>
 * Every message is published {@code mandatory}: RabbitMQ confirms a message no queue receives and
 * drops it, so a returned message counts as failed even though its confirm is positive. RabbitMQ
 * sends the return before the confirm on the same channel, so all returns of a batch are known
 * once its confirms have arrived.
 */
@Component
class BatchPublisher implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(BatchPublisher.class);

	private final ConnectionFactory connectionFactory;

	private final TopologyDeclarer topology;

	private final Duration confirmTimeout;

	private final WorkerChannel[] channels;

	private Connection connection;

	private volatile boolean blocked;

	BatchPublisher(AbstractConnectionFactory springConnectionFactory, TopologyDeclarer topology,
			RelayProperties relay) {
		this.connectionFactory = springConnectionFactory.getRabbitConnectionFactory();
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
		try {
			WorkerChannel channel = channel(worker);
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
			closeChannel(worker); // late confirms must not be counted against the next batch
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
		if (this.blocked) {
			// Publishing now would block the worker inside a socket write with its rows locked.
			throw new IOException("connection blocked by the broker (resource alarm)");
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
			try {
				Connection created = this.connectionFactory.newConnection("event-hub-relay");
				created.addBlockedListener(reason -> {
					log.warn("RabbitMQ blocked the relay connection: {}", reason);
					this.blocked = true;
				}, () -> {
					log.info("RabbitMQ unblocked the relay connection");
					this.blocked = false;
				});
				this.blocked = false;
				this.connection = created;
			}
			catch (TimeoutException ex) {
				throw new IOException("timed out connecting to RabbitMQ", ex);
			}
		}
		return this.connection;
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
