package com.ecommerce.eventhub.ingestion;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.ecommerce.eventhub.config.SecurityProperties.ApiKey;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.outbox.OutboxStore;
import com.ecommerce.eventhub.web.Callers;
import com.ecommerce.eventhub.web.HttpAnswers;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;

import org.springframework.stereotype.Component;

/**
 * The ingestion endpoints on camel-platform-http: {@code POST /api/v1/events} (route
 * {@code ingestion-post-events}) and {@code GET /api/v1/events/{eventId}} (route
 * {@code ingestion-get-event}). API keys, body size and content type are checked by
 * servlet filters before these routes run. Every incoming header is dropped first: a
 * header such as {@code CamelSqlQuery} or {@code Bcc} must not reach a component.
 */
@Component
class IngestionRoutes extends EndpointRouteBuilder {

	private static final Logger log = LoggerFactory.getLogger(IngestionRoutes.class);

	static final String EVENTS_PATH = "/api/v1/events";

	private final IngestionService ingestion;

	private final OutboxStore outbox;

	private final EventTypeScope scope;

	IngestionRoutes(IngestionService ingestion, OutboxStore outbox, EventTypeScope scope) {
		this.ingestion = ingestion;
		this.outbox = outbox;
		this.scope = scope;
	}

	@Override
	public void configure() {

		rest(EVENTS_PATH).post()
			.id("ingestion-post-events")
			.consumes("application/json")
			.produces("application/json")
			.to("direct:ingestion-post-events")
			.get("/{eventId}")
			.id("ingestion-get-event")
			.produces("application/json")
			.to("direct:ingestion-get-event");

		from(direct("ingestion-post-events")).routeId("ingestion-post-events-handler").process(this::post);
		from(direct("ingestion-get-event")).routeId("ingestion-get-event-handler").process(this::get);
	}

	private void post(Exchange exchange) {
		ApiKey caller = Callers.require(exchange);
		InputStream body = exchange.getMessage().getBody(InputStream.class);
		exchange.getMessage().removeHeaders("*");
		JsonNode json;
		try {
			json = (body != null) ? EnvelopeJson.mapper().readTree(body) : null;
		}
		catch (JsonProcessingException ex) {
			// The envelope limits (nesting depth, number length) answer here too, without
			// a stack trace.
			HttpAnswers.problem(exchange, 400, "Bad Request", "Malformed JSON: " + ex.getOriginalMessage());
			return;
		}
		catch (IOException ex) {
			HttpAnswers.problem(exchange, 400, "Bad Request", "The body could not be read.");
			return;
		}
		if (json == null || json.isMissingNode()) {
			HttpAnswers.problem(exchange, 400, "Bad Request", "The body is empty.");
			return;
		}
		try {
			respond(exchange, this.ingestion.ingest(json, caller));
		}
		catch (DataAccessException | TransactionException ex) {
			log.warn("Could not store posted events: {}", ex.getMostSpecificCause().getMessage());
			HttpAnswers.problem(exchange, 503, "Service Unavailable",
					"The events could not be stored now; nothing was stored. Retry later.");
		}
	}

	/** The one place an ingestion outcome becomes HTTP. */
	private static void respond(Exchange exchange, IngestionOutcome outcome) {
		if (outcome instanceof IngestionOutcome.Accepted accepted) {
			List<Map<String, Object>> events = accepted.events()
				.stream()
				.map(stored -> Map.<String, Object>of("eventId", stored.eventId(), "status", stored.status()))
				.toList();
			HttpAnswers.json(exchange, accepted.duplicate() ? 200 : 202, Map.of("accepted", events));
			if (accepted.single()) {
				exchange.getMessage().setHeader("Location", EVENTS_PATH + "/" + accepted.events().get(0).eventId());
			}
		}
		else if (outcome instanceof IngestionOutcome.Invalid invalid) {
			HttpAnswers.problem(exchange, 400, "Bad Request", invalid.detail(),
					invalid.violations().isEmpty() ? Map.of() : Map.of("violations", invalid.violations()));
		}
		else if (outcome instanceof IngestionOutcome.TooLarge tooLarge) {
			HttpAnswers.problem(exchange, 413, "Payload Too Large",
					tooLarge.violations().size() + " event(s) over the size limit; nothing was stored.",
					Map.of("violations", tooLarge.violations()));
		}
		else if (outcome instanceof IngestionOutcome.Forbidden forbidden) {
			HttpAnswers.problem(exchange, 403, "Forbidden",
					"This API key may not post event types " + forbidden.eventTypes() + ".");
		}
		else if (outcome instanceof IngestionOutcome.Conflict conflict) {
			HttpAnswers.problem(exchange, 409, "Conflict",
					"An event with the same eventId but other content exists; nothing was stored.",
					Map.of("eventIds", conflict.eventIds()));
		}
	}

	private void get(Exchange exchange) {
		ApiKey caller = Callers.require(exchange);
		String eventId = exchange.getMessage().getHeader("eventId", String.class);
		exchange.getMessage().removeHeaders("*");
		Optional<OutboxStore.EventStatus> row;
		try {
			row = isUuid(eventId) ? this.outbox.status(UUID.fromString(eventId)) : Optional.empty();
		}
		catch (DataAccessException | TransactionException ex) {
			log.warn("Could not read an event's status: {}", ex.getMostSpecificCause().getMessage());
			HttpAnswers.problem(exchange, 503, "Service Unavailable", "The status cannot be read now.");
			return;
		}
		if (row.isEmpty() || !this.scope.allows(caller, row.get().eventType())) {
			HttpAnswers.problem(exchange, 404, "Not Found", "No event " + eventId + " for this API key.");
			return;
		}
		OutboxStore.EventStatus event = row.get();
		Map<String, Object> status = new LinkedHashMap<>();
		status.put("eventId", event.eventId().toString());
		status.put("eventType", event.eventType());
		status.put("status", event.status());
		status.put("attempts", event.attempts());
		status.put("lastError", event.lastError());
		status.put("occurredAt", iso(event.occurredAt()));
		status.put("publishedAt", iso(event.publishedAt()));
		HttpAnswers.json(exchange, 200, status);
	}

	private static boolean isUuid(String text) {
		try {
			return text != null && UUID.fromString(text).toString().equalsIgnoreCase(text);
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	private static String iso(Instant instant) {
		return (instant != null) ? DateTimeFormatter.ISO_INSTANT.format(instant) : null;
	}

}
