package com.ecommerce.eventhub.ingestion;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Timestamp;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.ecommerce.eventhub.config.SecurityProperties.ApiKey;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
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
 * {@code ingestion-get-event}). API keys, body size and content type are checked by servlet filters
 * before these routes run. Every incoming header is dropped first: a header such as
 * {@code CamelSqlQuery} or {@code Bcc} must not reach a component.
 */
@Component
class IngestionRoutes extends EndpointRouteBuilder {

	private static final Logger log = LoggerFactory.getLogger(IngestionRoutes.class);

	static final String EVENTS_PATH = "/api/v1/events";

	private final IngestionService ingestion;

	private final IngestionRepository repository;

	private final EventTypeScope scope;

	IngestionRoutes(IngestionService ingestion, IngestionRepository repository, EventTypeScope scope) {
		this.ingestion = ingestion;
		this.repository = repository;
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
		ApiKey caller = caller(exchange);
		if (caller == null) {
			answer(exchange, IngestionService.problem(401, "Unauthorized", "A valid API key is required."));
			return;
		}
		InputStream body = exchange.getMessage().getBody(InputStream.class);
		exchange.getMessage().removeHeaders("*");
		JsonNode json;
		try {
			json = (body != null) ? EnvelopeJson.mapper().readTree(body) : null;
		}
		catch (JsonProcessingException ex) {
			// The envelope limits (nesting depth, number length) answer here too, without a stack trace.
			answer(exchange, IngestionService.problem(400, "Bad Request", "Malformed JSON: " + ex.getOriginalMessage()));
			return;
		}
		catch (IOException ex) {
			answer(exchange, IngestionService.problem(400, "Bad Request", "The body could not be read."));
			return;
		}
		if (json == null || json.isMissingNode()) {
			answer(exchange, IngestionService.problem(400, "Bad Request", "The body is empty."));
			return;
		}
		try {
			answer(exchange, this.ingestion.ingest(json, caller));
		}
		catch (DataAccessException | TransactionException ex) {
			log.warn("Could not store posted events: {}", ex.getMostSpecificCause().getMessage());
			answer(exchange, IngestionService.problem(503, "Service Unavailable",
					"The events could not be stored now; nothing was stored. Retry later."));
		}
	}

	private void get(Exchange exchange) {
		ApiKey caller = caller(exchange);
		if (caller == null) {
			answer(exchange, IngestionService.problem(401, "Unauthorized", "A valid API key is required."));
			return;
		}
		String eventId = exchange.getMessage().getHeader("eventId", String.class);
		exchange.getMessage().removeHeaders("*");
		Optional<Map<String, Object>> row;
		try {
			row = isUuid(eventId) ? this.repository.status(eventId) : Optional.empty();
		}
		catch (DataAccessException | TransactionException ex) {
			log.warn("Could not read an event's status: {}", ex.getMostSpecificCause().getMessage());
			answer(exchange, IngestionService.problem(503, "Service Unavailable", "The status cannot be read now."));
			return;
		}
		if (row.isEmpty() || !this.scope.allows(caller, (String) row.get().get("event_type"))) {
			answer(exchange, IngestionService.problem(404, "Not Found", "No event " + eventId + " for this API key."));
			return;
		}
		Map<String, Object> status = new LinkedHashMap<>();
		status.put("eventId", row.get().get("event_id").toString());
		status.put("eventType", row.get().get("event_type"));
		status.put("status", row.get().get("status"));
		status.put("attempts", row.get().get("attempts"));
		status.put("lastError", row.get().get("last_error"));
		status.put("occurredAt", iso(row.get().get("occurred_at")));
		status.put("publishedAt", iso(row.get().get("published_at")));
		answer(exchange, new IngestionService.Answer(200, "application/json", Json.write(status), null));
	}

	private static ApiKey caller(Exchange exchange) {
		return Callers.of(exchange);
	}

	private static void answer(Exchange exchange, IngestionService.Answer answer) {
		HttpAnswers.answer(exchange, answer.status(), answer.contentType(), answer.body());
		if (answer.location() != null) {
			exchange.getMessage().setHeader("Location", answer.location());
		}
	}

	private static boolean isUuid(String text) {
		try {
			return text != null && UUID.fromString(text).toString().equalsIgnoreCase(text);
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	private static String iso(Object timestamp) {
		return (timestamp instanceof Timestamp value) ? DateTimeFormatter.ISO_INSTANT.format(value.toInstant()) : null;
	}

}
