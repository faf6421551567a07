package com.ecommerce.eventhub.console;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.ops.DeadLetterFilter;
import com.ecommerce.eventhub.ops.DeadLetterMessage;
import com.ecommerce.eventhub.ops.DeadLetterOperations;
import com.ecommerce.eventhub.ops.DeadLetterQueue;
import com.ecommerce.eventhub.ops.DeadLetterView;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.dao.DataAccessException;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;

/**
 * The dead-letter pages: the list with its filter (event type, failed route, exception
 * class, time), one dead letter opened (failure headers, AMQP properties, the body
 * pretty-printed), and replay or discard of one, a selection or everything matching,
 * always through a confirmation page that says how many. The work itself is
 * {@link DeadLetterOperations}', the same as the HTTP API's, audited with channel
 * {@code console}.
 */
@Controller
class DeadLetterPages {

	/** Dead letters listed on one page at most. */
	static final int SHOWN = 500;

	private static final int MAX_FILTER_TEXT = 1_000;

	private static final List<String> FILTER_FIELDS = List.of("eventType", "failedRoute", "exceptionClass", "from",
			"to");

	private final ConsolePages pages;

	private final DeadLetterOperations operations;

	private final TopologyProperties topology;

	DeadLetterPages(ConsolePages pages, DeadLetterOperations operations, TopologyProperties topology) {
		this.pages = pages;
		this.operations = operations;
		this.topology = topology;
	}

	@GetMapping("/console/dead-letters")
	ResponseEntity<String> list(HttpServletRequest request) {
		ConsoleSession session = ConsoleRequests.session(request);
		Map<String, String> criteria = new LinkedHashMap<>();
		try {
			FILTER_FIELDS.forEach(field -> criteria.put(field, bounded(request.getParameter(field))));
		}
		catch (IllegalArgumentException ex) {
			return this.pages.error(400, session, ex.getMessage(), "/console/dead-letters");
		}
		Map<String, Object> model = new HashMap<>();
		model.put("filter", criteria);
		model.put("exchange", this.topology.exchange());
		DeadLetterFilter filter;
		try {
			filter = filter(criteria, Set.of());
		}
		catch (IllegalArgumentException ex) {
			model.put("error", ex.getMessage());
			filter = null;
		}
		DeadLetterOperations.Listing listing;
		try {
			listing = this.operations.list(filter, SHOWN);
		}
		catch (IOException ex) {
			return brokerUnavailable(session, ex);
		}
		List<Map<String, Object>> rows = new ArrayList<>();
		for (DeadLetterView view : listing.deadLetters()) {
			rows.add(row(view));
		}
		model.put("deadLetters", rows);
		model.put("hasDeadLetters", !rows.isEmpty());
		model.put("matched", listing.matched());
		model.put("scanned", listing.scanned());
		model.put("shown", rows.size());
		model.put("limited", listing.matched() > rows.size());
		model.put("capped", listing.scanned() >= DeadLetterQueue.MAX_MESSAGES);
		model.put("filterFields", hidden(criteria));
		return this.pages.page(200, "dead-letters", "Dead letters", session, model);
	}

	@GetMapping("/console/dead-letter")
	ResponseEntity<String> open(HttpServletRequest request) {
		ConsoleSession session = ConsoleRequests.session(request);
		String eventId = request.getParameter("eventId");
		if (eventId == null || eventId.isEmpty() || eventId.length() > MAX_FILTER_TEXT) {
			return this.pages.error(400, session, "Say which dead letter: ?eventId=…", "/console/dead-letters");
		}
		List<DeadLetterMessage> messages;
		try {
			messages = this.operations.inspect(eventId);
		}
		catch (IOException ex) {
			return brokerUnavailable(session, ex);
		}
		List<Map<String, Object>> shown = new ArrayList<>();
		for (DeadLetterMessage message : messages) {
			shown.add(opened(message));
		}
		Map<String, Object> model = new HashMap<>();
		model.put("eventId", eventId);
		model.put("messages", shown);
		model.put("hasMessages", !shown.isEmpty());
		if (isUuid(eventId)) {
			model.put("outboxLink", "/console/events?by=eventId&q=" + eventId);
		}
		return this.pages.page(200, "dead-letter", "Dead letter " + ConsoleRequests.cut(eventId, 60), session, model);
	}

