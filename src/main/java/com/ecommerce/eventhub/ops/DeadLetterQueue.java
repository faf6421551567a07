package com.ecommerce.eventhub.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.topology.BrokerConnections;
import com.ecommerce.eventhub.topology.ConfirmingPublisher;
import com.ecommerce.eventhub.topology.DeadLetterHeaders;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;

import org.springframework.stereotype.Component;

/**
 * Reads and replays the dead-letter queue. Both take the messages with {@code basic.get}
 * without acknowledging them on a connection of their own: what is not replayed goes back
 * to the queue when that channel closes, in its order, so listing loses nothing. Only a
 * replayed message is acknowledged, and only after the broker confirmed its
 * re-publication.
 */
@Component
public class DeadLetterQueue {

	/**
	 * Messages read at most per call, so a huge queue cannot exhaust the hub's memory.
	 */
	public static final int MAX_MESSAGES = 10_000;

	/** Headers of one dead letter shown at most when it is opened. */
	static final int MAX_HEADERS = 200;

	/** Bytes of one dead letter's body shown at most when it is opened. */
	static final int MAX_BODY_SHOWN = 256 * 1024;

	/** Characters of one header value or property shown at most. */
	private static final int MAX_VALUE_SHOWN = 2_000;

	private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);

	/** AMQP's limit of a routing key (a short string). */
	private static final int MAX_ROUTING_KEY_BYTES = 255;

	private static final String REPLAY_LANE = "dead-letter-replay";

	private final BrokerConnections connections;

	private final ConfirmingPublisher publisher;

	private final TopologyProperties topology;

	public DeadLetterQueue(BrokerConnections connections, ConfirmingPublisher publisher, TopologyProperties topology) {
		this.connections = connections;
		this.publisher = publisher;
		this.topology = topology;
	}

	/**
	 * The dead letters at the head of the queue.
	 * @param limit how many at most
	 * @return their views, oldest first
	 * @throws IOException when the broker is unreachable
	 */
	public List<DeadLetterView> list(int limit) throws IOException {
		List<DeadLetterView> views = new ArrayList<>();
		withChannel(channel -> {
			GetResponse response;
			while (views.size() < Math.min(limit, MAX_MESSAGES)
					&& (response = channel.basicGet(this.topology.deadLetterQueue(), false)) != null) {
				views.add(view(response.getProps()));
			}
		});
		return views;
	}

	/**
	 * Opens the dead letters of one event: every message in the queue now whose message
	 * id is {@code eventId} (one event may have been dead-lettered by several routes).
	 * Read like {@link #list}: nothing is taken from the queue.
	 * @param eventId the event's id (AMQP message id)
	 * @return its dead letters with properties, headers and body, oldest first
	 * @throws IOException when the broker is unreachable
	 */
	public List<DeadLetterMessage> inspect(String eventId) throws IOException {
		List<DeadLetterMessage> found = new ArrayList<>();
		withChannel(channel -> forEachMatch(channel, view -> eventId.equals(view.eventId()),
				(view, response) -> found.add(message(view, response))));
		return found;
	}

	private static DeadLetterMessage message(DeadLetterView view, GetResponse response) {
		AMQP.BasicProperties properties = response.getProps();
		Map<String, String> shown = new LinkedHashMap<>();
		putIfSet(shown, "content_type", properties.getContentType());
		putIfSet(shown, "content_encoding", properties.getContentEncoding());
		putIfSet(shown, "delivery_mode", properties.getDeliveryMode());
		putIfSet(shown, "priority", properties.getPriority());
		putIfSet(shown, "correlation_id", properties.getCorrelationId());
		putIfSet(shown, "reply_to", properties.getReplyTo());
		putIfSet(shown, "expiration", properties.getExpiration());
		putIfSet(shown, "message_id", properties.getMessageId());
		putIfSet(shown, "timestamp",
				(properties.getTimestamp() != null) ? properties.getTimestamp().toInstant().toString() : null);
		putIfSet(shown, "type", properties.getType());
		putIfSet(shown, "user_id", properties.getUserId());
		putIfSet(shown, "app_id", properties.getAppId());
		Map<String, String> headers = new TreeMap<>();
		if (properties.getHeaders() != null) {
			properties.getHeaders().forEach((name, value) -> {
				if (headers.size() < MAX_HEADERS && name != null) {
					headers.put(text(name, 200), text(value, MAX_VALUE_SHOWN));
				}
			});
		}
		byte[] body = (response.getBody() != null) ? response.getBody() : new byte[0];
		return new DeadLetterMessage(view, shown, headers,
				(body.length <= MAX_BODY_SHOWN) ? body : Arrays.copyOf(body, MAX_BODY_SHOWN), body.length);
	}

	private static void putIfSet(Map<String, String> shown, String name, Object value) {
		if (value != null) {
			shown.put(name, text(value, MAX_VALUE_SHOWN));
		}
	}

	/**
	 * Re-publishes the matching dead letters to the event exchange with their original
	 * routing key and removes them from the queue. One message at a time: each is
	 * published, confirmed by the broker and only then acknowledged, so a failure
	 * half-way leaves at most the one message in flight to be replayed again, and a
	 * message no queue received (returned) stays a dead letter.
	 * @param filter which dead letters to replay
	 * @return what was replayed and what stayed
	 * @throws IOException when the broker is unreachable or did not confirm
	 */
	public ReplayResult replay(Predicate<DeadLetterView> filter) throws IOException {
		List<DeadLetterView> replayed = new ArrayList<>();
		List<DeadLetterView> unroutable = new ArrayList<>();
		withChannel(channel -> forEachMatch(channel, filter, (view, response) -> {
			String routingKey = view.originalRoutingKey();
			if (routingKey == null || routingKey.isEmpty()
					|| routingKey.getBytes(StandardCharsets.UTF_8).length > MAX_ROUTING_KEY_BYTES) {
				unroutable.add(view); // nothing can route it; it stays a dead letter
				return;
			}
			ConfirmingPublisher.Outcome outcome = this.publisher
				.publish(REPLAY_LANE,
						List.of(new ConfirmingPublisher.Outgoing(this.topology.exchange(), routingKey,
								withoutFailureHeaders(response.getProps()), response.getBody())),
						CONFIRM_TIMEOUT)
				.get(0);
			if (outcome.confirmed()) {
				channel.basicAck(response.getEnvelope().getDeliveryTag(), false);
				replayed.add(view);
			}
			else if (outcome.returned()) {
				unroutable.add(view); // not acknowledged: back to the queue when the
										// channel closes
			}
			else {
				// The broker did not take it: stop here; what was replayed so far is
				// acknowledged.
				throw new IOException("cannot republish dead letter " + view.eventId() + ": " + outcome.error());
			}
		}));
		return new ReplayResult(replayed, unroutable);
	}

	/**
	 * What a replay did.
	 *
	 * @param replayed re-published, confirmed and removed from the dead-letter queue
	 * @param unroutable left in the queue: no routing key, or no queue is bound to it now
	 */
	public record ReplayResult(List<DeadLetterView> replayed, List<DeadLetterView> unroutable) {
	}

	/**
	 * Moves the matching dead letters to the archive table and removes them from the
	 * queue: for what an operator decided not to replay.
	 * @param filter which dead letters to discard
	 * @param archive stores one dead letter; it is acknowledged only after that succeeded
	 * @return the dead letters discarded
	 * @throws IOException when the broker is unreachable
	 */
	public List<DeadLetterView> discard(Predicate<DeadLetterView> filter, DeadLetterArchiver archive)
			throws IOException {
		List<DeadLetterView> discarded = new ArrayList<>();
		withChannel(channel -> forEachMatch(channel, filter, (view, response) -> {
			AMQP.BasicProperties properties = response.getProps();
			archive.store(properties.getMessageId(), properties.getType(),
					(properties.getHeaders() != null) ? properties.getHeaders() : Map.of(), response.getBody());
			channel.basicAck(response.getEnvelope().getDeliveryTag(), false);
			discarded.add(view);
		}));
		return discarded;
	}

	/**
	 * Goes through the messages that are in the queue now, once each: a replayed message
	 * that fails again and comes back to the queue's tail is not read a second time in
	 * the same call.
	 */
	private void forEachMatch(Channel channel, Predicate<DeadLetterView> filter, MatchWork work) throws IOException {
		long present = Math.min(MAX_MESSAGES, channel.messageCount(this.topology.deadLetterQueue()));
		GetResponse response;
		int read = 0;
		while (read++ < present && (response = channel.basicGet(this.topology.deadLetterQueue(), false)) != null) {
			DeadLetterView view = view(response.getProps());
			if (filter.test(view)) {
				work.run(view, response);
			}
		}
	}

	@FunctionalInterface
	private interface MatchWork {

		void run(DeadLetterView view, GetResponse response) throws IOException;

	}

	private static DeadLetterView view(AMQP.BasicProperties properties) {
		Map<String, Object> headers = (properties.getHeaders() != null) ? properties.getHeaders() : Map.of();
		String routingKey = text(headers.get(DeadLetterHeaders.ORIGINAL_ROUTING_KEY));
		Object attempts = headers.get(DeadLetterHeaders.ATTEMPTS);
		// Header values are whatever the message carries: each is cut so a listing stays
		// small. A routing
		// key cut this way is longer than AMQP allows, so it is still recognised as
		// unroutable.
		return new DeadLetterView(properties.getMessageId(), properties.getType(),
				text(headers.get(DeadLetterHeaders.FAILED_ROUTE), 200),
				text(headers.get(DeadLetterHeaders.EXCEPTION_CLASS), 300),
				text(headers.get(DeadLetterHeaders.EXCEPTION_MESSAGE), 1000),
				(attempts instanceof Number number) ? Integer.valueOf(number.intValue()) : null,
				text(headers.get(DeadLetterHeaders.FAILED_AT), 64), (routingKey != null && !routingKey.isEmpty())
						? text(routingKey, MAX_ROUTING_KEY_BYTES + 1) : properties.getType());
	}

	private static String text(Object value, int maxLength) {
		String text = text(value);
		return (text == null || text.length() <= maxLength) ? text : text.substring(0, maxLength);
	}

	private static AMQP.BasicProperties withoutFailureHeaders(AMQP.BasicProperties properties) {
		Map<String, Object> headers = new HashMap<>();
		if (properties.getHeaders() != null) {
			properties.getHeaders().forEach((name, value) -> {
				if (!name.startsWith("x-") && !name.startsWith("spring_")) {
					headers.put(name, value);
				}
			});
		}
		return properties.builder().headers(headers).build();
	}

	private static String text(Object value) {
		if (value instanceof byte[] bytes) {
			return new String(bytes, StandardCharsets.UTF_8);
		}
		return (value != null) ? value.toString() : null;
	}

	private void withChannel(ChannelWork work) throws IOException {
		try (Connection connection = this.connections.open("event-hub-dead-letters");
				Channel channel = connection.createChannel()) {
			work.run(channel);
		}
		catch (TimeoutException ex) {
			throw new IOException("timed out closing the channel", ex);
		}
	}

	@FunctionalInterface
	private interface ChannelWork {

		void run(Channel channel) throws IOException;

	}

}
