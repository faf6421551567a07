package com.ecommerce.eventhub.outbox;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.ecommerce.eventhub.config.EnvelopeProperties;
import com.ecommerce.eventhub.config.HubProperties;
import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.envelope.EnvelopeEnricher;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.envelope.EnvelopeValidationException;
import com.ecommerce.eventhub.envelope.EventSchemas;
import com.ecommerce.eventhub.envelope.Violation;
import com.ecommerce.eventhub.topology.AggregatePartitions;
import com.ecommerce.eventhub.topology.ConfirmingPublisher.Outgoing;
import com.ecommerce.eventhub.topology.DeadLetterHeaders;
import com.ecommerce.eventhub.topology.EventLag;
import com.ecommerce.eventhub.tracing.EventTracing;
import com.ecommerce.eventhub.tracing.EventTracing.EventIdentity;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import io.micrometer.tracing.Span;

import org.springframework.stereotype.Component;

/**
 * Turns a claimed outbox row into what the relay publishes: the enriched, schema-valid
 * envelope with the wire format's AMQP properties, or, for an invalid row, a dead letter
 * that names the reason.
 */
@Component
class OutboundAssembler {

	static final String FAILED_ROUTE = "outbox-relay";

	private static final String CONTENT_TYPE = "application/json";

	private static final int PERSISTENT = 2;

	private final ObjectMapper mapper = EnvelopeJson.mapper();

	private final EventSchemas schemas;

	private final EnvelopeEnricher enricher;

	private final TopologyProperties topology;

	private final Clock clock;

	private final int maxEventBytes;

	private final EventTracing tracing;

	OutboundAssembler(EventSchemas schemas, HubProperties hub, TopologyProperties topology,
			EnvelopeProperties envelopeLimits, Clock clock, EventTracing tracing) {
		this.tracing = tracing;
		this.schemas = schemas;
		this.enricher = new EnvelopeEnricher(hub.source(), hub.environment(), clock);
		this.topology = topology;
		this.maxEventBytes = envelopeLimits.maxBytes();
		this.clock = clock;
	}

	/**
	 * Assembles a claimed batch; its messages are published together, so they share one
	 * publish time.
	 * @param rows the batch
	 * @return one message per row, in order
	 */
	List<OutboundMessage> assemble(List<OutboxRow> rows) {
		String publishedAt = EventLag.publishedAtHeader(this.clock.instant());
		List<OutboundMessage> messages = new ArrayList<>(rows.size());
		for (OutboxRow row : rows) {
			messages.add(assemble(row, publishedAt));
		}
		return messages;
	}

	OutboundMessage assemble(OutboxRow row) {
		return assemble(row, EventLag.publishedAtHeader(this.clock.instant()));
	}

	private OutboundMessage assemble(OutboxRow row, String publishedAt) {
		if (row.isOversize()) {
			return deadLetter(row, summary(row), tooLarge("about " + row.size()));
		}
		ObjectNode envelope = this.mapper.createObjectNode();
		String reason;
		try {
			envelope = toEnvelope(row);
			List<Violation> violations = this.schemas.validate(envelope);
			if (violations.isEmpty()) {
				byte[] body = this.mapper.writeValueAsBytes(envelope);
				if (body.length > this.maxEventBytes) {
					return deadLetter(row, summary(row), tooLarge(String.valueOf(body.length)));
				}
				// The row's, or (a row without one) about the enriched value.
				Instant occurredAt = (row.occurredAt() != null) ? row.occurredAt() : this.clock.instant();
				// Ended by the relay when the broker confirmed (or refused) the message.
				Span publish = this.tracing.start("publish " + row.eventType(), Span.Kind.PRODUCER, row.traceparent(),
						new EventIdentity(row.eventId().toString(), row.eventType(), row.correlationId()));
				String traceparent = this.tracing.enabled() ? this.tracing.traceparentOf(publish) : row.traceparent();
				return new OutboundMessage(row.id(),
						new Outgoing(this.topology.exchange(), row.eventType(),
								eventProperties(row, occurredAt, traceparent, publishedAt), body),
						null, occurredAt, publish);
			}
			reason = EnvelopeValidationException.of(violations).getMessage();
		}
		catch (JsonProcessingException ex) {
			reason = "unreadable envelope: " + ex.getOriginalMessage();
		}
		return deadLetter(row, deadLetterBody(row, envelope), reason);
	}

	private String tooLarge(String bytes) {
		return "invalid envelope: the event is " + bytes + " bytes as JSON; at most " + this.maxEventBytes
				+ " are published (hub.envelope.max-size)";
	}

	private ObjectNode toEnvelope(OutboxRow row) throws JsonProcessingException {
		ObjectNode envelope = this.mapper.createObjectNode();
		envelope.put("eventId", row.eventId().toString());
		envelope.put("eventType", row.eventType());
		envelope.put("eventVersion", row.eventVersion());
		envelope.put("aggregateId", row.aggregateId());
		envelope.put("aggregateType", row.aggregateType());
		if (row.occurredAt() != null) {
			envelope.put("occurredAt", DateTimeFormatter.ISO_INSTANT.format(row.occurredAt()));
		}
		putIfPresent(envelope, "correlationId", row.correlationId());
		putIfPresent(envelope, "causationId", row.causationId());
		if (row.metadata() != null) {
			envelope.set("metadata", readJson(row.metadata()));
		}
		envelope.set("payload", readJson(row.payload()));
		return this.enricher.enrich(envelope);
	}

