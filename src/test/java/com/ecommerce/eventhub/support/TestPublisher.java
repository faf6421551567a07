package com.ecommerce.eventhub.support;

import java.time.Instant;
import java.util.Date;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

/**
 * Publishes envelopes the way the relay does (wire format of DESIGN), for consumer tests.
 */
public final class TestPublisher implements AutoCloseable {

	private final Connection connection;

	private final Channel channel;

	private final String exchange;

	private TestPublisher(String exchange) throws Exception {
		this.exchange = exchange;
		this.connection = TestServices.rabbit().newConnection("test-publisher");
		this.channel = this.connection.createChannel();
		this.channel.confirmSelect();
	}

	/**
	 * @param exchange the exchange to publish to
	 * @return a publisher on its own connection
	 * @throws Exception when RabbitMQ is unreachable
	 */
	public static TestPublisher to(String exchange) throws Exception {
		return new TestPublisher(exchange);
	}

	/**
	 * Publishes an envelope with routing key = its eventType and waits for the confirm.
	 * @param envelope the envelope
	 * @throws Exception on broker errors
	 */
	public void publish(JsonNode envelope) throws Exception {
		AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().contentType("application/json")
			.deliveryMode(2)
			.messageId(envelope.path("eventId").asText())
			.type(envelope.path("eventType").asText())
			.timestamp(Date.from(Instant.parse(envelope.path("occurredAt").asText())))
			.headers(Map.of("eventVersion", envelope.path("eventVersion").asText(), "aggregateType",
					envelope.path("aggregateType").asText(), "aggregateId", envelope.path("aggregateId").asText()))
			.build();
		this.channel.basicPublish(this.exchange, envelope.path("eventType").asText(), true, properties,
				envelope.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
		this.channel.waitForConfirmsOrDie(5000);
	}

	@Override
	public void close() throws Exception {
		this.connection.close();
	}

}
