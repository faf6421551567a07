package com.ecommerce.eventhub.support;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;

import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

/**
 * Records every message that arrives on a queue, in arrival order, on the test's own
 * connection.
 */
public final class QueueRecorder implements AutoCloseable {

	private final Connection connection;

	private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();

	private QueueRecorder(Connection connection) {
		this.connection = connection;
	}

	/**
	 * Starts consuming (auto-ack) the given queues.
	 * @param queues existing queues
	 * @return the recorder; close it to stop
	 * @throws IOException when RabbitMQ is unreachable
	 */
	public static QueueRecorder consume(String... queues) throws IOException {
		return consume(TestServices.rabbit(), queues);
	}

	/**
	 * Starts consuming (auto-ack) the given queues of the broker the factory reaches.
	 * @param factory the broker, e.g. one node of a test cluster
	 * @param queues existing queues
	 * @return the recorder; close it to stop
	 * @throws IOException when RabbitMQ is unreachable
	 */
	public static QueueRecorder consume(com.rabbitmq.client.ConnectionFactory factory, String... queues)
			throws IOException {
		try {
			QueueRecorder recorder = new QueueRecorder(factory.newConnection("test-recorder"));
			for (String queue : queues) {
				Channel channel = recorder.connection.createChannel();
				channel.basicConsume(queue, true,
						(tag, delivery) -> recorder.received
							.add(new Received(queue, delivery.getEnvelope().getRoutingKey(), delivery.getProperties(),
									delivery.getBody(), System.nanoTime())),
						tag -> {
						});
			}
			return recorder;
		}
		catch (TimeoutException ex) {
			throw new IOException(ex);
		}
	}

	/** Everything received so far, in arrival order. */
	public List<Received> received() {
		return new ArrayList<>(this.received);
	}

	/**
	 * What was received of the given message ids (other tests' leftovers are ignored).
	 * @param messageIds the ids of interest
	 * @return those received, in arrival order, duplicates included
	 */
	public List<Received> receivedOf(java.util.Collection<String> messageIds) {
		return this.received.stream().filter(r -> messageIds.contains(r.properties().getMessageId())).toList();
	}

	public int count() {
		return this.received.size();
	}

	@Override
	public void close() throws IOException {
		this.connection.close();
	}

	/**
	 * One received message.
	 *
	 * @param queue the queue it arrived on
	 * @param routingKey the routing key it was published with
	 * @param properties its AMQP properties
	 * @param body its body
	 * @param at when it arrived ({@link System#nanoTime()})
	 */
	public record Received(String queue, String routingKey, AMQP.BasicProperties properties, byte[] body, long at) {

		/** The body parsed as JSON. */
		public JsonNode json() {
			try {
				return EnvelopeJson.mapper().readTree(this.body);
			}
			catch (IOException ex) {
				throw new IllegalStateException("Body is not JSON: " + new String(this.body), ex);
			}
		}

		/** A header value as text, or null. */
		public String header(String name) {
			Object value = (this.properties.getHeaders() != null) ? this.properties.getHeaders().get(name) : null;
			return (value != null) ? value.toString() : null;
		}

	}

}
