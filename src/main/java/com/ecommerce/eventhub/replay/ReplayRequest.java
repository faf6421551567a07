package com.ecommerce.eventhub.replay;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A scoped replay as an operator asks for it. {@code from} and {@code to} bound the
 * events' {@code publishedAt} (when the relay published them: the hub's own clock, always
 * set for a published event), {@code from} inclusive, {@code to} exclusive.
 *
 * @param route the consumer route whose queue gets the events (required)
 * @param eventTypes only these event types; empty for every type the route is bound to
 * @param aggregateId only this aggregate's events, or null
 * @param correlationId only this correlation's events, or null
 * @param from published at or after, or null
 * @param to published before, or null
 * @param dryRun count only, send nothing
 * @param bypassIdempotency make the route handle events it handled before
 */
public record ReplayRequest(String route, List<String> eventTypes, String aggregateId, String correlationId,
		Instant from, Instant to, boolean dryRun, boolean bypassIdempotency) {

	/** Longest route id, event type, aggregate or correlation id accepted. */
	static final int MAX_TEXT = 1_000;

	/** The earliest {@code from} or {@code to} accepted. */
	static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

	/** The latest {@code from} or {@code to} accepted. */
	static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

	/** Most event types one request may name. */
	static final int MAX_TYPES = 100;

	private static final Set<String> FIELDS = Set.of("route", "eventTypes", "aggregateId", "correlationId", "from",
			"to", "dryRun", "bypassIdempotency");

	public ReplayRequest {
		eventTypes = (eventTypes != null) ? List.copyOf(eventTypes) : List.of();
		if (route == null || route.isBlank()) {
			throw new InvalidReplayException("route is required: the id of the consumer route whose queue gets the "
					+ "events (GET /api/v1/routes lists them).");
		}
		if (from != null && to != null && !from.isBefore(to)) {
			throw new InvalidReplayException("from must be before to.");
		}
	}

	/**
	 * Reads a request body. Unknown fields are refused rather than ignored: a misspelt
	 * filter ({@code eventType} for {@code eventTypes}) must not widen a replay to every
	 * event.
	 * @param body the JSON body
	 * @return the request
	 * @throws InvalidReplayException naming what is wrong
	 */
	public static ReplayRequest of(JsonNode body) {
		if (body == null || !body.isObject()) {
			throw new InvalidReplayException("The body must be a JSON object with at least \"route\".");
		}
		Iterator<String> names = body.fieldNames();
		while (names.hasNext()) {
			String name = names.next();
			if (!FIELDS.contains(name)) {
				throw new InvalidReplayException("Unknown field '"
						+ (name.length() <= 100 ? name : name.substring(0, 100))
						+ "'; known: route, eventTypes, aggregateId, correlationId, from, to, dryRun, bypassIdempotency.");
			}
		}
		return new ReplayRequest(text(body, "route"), eventTypes(body.get("eventTypes")), text(body, "aggregateId"),
				text(body, "correlationId"), instant(body, "from"), instant(body, "to"), flag(body, "dryRun"),
				flag(body, "bypassIdempotency"));
	}

	/**
	 * What selected the events, as the audit trail records it.
	 * @return the criteria that are set, and whether idempotency was bypassed
	 */
	public Map<String, Object> describe() {
		Map<String, Object> described = new LinkedHashMap<>();
		described.put("route", this.route);
		if (!this.eventTypes.isEmpty()) {
			described.put("eventTypes", this.eventTypes);
		}
		if (this.aggregateId != null) {
			described.put("aggregateId", this.aggregateId);
		}
		if (this.correlationId != null) {
			described.put("correlationId", this.correlationId);
		}
		if (this.from != null) {
			described.put("from", this.from.toString());
		}
		if (this.to != null) {
			described.put("to", this.to.toString());
		}
		described.put("bypassIdempotency", this.bypassIdempotency);
		return described;
	}

	/**
	 * @param dry whether it is a dry run
	 * @return the same request, dry or not
	 */
	public ReplayRequest withDryRun(boolean dry) {
		return new ReplayRequest(this.route, this.eventTypes, this.aggregateId, this.correlationId, this.from, this.to,
				dry, this.bypassIdempotency);
	}

	private static List<String> eventTypes(JsonNode value) {
		if (value == null || value.isNull()) {
			return List.of();
		}
		if (!value.isArray() || value.size() > MAX_TYPES) {
			throw new InvalidReplayException("eventTypes must be an array of at most " + MAX_TYPES + " event types.");
		}
		List<String> types = new ArrayList<>();
		for (JsonNode type : value) {
			if (!type.isTextual() || type.textValue().isBlank() || type.textValue().length() > MAX_TEXT) {
				throw new InvalidReplayException("eventTypes must be an array of event types (strings).");
			}
			types.add(type.textValue());
		}
		return types;
	}

	private static String text(JsonNode body, String field) {
		JsonNode value = body.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isTextual() || value.textValue().length() > MAX_TEXT) {
			throw new InvalidReplayException(field + " must be a string of at most " + MAX_TEXT + " characters.");
		}
		if (value.textValue().indexOf('\0') >= 0) {
			// PostgreSQL's text cannot hold it: no event has it, and PostgreSQL refuses
			// it
			// as a parameter (the replay answered 503).
			throw new InvalidReplayException(field + " must not contain a NUL character.");
		}
		return value.textValue().isEmpty() ? null : value.textValue();
	}

	private static boolean flag(JsonNode body, String field) {
		JsonNode value = body.get(field);
		if (value == null || value.isNull()) {
			return false;
		}
		if (!value.isBoolean()) {
			throw new InvalidReplayException(field + " must be true or false.");
		}
		return value.booleanValue();
	}

	private static Instant instant(JsonNode body, String field) {
		String text = text(body, field);
		return (text != null) ? instant(field, text) : null;
	}

	/**
	 * @param field the field's name, for the error
	 * @param text an ISO-8601 instant
	 * @return the instant
	 * @throws InvalidReplayException when it is none
	 */
	static Instant instant(String field, String text) {
		Instant instant;
		try {
			instant = Instant.parse(text);
		}
		catch (DateTimeParseException ex) {
			throw new InvalidReplayException(field + " must be an ISO-8601 instant, e.g. 2025-11-18T10:00:00Z.");
		}
		// Instant takes years PostgreSQL's timestamptz does not (up to one billion).
		if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
			throw new InvalidReplayException(field + " must lie between " + EARLIEST + " and " + LATEST + ".");
		}
		return instant;
	}

	/** A request that cannot be carried out as written (400). */
	public static class InvalidReplayException extends RuntimeException {

		public InvalidReplayException(String message) {
			super(message);
		}

	}

}