	private static JsonNode readJson(String json) throws JsonProcessingException {
		// Parsed with the envelope limits: a 10,000-deep payload is dead-lettered, not a
		// crash. The columns are jsonb: no duplicate keys to look for.
		return EnvelopeJson.jsonbReader().readTree(json);
	}

	private static void putIfPresent(ObjectNode node, String field, String value) {
		if (value != null) {
			node.put(field, value);
		}
	}

	private AMQP.BasicProperties eventProperties(OutboxRow row, Instant occurredAt, String traceparent,
			String publishedAt) {
		Map<String, Object> headers = new HashMap<>();
		if (traceparent != null) {
			headers.put(EventTracing.TRACEPARENT, traceparent);
		}
		headers.put("eventVersion", row.eventVersion());
		headers.put("aggregateType", row.aggregateType());
		headers.put("aggregateId", row.aggregateId());
		// Where ordered consumers take it: all events of an aggregate in one partition.
		headers.put(AggregatePartitions.HEADER, AggregatePartitions.of(row.aggregateType(), row.aggregateId()));
		if (row.causationId() != null) {
			headers.put("causationId", row.causationId());
		}
		// When the relay publishes it (assembly and publish are one step of a batch): the
		// consumers measure their lag from it.
		headers.put(EventLag.PUBLISHED_AT_HEADER, publishedAt);
		return new AMQP.BasicProperties.Builder().contentType(CONTENT_TYPE)
			.deliveryMode(PERSISTENT)
			.messageId(row.eventId().toString())
			.type(row.eventType())
			.correlationId(row.correlationId())
			.timestamp(Date.from(occurredAt))
			.headers(headers)
			.build();
	}

	private byte[] deadLetterBody(OutboxRow row, ObjectNode envelope) {
		try {
			return envelope.isEmpty() ? rawRow(row) : this.mapper.writeValueAsBytes(envelope);
		}
		catch (JsonProcessingException ex) {
			return rawRow(row);
		}
	}

	/**
	 * The dead letter of a row too large to publish: its identity without metadata and
	 * payload (they stay in the outbox row).
	 */
	private byte[] summary(OutboxRow row) {
		ObjectNode summary = identity(row);
		summary.put("size", row.size());
		return write(summary);
	}

	private OutboundMessage deadLetter(OutboxRow row, byte[] body, String reason) {
		Map<String, Object> headers = DeadLetterHeaders.of(this.topology.exchange(), row.eventType(), FAILED_ROUTE,
				EnvelopeValidationException.class.getName(), reason, row.attempts() + 1, this.clock.instant());
		headers.put("eventVersion", row.eventVersion());
		// type and correlation_id are AMQP short strings (at most 255 bytes): a row that
		// is invalid
		// because they are too long must still be dead-lettered, not wedge the batch.
		AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().contentType(CONTENT_TYPE)
			.deliveryMode(PERSISTENT)
			.messageId(row.eventId().toString())
			.type(shortString(row.eventType()))
			.correlationId(shortString(row.correlationId()))
			.timestamp(Date.from(this.clock.instant()))
			.headers(headers)
			.build();
		return new OutboundMessage(row.id(), new Outgoing("", this.topology.deadLetterQueue(), properties, body),
				reason, null, Span.NOOP);
	}

	/** The row's columns as they are, for a row whose JSON could not even be parsed. */
	private byte[] rawRow(OutboxRow row) {
		ObjectNode raw = identity(row);
		raw.put("rawMetadata", row.metadata());
		raw.put("rawPayload", row.payload());
		return write(raw);
	}

	private ObjectNode identity(OutboxRow row) {
		ObjectNode identity = this.mapper.createObjectNode();
		identity.put("eventId", row.eventId().toString());
		identity.put("eventType", row.eventType());
		identity.put("eventVersion", row.eventVersion());
		identity.put("aggregateId", row.aggregateId());
		identity.put("aggregateType", row.aggregateType());
		return identity;
	}

	private byte[] write(ObjectNode tree) {
		try {
			return this.mapper.writeValueAsBytes(tree);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("Cannot serialise a tree of strings", ex);
		}
	}

	/**
	 * The longest prefix of the text that fits an AMQP short string (255 bytes of UTF-8).
	 */
	static String shortString(String text) {
		if (text == null || text.length() <= 63) {
			return text; // 63 characters are at most 252 bytes
		}
		int bytes = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			int width = (c < 0x80) ? 1 : (c < 0x800) ? 2 : Character.isHighSurrogate(c) ? 4 : 3;
			if (bytes + width > 255) {
				return text.substring(0, i);
			}
			bytes += width;
			if (width == 4) {
				i++;
			}
		}
		return text;
	}

}
