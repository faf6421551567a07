package com.ecommerce.eventhub.ingestion;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

import com.ecommerce.eventhub.config.HubProperties;
import com.ecommerce.eventhub.config.IngestionProperties;
import com.ecommerce.eventhub.config.SecurityProperties.ApiKey;
import com.ecommerce.eventhub.envelope.EnvelopeEnricher;
import com.ecommerce.eventhub.envelope.EventSchemas;
import com.ecommerce.eventhub.envelope.Violation;
import com.ecommerce.eventhub.web.Problem;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code POST /api/v1/events}: authorizes, enriches and validates every envelope before anything is
 * stored, then stores the whole request in one transaction, all or nothing.
 */
@Service
class IngestionService {

	private final EventSchemas schemas;

	private final EnvelopeEnricher enricher;

	private final IngestionRepository repository;

	private final TransactionTemplate transactions;

	private final int maxBatchSize;

	IngestionService(EventSchemas schemas, HubProperties hub, IngestionProperties ingestion,
			IngestionRepository repository, PlatformTransactionManager transactionManager, Clock clock) {
		this.schemas = schemas;
		this.enricher = new EnvelopeEnricher(hub.source(), hub.environment(), clock);
		this.repository = repository;
		this.transactions = new TransactionTemplate(transactionManager);
		this.maxBatchSize = ingestion.maxBatchSize();
	}

	/**
	 * @param body the parsed request body: one envelope or an array of envelopes
	 * @param caller the authenticated caller
	 * @return the answer
	 */
	Answer ingest(JsonNode body, ApiKey caller) {
		boolean single = body.isObject();
		if (!single && !body.isArray()) {
			return problem(400, "Bad Request", "Send one event envelope (a JSON object) or an array of them.");
		}
		List<JsonNode> items = new ArrayList<>();
		body.forEach(items::add);
		if (single) {
			items = List.of(body);
		}
		if (items.isEmpty()) {
			return problem(400, "Bad Request", "The array holds no event.");
		}
		if (items.size() > this.maxBatchSize) {
			return problem(400, "Bad Request",
					"At most " + this.maxBatchSize + " events per request, got " + items.size() + ".");
		}
		TreeSet<String> forbidden = new TreeSet<>();
		for (JsonNode item : items) {
			String type = item.path("eventType").asText(null);
			if (type != null && !caller.allows(type)) {
				forbidden.add(type);
			}
		}
		if (!forbidden.isEmpty()) {
			return problem(403, "Forbidden", "This API key may not post event types " + forbidden + ".");
		}
		List<Map<String, Object>> violations = new ArrayList<>();
		boolean[] occurredAtGiven = new boolean[items.size()];
		for (int i = 0; i < items.size(); i++) {
			String prefix = single ? "" : "/" + i;
			if (!(items.get(i) instanceof ObjectNode envelope)) {
				violations.add(violation(prefix.isEmpty() ? "/" : prefix, "must be an event envelope (object)", single, i));
				continue;
			}
			occurredAtGiven[i] = envelope.hasNonNull("occurredAt");
			if (!envelope.hasNonNull("eventId")) {
				envelope.put("eventId", UUID.randomUUID().toString());
			}
			this.enricher.enrich(envelope, caller.name());
			for (Violation violation : this.schemas.validate(envelope)) {
				violations.add(violation(prefix + violation.pointer(), violation.message(), single, i));
			}
		}
		if (!violations.isEmpty()) {
			return new Answer(400, Problem.CONTENT_TYPE, Problem.json(400, "Bad Request",
					violations.size() + " invalid field(s); nothing was stored.", Map.of("violations", violations)),
					null);
		}
		return store(items, occurredAtGiven, single);
	}

	private Answer store(List<JsonNode> envelopes, boolean[] occurredAtGiven, boolean single) {
		List<IngestionRepository.Stored> stored = new ArrayList<>();
		List<String> conflicts = new ArrayList<>();
		this.transactions.executeWithoutResult(status -> {
			for (int i = 0; i < envelopes.size(); i++) {
				IngestionRepository.Stored result = this.repository.insert(envelopes.get(i), occurredAtGiven[i]);
				stored.add(result);
				if (result.conflict()) {
					conflicts.add(result.eventId());
				}
			}
			if (!conflicts.isEmpty()) {
				status.setRollbackOnly();
			}
		});
		if (!conflicts.isEmpty()) {
			return new Answer(409, Problem.CONTENT_TYPE, Problem.json(409, "Conflict",
					"An event with the same eventId but other content exists; nothing was stored.",
					Map.of("eventIds", conflicts)), null);
		}
		List<Map<String, Object>> accepted = stored.stream()
			.map(result -> Map.<String, Object>of("eventId", result.eventId(), "status", result.status()))
			.toList();
		boolean anyCreated = stored.stream().anyMatch(IngestionRepository.Stored::created);
		String location = single ? IngestionRoutes.EVENTS_PATH + "/" + stored.get(0).eventId() : null;
		return new Answer(anyCreated ? 202 : 200, "application/json", Json.write(Map.of("accepted", accepted)),
				location);
	}

	private static Map<String, Object> violation(String pointer, String message, boolean single, int index) {
		Map<String, Object> violation = new LinkedHashMap<>();
		violation.put("pointer", pointer);
		violation.put("message", message);
		if (!single) {
			violation.put("index", index);
		}
		return violation;
	}

	static Answer problem(int status, String title, String detail) {
		return new Answer(status, Problem.CONTENT_TYPE, Problem.json(status, title, detail, Map.of()), null);
	}

	/**
	 * An HTTP answer.
	 *
	 * @param status the status code
	 * @param contentType its content type
	 * @param body the JSON body
	 * @param location the Location header, or null
	 */
	record Answer(int status, String contentType, String body, String location) {
	}

}
