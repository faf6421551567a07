package com.ecommerce.eventhub.envelope;

import java.io.IOException;
import java.util.UUID;

import com.ecommerce.eventhub.support.OutboxFixtures;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link Envelope#fromValidTree} maps every valid envelope exactly as Jackson does, and
 * leaves to Jackson what it does not read itself.
 */
class EnvelopeTest {

	private final ObjectMapper mapper = EnvelopeJson.mapper();

	private final EventSchemas schemas = EventSchemas.load();

	static Iterable<String> eventTypes() {
		return EventTypes.ALL;
	}

	@ParameterizedTest
	@MethodSource("eventTypes")
	void everyExampleMapsAsJacksonMapsIt(String eventType) throws IOException {
		ObjectNode example = OutboxFixtures.example(eventType);
		assertSameAsJackson(example);
		example.put("correlationId", "corr-1").put("causationId", UUID.randomUUID().toString());
		((ObjectNode) example.get("metadata")).put("userId", "user-7");
		assertSameAsJackson(example);
	}

	@ParameterizedTest
	@ValueSource(strings = { "2025-11-18T10:00:00Z", "2025-11-18T10:00:00.123456789Z", "2025-11-18T12:00:00+02:00",
			"2025-11-18T05:30:00-04:30" })
	void timesWithFractionsAndOffsetsMapAsJacksonMapsThem(String occurredAt) throws IOException {
		ObjectNode example = OutboxFixtures.example("order.placed");
		example.put("occurredAt", occurredAt);
		assertThat(this.schemas.validate(example)).isEmpty();
		assertSameAsJackson(example);
	}

	@ParameterizedTest
	@ValueSource(strings = { "eventId=1-2-3-4-5", "eventId=zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
			"occurredAt=2025-11-18T10:00:00" })
	void aValueNotInCanonicalFormIsLeftToJackson(String fieldAndValue) throws IOException {
		ObjectNode example = OutboxFixtures.example("order.placed");
		example.put(fieldAndValue.substring(0, fieldAndValue.indexOf('=')),
				fieldAndValue.substring(fieldAndValue.indexOf('=') + 1));
		assertThat(Envelope.fromValidTree(example)).isNull();
	}

	@Test
	void ofValidTreeMapsFieldByFieldAndLeavesTheRestToJackson() throws IOException {
		ObjectNode canonical = OutboxFixtures.example("order.placed");
		assertThat(Envelope.ofValidTree(canonical)).isEqualTo(Envelope.fromValidTree(canonical));
		ObjectNode unreadable = OutboxFixtures.example("order.placed");
		unreadable.put("eventId", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz");
		assertThatExceptionOfType(JsonProcessingException.class).as("Jackson decides, and refuses it")
			.isThrownBy(() -> Envelope.ofValidTree(unreadable));
	}

	private void assertSameAsJackson(ObjectNode envelope) throws IOException {
		assertThat(this.schemas.validate(envelope)).as("a valid envelope").isEmpty();
		Envelope mapped = Envelope.fromValidTree(envelope);
		assertThat(mapped).isNotNull().isEqualTo(this.mapper.treeToValue(envelope, Envelope.class));
		assertThat(this.mapper.writeValueAsString(mapped))
			.isEqualTo(this.mapper.writeValueAsString(this.mapper.treeToValue(envelope, Envelope.class)));
	}

}
