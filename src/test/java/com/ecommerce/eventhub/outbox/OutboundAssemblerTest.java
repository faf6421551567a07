package com.ecommerce.eventhub.outbox;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import com.ecommerce.eventhub.config.EnvelopeProperties;
import com.ecommerce.eventhub.config.HubProperties;
import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.config.TopologyProperties.DomainQueue;
import com.ecommerce.eventhub.config.TopologyProperties.QueueType;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.envelope.EventSchemas;
import com.ecommerce.eventhub.topology.DeadLetterHeaders;
import com.ecommerce.eventhub.topology.AggregatePartitions;
import com.ecommerce.eventhub.topology.EventLag;
import com.ecommerce.eventhub.tracing.EventTracing;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/** An outbox row becomes the wire format's message, or a dead letter that names why. */
class OutboundAssemblerTest {

	private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

	private static final String PAYLOAD = "{\"orderNumber\": \"ORD-1\", \"previousStatus\": \"pending\", "
			+ "\"newStatus\": \"processing\", \"updatedBy\": \"erp\", \"trackingNumber\": null, \"trackingCarrier\": null}";

	private final OutboundAssembler assembler = new OutboundAssembler(EventSchemas.load(),
			new HubProperties("eventhub", "ecommerce-api", "production", 30),
			new TopologyProperties("ecommerce.events", "dead-letter", Duration.ofDays(7), QueueType.QUORUM, 20,
					List.of(new DomainQueue("order.events", List.of("order.#"))), true, Duration.ofSeconds(30)),
			new EnvelopeProperties(DataSize.ofKilobytes(256)), Clock.fixed(NOW, ZoneOffset.UTC), EventTracing.off());

	@Test
	void aValidRowIsTheEnrichedEnvelopeWithTheWireProperties() throws Exception {
		UUID eventId = UUID.randomUUID();
		OutboundMessage message = this.assembler
			.assemble(row(eventId, "order.status-changed", "corr-1", "cause-1", null, PAYLOAD, 0));
		assertThat(message.isDeadLetter()).isFalse();
		assertThat(message.message().exchange()).isEqualTo("ecommerce.events");
		assertThat(message.message().routingKey()).isEqualTo("order.status-changed");
		assertThat(message.message().properties().getMessageId()).isEqualTo(eventId.toString());
		assertThat(message.message().properties().getType()).isEqualTo("order.status-changed");
		assertThat(message.message().properties().getCorrelationId()).isEqualTo("corr-1");
		assertThat(message.message().properties().getDeliveryMode()).isEqualTo(2);
		assertThat(message.message().properties().getContentType()).isEqualTo("application/json");
		assertThat(message.message().properties().getHeaders()).containsOnlyKeys("eventVersion", "aggregateType",
				"aggregateId", "causationId", EventLag.PUBLISHED_AT_HEADER, AggregatePartitions.HEADER);
		assertThat(message.message().properties().getHeaders()).containsEntry(EventLag.PUBLISHED_AT_HEADER,
				"2026-01-02T03:04:05Z");
		assertThat(message.occurredAt()).isEqualTo(Instant.parse("2025-11-18T10:00:00Z"));
		JsonNode body = EnvelopeJson.mapper().readTree(message.message().body());
		assertThat(body.at("/metadata/source").asText()).isEqualTo("ecommerce-api");
		assertThat(body.at("/metadata/environment").asText()).isEqualTo("production");
		assertThat(body.get("occurredAt").asText()).isEqualTo("2025-11-18T10:00:00Z");
		assertThat(body.get("causationId").asText()).isEqualTo("cause-1");
	}

	@Test
	void anInvalidRowIsADeadLetterWithEveryViolation() throws Exception {
		OutboundMessage message = this.assembler.assemble(
				row(UUID.randomUUID(), "order.status-changed", null, null, null, "{\"orderNumber\": \"ORD-1\"}", 2));
		assertThat(message.isDeadLetter()).isTrue();
		assertThat(message.message().exchange()).isEmpty();
		assertThat(message.message().routingKey()).isEqualTo("dead-letter");
		assertThat(message.deadReason()).contains("/payload/newStatus", "/payload/previousStatus");
		assertThat(message.message().properties().getHeaders())
			.containsEntry(DeadLetterHeaders.FAILED_ROUTE, "outbox-relay")
			.containsEntry(DeadLetterHeaders.ATTEMPTS, 3)
			.containsEntry(DeadLetterHeaders.FAILED_AT, "2026-01-02T03:04:05Z");
		assertThat(EnvelopeJson.mapper().readTree(message.message().body()).at("/payload/orderNumber").asText())
			.isEqualTo("ORD-1");
	}

