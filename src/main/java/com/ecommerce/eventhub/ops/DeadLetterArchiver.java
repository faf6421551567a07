package com.ecommerce.eventhub.ops;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import com.ecommerce.eventhub.topology.AmqpHeaders;
import com.ecommerce.eventhub.topology.DeadLetterHeaders;
import com.ecommerce.eventhub.topology.DeadLetterPublisher;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.rabbitmq.client.AMQP;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Stores a dead letter in {@code dead_letter_archive}: body, failure headers and all
 * other headers. Anything a broker message can carry fits: the body is kept as bytes (and
 * as text when it is clean UTF-8), and U+0000, which PostgreSQL's text and jsonb refuse,
 * becomes U+FFFD in the columns and headers meant for reading.
 */
@Component
class DeadLetterArchiver implements Processor {

	private static final String INSERT = """
			INSERT INTO dead_letter_archive (event_id, event_type, original_exchange, original_routing_key,
			    failed_route, exception_class, exception_message, attempts, failed_at, headers, body, body_bytes)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)""";

	/**
	 * Longest value kept in a column or header of the archive; the body is kept whole.
	 */
	private static final int MAX_TEXT = 10_000;

	private final ObjectMapper mapper = JsonMapper.builder().build();

	private static final Logger log = LoggerFactory.getLogger(DeadLetterArchiver.class);

	private final JdbcTemplate jdbc;

	private final DeadLetterPublisher publisher;

	DeadLetterArchiver(JdbcTemplate jdbc, DeadLetterPublisher publisher) {
		this.jdbc = jdbc;
		this.publisher = publisher;
	}

	/**
	 * The archive route's step: stores the message, or parks it on
	 * {@code <dead-letter-queue>.parked} when the database refuses it for good, so one
	 * message cannot wedge the route. A database that is down (a transient failure) is
	 * thrown, and the route tries again.
	 * @param exchange a message from the archive queue
	 */
	@Override
	public void process(Exchange exchange) {
		try {
			archive(exchange);
		}
		catch (RuntimeException ex) {
			if (isTransient(ex)) {
				throw ex;
			}
			park(exchange, ex);
		}
	}

	private void park(Exchange exchange, RuntimeException failure) {
		Message message = exchange.getMessage();
		Map<String, Object> headers = new HashMap<>();
		message.getHeaders().forEach((name, value) -> {
			if (!name.startsWith("Camel") && value != null) {
				headers.put(name, value);
			}
		});
		headers.put("x-archive-error", clean(failure.getClass().getName() + ": " + failure.getMessage()));
		AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
			.messageId(message.getHeader(SpringRabbitMQConstants.MESSAGE_ID, String.class))
			.type(message.getHeader(SpringRabbitMQConstants.TYPE, String.class))
			.deliveryMode(2)
			.headers(AmqpHeaders.of(headers))
			.build();
		byte[] body = message.getBody(byte[].class);
		this.publisher.park(properties, (body != null) ? body : new byte[0]);
		log.error("Dead letter {} could not be archived and was parked: {}", properties.getMessageId(),
				failure.getMessage());
	}

	private static boolean isTransient(RuntimeException failure) {
		return failure instanceof TransientDataAccessException || failure instanceof RecoverableDataAccessException
				|| failure instanceof DataAccessResourceFailureException;
	}

	private void archive(Exchange exchange) {
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
	 * @param eventId its message id, or null
	 * @param eventType its type, or null
	 * @param amqpHeaders its AMQP headers, failure headers included
	 * @param body its body, or null
	 */
	void store(String eventId, String eventType, Map<String, Object> amqpHeaders, byte[] body) {
		Map<String, String> headers = new TreeMap<>();
		amqpHeaders.forEach((name, value) -> headers.put(clean(name), clean(String.valueOf(value))));
		byte[] bytes = (body != null) ? body : new byte[0];
		String text = utf8Text(bytes);
		try {
			this.jdbc.update(INSERT, clean(eventId), clean(eventType), headers.get(DeadLetterHeaders.ORIGINAL_EXCHANGE),
					headers.get(DeadLetterHeaders.ORIGINAL_ROUTING_KEY), headers.get(DeadLetterHeaders.FAILED_ROUTE),
					headers.get(DeadLetterHeaders.EXCEPTION_CLASS), headers.get(DeadLetterHeaders.EXCEPTION_MESSAGE),
					attempts(headers.get(DeadLetterHeaders.ATTEMPTS)),
					failedAt(headers.get(DeadLetterHeaders.FAILED_AT)), this.mapper.writeValueAsString(headers), text,
					bytes);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("A map of strings always serializes", ex);
		}
	}

	/**
	 * The body as text when it is valid UTF-8 without U+0000, else null (the bytes are
	 * kept anyway).
	 */
	private static String utf8Text(byte[] bytes) {
		try {
			String text = StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes))
				.toString();
			return (text.indexOf('\u0000') < 0) ? text : null;
		}
		catch (CharacterCodingException ex) {
			return null;
		}
	}

	/** A value PostgreSQL's text and jsonb take: no U+0000, and bounded. */
	private static String clean(String value) {
		if (value == null) {
			return null;
		}
		String bounded = (value.length() <= MAX_TEXT) ? value : value.substring(0, MAX_TEXT) + "...";
		return bounded.replace('\u0000', '\uFFFD');
	}

	private static Integer attempts(String value) {
		try {
			return (value != null) ? Integer.valueOf(value) : null;
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private static Timestamp failedAt(String value) {
		try {
			Instant instant = (value != null) ? Instant.parse(value) : null;
			// PostgreSQL's timestamptz covers years 4713 BC to 294276: anything else is
			// not a real failure time.
			return (instant != null && instant.getEpochSecond() > -62135596800L
					&& instant.getEpochSecond() < 253402300800L) ? Timestamp.from(instant) : null;
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

}