	/**
	 * Replay or discard ({@code op}: {@code replay-selected}, {@code discard-selected},
	 * {@code replay-matching}, {@code discard-matching}). Without {@code confirmed} it
	 * only counts and asks; with it, it acts.
	 */
	@PostMapping("/console/dead-letters/action")
	ResponseEntity<String> act(HttpServletRequest request) {
		ConsoleSession session = ConsoleRequests.session(request);
		FormBody form = ConsoleRequests.form(request);
		String op = form.get("op");
		if (op == null || !List.of("replay-selected", "discard-selected", "replay-matching", "discard-matching")
			.contains(op)) {
			return this.pages.error(400, session, "Unknown dead-letter action.", "/console/dead-letters");
		}
		boolean replay = op.startsWith("replay");
		boolean selected = op.endsWith("selected");
		Map<String, String> criteria = new LinkedHashMap<>();
		Set<String> eventIds = new LinkedHashSet<>();
		DeadLetterFilter filter;
		try {
			FILTER_FIELDS.forEach(field -> criteria.put(field, bounded(form.get(field))));
			if (selected) {
				for (String id : form.all("eventId")) {
					eventIds.add(requireBounded(id));
				}
				if (eventIds.isEmpty()) {
					return this.pages.error(400, session, "Select at least one dead letter.", "/console/dead-letters");
				}
				filter = new DeadLetterFilter(eventIds, null, null, null, null, null, false);
			}
			else {
				filter = filter(criteria, Set.of());
			}
		}
		catch (IllegalArgumentException ex) {
			return this.pages.error(400, session, ex.getMessage(), "/console/dead-letters");
		}
		try {
			if (!"yes".equals(form.get("confirmed"))) {
				return confirm(session, filter, replay, selected, criteria, eventIds);
			}
			return replay ? replay(session, filter) : discard(session, filter);
		}
		catch (IOException ex) {
			return brokerUnavailable(session, ex);
		}
		catch (DataAccessException ex) {
			return this.pages.error(503, session,
					"The audit trail cannot be written (database unavailable): nothing was done. Try again.",
					"/console/dead-letters");
		}
	}

	private ResponseEntity<String> confirm(ConsoleSession session, DeadLetterFilter filter, boolean replay,
			boolean selected, Map<String, String> criteria, Set<String> eventIds) throws IOException {
		long count = this.operations.countMatching(filter, replay);
		String verb = replay ? "Replay" : "Discard";
		List<String> details = new ArrayList<>();
		if (selected) {
			details.add(eventIds.size() + " selected: " + ConsoleRequests.cut(String.join(", ", eventIds), 300));
		}
		else {
			filter.describe().forEach((name, value) -> details.add(name + " = " + value));
		}
		details.add(replay
				? "Each goes back to " + this.topology.exchange()
						+ " with its original routing key; dead letters of outbox-relay are left out."
				: "Each is moved to the dead-letter archive (a table) and removed from the queue.");
		List<Map<String, String>> fields = new ArrayList<>();
		fields.add(Map.of("name", "op", "value",
				(replay ? "replay" : "discard") + (selected ? "-selected" : "-matching")));
		if (selected) {
			eventIds.forEach(id -> fields.add(Map.of("name", "eventId", "value", id)));
		}
		else {
			fields.addAll(hidden(criteria));
		}
		Map<String, Object> model = new HashMap<>();
		model.put("question", verb + " " + count + ((count == 1) ? " dead letter?" : " dead letters?"));
		model.put("details", details);
		model.put("hasDetails", true);
		model.put("nothing", count == 0);
		model.put("action", "/console/dead-letters/action");
		model.put("fields", fields);
		model.put("button", verb + " " + count);
		model.put("danger", !replay);
		model.put("back", "/console/dead-letters");
		return this.pages.page(200, "confirm", verb + " dead letters", session, model);
	}

	private ResponseEntity<String> replay(ConsoleSession session, DeadLetterFilter filter) throws IOException {
		DeadLetterQueue.ReplayResult result = this.operations.replay(session.keyName(), "console", filter);
		Map<String, Object> model = result(result.replayed().size() + " dead letters replayed.",
				eventIds(result.replayed()), "Replayed events");
		if (!result.unroutable().isEmpty()) {
			model.put("warning", result.unroutable().size()
					+ " stayed dead letters: no queue is bound to their routing key (or they have none).");
		}
		return this.pages.page(200, "result", "Dead letters replayed", session, model);
	}

	private ResponseEntity<String> discard(ConsoleSession session, DeadLetterFilter filter) throws IOException {
		List<DeadLetterView> discarded = this.operations.discard(session.keyName(), "console", filter);
		Map<String, Object> model = result(discarded.size() + " dead letters discarded into the archive.",
				eventIds(discarded), "Discarded events");
		return this.pages.page(200, "result", "Dead letters discarded", session, model);
	}

	private static Map<String, Object> result(String message, List<String> items, String itemsLabel) {
		Map<String, Object> model = new HashMap<>();
		model.put("message", message);
		model.put("items", items);
		model.put("hasItems", !items.isEmpty());
		model.put("itemsLabel", itemsLabel);
		model.put("back", "/console/dead-letters");
		model.put("backLabel", "Dead letters");
		return model;
	}

	private static List<String> eventIds(List<DeadLetterView> views) {
		return views.stream().map(view -> ConsoleRequests.cut(view.eventId(), 100)).toList();
	}

