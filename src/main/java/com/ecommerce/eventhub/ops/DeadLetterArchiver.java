package com.ecommerce.eventhub.ops;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;

import com.ecommerce.eventhub.topology.DeadLetterHeaders;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Stores a dead letter that expired from the dead-letter queue (7 days) in
 * {@code dead_letter_archive}: body, failure headers and all other headers.
 */
@Component
class DeadLetterArchiver implements Processor {

	private static final String INSERT = """
			INSERT INTO dead_letter_archive (event_id, event_type, original_exchange, original_routing_key,
			    failed_route, exception_class, exception_message, attempts, failed_at, headers, body)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)""";

	private final ObjectMapper mapper = JsonMapper.builder().build();

	private final JdbcTemplate jdbc;

	DeadLetterArchiver(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	@Override
	public void process(Exchange exchange) throws Exception {
		Message message = exchange.getMessage();
		Map<String, Object> headers = new TreeMap<>();
		message.getHeaders().forEach((name, value) -> {
			if (!name.startsWith("Camel") && value != null) {
				headers.put(name, value);
			}
		});
		store(message.getHeader(SpringRabbitMQConstants.MESSAGE_ID, String.class),
				message.getHeader(SpringRabbitMQConstants.TYPE, String.class), headers, message.getBody(byte[].class));
	}

	/**
	 * Stores one dead letter.
	 * @param eventId its message id
	 * @param eventType its type
	 * @param amqpHeaders its AMQP headers, failure headers included
	 * @param body its body
	 */
	void store(String eventId, String eventType, Map<String, Object> amqpHeaders, byte[] body) {
		Map<String, String> headers = new TreeMap<>();
		amqpHeaders.forEach((name, value) -> headers.put(name, String.valueOf(value)));
		try {
			this.jdbc.update(INSERT, eventId, eventType, headers.get(DeadLetterHeaders.ORIGINAL_EXCHANGE),
					headers.get(DeadLetterHeaders.ORIGINAL_ROUTING_KEY), headers.get(DeadLetterHeaders.FAILED_ROUTE),
					headers.get(DeadLetterHeaders.EXCEPTION_CLASS), headers.get(DeadLetterHeaders.EXCEPTION_MESSAGE),
					attempts(headers.get(DeadLetterHeaders.ATTEMPTS)), failedAt(headers.get(DeadLetterHeaders.FAILED_AT)),
					this.mapper.writeValueAsString(headers), (body != null) ? new String(body, StandardCharsets.UTF_8) : "");
		}
		catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Integer attempts(Object value) {
		try {
			return (value != null) ? Integer.valueOf(value.toString()) : null;
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private static Timestamp failedAt(Object value) {
		try {
			return (value != null) ? Timestamp.from(Instant.parse(value.toString())) : null;
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

}