	@Test
	void aRowTooLargeToLoadIsADeadLetterWithoutItsPayload() {
		OutboundMessage message = this.assembler.assemble(new OutboxRow(7, UUID.randomUUID(), "order.status-changed",
				"1.0", "Order", "o-1", null, null, null, null, null, 0, 9_000_000, null));
		assertThat(message.isDeadLetter()).isTrue();
		assertThat(message.deadReason()).contains("9000000 bytes", "hub.envelope.max-size");
		assertThat(new String(message.message().body(), StandardCharsets.UTF_8)).doesNotContain("payload")
			.contains("\"size\":9000000");
	}

	@Test
	void unreadableJsonIsADeadLetterWithTheRawColumns() {
		OutboundMessage message = this.assembler
			.assemble(row(UUID.randomUUID(), "order.status-changed", null, null, null, "{\"a\": 1e999999999}", 0));
		assertThat(message.isDeadLetter()).isTrue();
		assertThat(new String(message.message().body(), StandardCharsets.UTF_8)).contains("rawPayload");
	}

	@Test
	void aShortStringPropertyIsCutToTwoHundredFiftyFiveBytes() {
		assertThat(OutboundAssembler.shortString("a".repeat(300))).hasSize(255);
		assertThat(OutboundAssembler.shortString("é".repeat(200))).hasSize(127);
		assertThat(OutboundAssembler.shortString("😀".repeat(100)).getBytes(StandardCharsets.UTF_8)).hasSize(252);
		assertThat(OutboundAssembler.shortString("short")).isEqualTo("short");
		assertThat(OutboundAssembler.shortString(null)).isNull();
	}

	@Test
	void aProducersTraceparentTravelsToTheMessageEvenWithTracingOff() {
		String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
		OutboundMessage message = this.assembler
			.assemble(row(UUID.randomUUID(), "order.status-changed", null, null, null, PAYLOAD, 0, traceparent));
		assertThat(message.message().properties().getHeaders()).containsEntry("traceparent", traceparent);
		assertThat(this.assembler.assemble(row(UUID.randomUUID(), "order.status-changed", null, null, null, PAYLOAD, 0))
			.message()
			.properties()
			.getHeaders()).doesNotContainKey("traceparent");
	}

	@Test
	void everyEventCarriesItsAggregatesPartition() {
		OutboundMessage message = this.assembler
			.assemble(row(UUID.randomUUID(), "order.status-changed", null, null, null, PAYLOAD, 0));
		assertThat(message.message().properties().getHeaders()).containsEntry(AggregatePartitions.HEADER,
				AggregatePartitions.of("Order", "0b6c3c53-4d0a-4d56-a4a5-0c8e2f5b8c7d"));
		// The wire contract: CRC-32 of "Order/<id>" modulo 64, the same on every
		// instance.
		assertThat(AggregatePartitions.of("Order", "0b6c3c53-4d0a-4d56-a4a5-0c8e2f5b8c7d"))
			.isEqualTo((int) (crc32("Order/0b6c3c53-4d0a-4d56-a4a5-0c8e2f5b8c7d") % 64));
		java.util.Set<Integer> partitions = new java.util.HashSet<>();
		for (int i = 0; i < 1000; i++) {
			partitions.add(AggregatePartitions.of("Order", "order-" + i));
		}
		assertThat(partitions).as("aggregates spread over every partition").hasSize(AggregatePartitions.COUNT);
	}

	private static long crc32(String text) {
		java.util.zip.CRC32 crc = new java.util.zip.CRC32();
		crc.update(text.getBytes(StandardCharsets.UTF_8));
		return crc.getValue();
	}

	@Test
	void onlyAWellFormedTraceparentIsCarriedOn() {
		// What the claim's row mapper keeps of a row's traceparent column.
		assertThat(EventTracing.valid("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).isNotNull();
		assertThat(EventTracing.valid("00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01")).isNull();
		assertThat(EventTracing.valid("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).isNull();
		assertThat(EventTracing.valid("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n")).isNull();
		assertThat(EventTracing.valid("not a trace")).isNull();
	}

	private static OutboxRow row(UUID eventId, String type, String correlationId, String causationId, String metadata,
			String payload, int attempts) {
		return row(eventId, type, correlationId, causationId, metadata, payload, attempts, null);
	}

	private static OutboxRow row(UUID eventId, String type, String correlationId, String causationId, String metadata,
			String payload, int attempts, String traceparent) {
		return new OutboxRow(1, eventId, type, "1.0", "Order", "0b6c3c53-4d0a-4d56-a4a5-0c8e2f5b8c7d",
				Instant.parse("2025-11-18T10:00:00Z"), correlationId, causationId, metadata, payload, attempts,
				payload.length(), traceparent);
	}

}