	/**
	 * The filter of the page's criteria; none set means every dead letter.
	 * @throws IllegalArgumentException for a time that is no ISO-8601 instant
	 */
	static DeadLetterFilter filter(Map<String, String> criteria, Set<String> eventIds) {
		Instant from = instant("from", criteria.get("from"));
		Instant to = instant("to", criteria.get("to"));
		if (from != null && to != null && !from.isBefore(to)) {
			throw new IllegalArgumentException("'from' must be before 'to'.");
		}
		DeadLetterFilter filter = new DeadLetterFilter(eventIds, criteria.get("eventType"), criteria.get("failedRoute"),
				criteria.get("exceptionClass"), from, to, false);
		return filter.isUnspecified() ? DeadLetterFilter.ALL : filter;
	}

	private static Instant instant(String field, String text) {
		if (text == null) {
			return null;
		}
		try {
			return Instant.parse(text);
		}
		catch (DateTimeParseException ex) {
			throw new IllegalArgumentException(
					"'" + field + "' must be an ISO-8601 instant such as 2025-11-18T10:00:00Z.");
		}
	}

	private static List<Map<String, String>> hidden(Map<String, String> criteria) {
		List<Map<String, String>> fields = new ArrayList<>();
		criteria.forEach((name, value) -> {
			if (value != null) {
				fields.add(Map.of("name", name, "value", value));
			}
		});
		return fields;
	}

	private static Map<String, Object> row(DeadLetterView view) {
		Map<String, Object> row = new HashMap<>();
		String eventId = (view.eventId() != null) ? view.eventId() : "";
		row.put("eventId", eventId);
		row.put("eventIdParam", URLEncoder.encode(eventId, StandardCharsets.UTF_8));
		row.put("eventIdShown", eventId.isEmpty() ? "(no message id)" : ConsoleRequests.cut(eventId, 40));
		row.put("eventType", ConsoleRequests.cut(view.eventType(), 80));
		row.put("failedRoute", ConsoleRequests.cut(view.failedRoute(), 80));
		String exception = (view.exceptionClass() != null) ? view.exceptionClass() : "";
		row.put("exceptionClass", ConsoleRequests.cut(exception, 300));
		row.put("exceptionShort", ConsoleRequests.cut(exception.substring(exception.lastIndexOf('.') + 1), 80));
		row.put("exceptionMessage", ConsoleRequests.cut(view.exceptionMessage(), 200));
		row.put("attempts", (view.attempts() != null) ? view.attempts() : "");
		row.put("failedAt", ConsoleRequests.cut(view.failedAt(), 40));
		return row;
	}

	private static Map<String, Object> opened(DeadLetterMessage message) {
		Map<String, Object> model = new HashMap<>();
		model.put("view", message.view());
		model.put("exceptionMessage", ConsoleRequests.visible(nullToEmpty(message.view().exceptionMessage())));
		model.put("properties", pairs(message.properties()));
		model.put("headers", pairs(message.headers()));
		model.put("bodySize", message.bodySize());
		model.put("shownSize", message.body().length);
		model.put("truncated", message.truncated());
		String text = new String(message.body(), StandardCharsets.UTF_8);
		String pretty = message.truncated() ? null : pretty(text);
		model.put("json", pretty != null);
		model.put("body", ConsoleRequests.visible((pretty != null) ? pretty : text));
		return model;
	}

	/** The body indented when it is JSON the hub's limits take, else null. */
	static String pretty(String text) {
		try {
			JsonNode json = EnvelopeJson.mapper().readTree(text);
			return (json != null) ? EnvelopeJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json)
					: null;
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	private static List<Map<String, String>> pairs(Map<String, String> values) {
		List<Map<String, String>> pairs = new ArrayList<>();
		values.forEach((name, value) -> pairs
			.add(Map.of("name", ConsoleRequests.visible(name), "value", ConsoleRequests.visible(nullToEmpty(value)))));
		return pairs;
	}

	private static String nullToEmpty(String text) {
		return (text != null) ? text : "";
	}

	private static String bounded(String value) {
		if (value == null || value.isBlank()) {
			return null;
		}
		return requireBounded(value.trim());
	}

	private static String requireBounded(String value) {
		if (value.length() > MAX_FILTER_TEXT) {
			throw new IllegalArgumentException("A filter value is longer than " + MAX_FILTER_TEXT + " characters.");
		}
		return value;
	}

	private static boolean isUuid(String text) {
		return text.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
	}

	private ResponseEntity<String> brokerUnavailable(ConsoleSession session, IOException ex) {
		return this.pages.error(503, session, "RabbitMQ cannot be reached (" + ConsoleRequests.cut(ex.getMessage(), 200)
				+ "); what was done before the failure stays done. Try again.", "/console/dead-letters");
	}

}
