package com.ecommerce.eventhub.replay;

import java.time.Instant;

import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A replay request is read strictly: a misspelt or mistyped field must never widen a
 * replay to every event, and every bound is checked before anything is read.
 */
class ReplayRequestTest {

	@Test
	void readsEveryField() throws Exception {
		ReplayRequest request = ReplayRequest.of(json("""
				{"route": "r", "eventTypes": ["order.placed", "order.shipped"], "aggregateId": "a",
				 "correlationId": "c", "from": "2025-11-18T10:00:00Z", "to": "2025-11-18T11:00:00Z",
				 "dryRun": true, "bypassIdempotency": true}"""));
		assertThat(request.route()).isEqualTo("r");
		assertThat(request.eventTypes()).containsExactly("order.placed", "order.shipped");
		assertThat(request.from()).isEqualTo(Instant.parse("2025-11-18T10:00:00Z"));
		assertThat(request.dryRun()).isTrue();
		assertThat(request.describe()).containsEntry("bypassIdempotency", true)
			.containsEntry("to", "2025-11-18T11:00:00Z")
			.doesNotContainKey("dryRun");
		assertThat(request.withDryRun(false).dryRun()).isFalse();
	}

	@Test
	void refusesWhatWouldBeMisread() {
		refused("{\"route\": \"r\", \"eventType\": \"order.placed\"}", "Unknown field 'eventType'");
		refused("{\"route\": \"r\", \"eventTypes\": \"order.placed\"}", "eventTypes must be an array");
		refused("{\"route\": \"r\", \"eventTypes\": [1]}", "event types (strings)");
		refused("{\"route\": \"r\", \"eventTypes\": [\" \"]}", "event types (strings)");
		refused("{\"route\": \"\"}", "route is required");
		refused("{\"route\": 5}", "route must be a string");
		refused("{\"route\": \"r\", \"dryRun\": \"true\"}", "dryRun must be true or false");
		refused("[]", "JSON object");
		// PostgreSQL's text holds no NUL: the scope query failed and the replay answered
		// 503.
		refused("{\"route\": \"r\", \"aggregateId\": \"a\\u0000b\"}", "aggregateId must not contain a NUL");
		refused("{\"route\": \"r\", \"correlationId\": \"\\u0000\"}", "correlationId must not contain a NUL");
	}

	@Test
	void boundsSizesAndTheTimeWindow() {
		refused("{\"route\": \"" + "r".repeat(ReplayRequest.MAX_TEXT + 1) + "\"}", "at most 1000 characters");
		refused("{\"route\": \"r\", \"eventTypes\": [" + "\"t\",".repeat(ReplayRequest.MAX_TYPES) + "\"t\"]}",
				"at most 100 event types");
		refused("{\"route\": \"r\", \"from\": \"2025-11-18\"}", "ISO-8601 instant");
		refused("{\"route\": \"r\", \"from\": \"1999-12-31T23:59:59Z\"}", "must lie between");
		refused("{\"route\": \"r\", \"to\": \"+10000-01-01T00:00:00Z\"}", "must lie between");
		refused("{\"route\": \"r\", \"from\": \"2025-11-18T10:00:00Z\", \"to\": \"2025-11-18T10:00:00Z\"}",
				"from must be before to");
	}

	private static void refused(String body, String message) {
		assertThatThrownBy(() -> ReplayRequest.of(json(body))).as(body)
			.isInstanceOf(ReplayRequest.InvalidReplayException.class)
			.hasMessageContaining(message);
	}

	private static JsonNode json(String text) throws Exception {
		return EnvelopeJson.mapper().readTree(text);
	}

}
