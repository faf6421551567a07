package com.ecommerce.eventhub.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.ecommerce.eventhub.outbox.EventLookup;
import com.ecommerce.eventhub.outbox.StoredEvent;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.dao.DataAccessException;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * Event lookup: by eventId (the outbox row with status, attempts, last error, published
 * time, payload, and the chain the hub built from it, e.g. order.placed →
 * email.notification-requested → email.sent, linked by causationId), or every row of an
 * aggregateId or a correlationId. Read-only ({@link EventLookup}).
 */
@Controller
class EventPages {

	/** Rows one lookup shows at most. */
	static final int MAX_ROWS = 200;

	private static final int MAX_QUERY = 300;

	private final ConsolePages pages;

	private final EventLookup lookup;

	EventPages(ConsolePages pages, EventLookup lookup) {
		this.pages = pages;
		this.lookup = lookup;
	}

	@GetMapping("/console/events")
	ResponseEntity<String> lookup(HttpServletRequest request) {
		ConsoleSession session = ConsoleRequests.session(request);
		String by = request.getParameter("by");
		String q = request.getParameter("q");
		q = (q != null) ? q.trim() : "";
		by = (by != null) ? by : "eventId";
		Map<String, Object> model = new HashMap<>();
		model.put("q", ConsoleRequests.cut(q, MAX_QUERY));
		model.put("byEventId", by.equals("eventId"));
		model.put("byAggregateId", by.equals("aggregateId"));
		model.put("byCorrelationId", by.equals("correlationId"));
		if (q.isEmpty()) {
			return this.pages.page(200, "events", "Event lookup", session, model);
		}
		if (q.length() > MAX_QUERY) {
			model.put("error", "The value is longer than " + MAX_QUERY + " characters.");
			return this.pages.page(400, "events", "Event lookup", session, model);
		}
		try {
			switch (by) {
				case "eventId" -> {
					Optional<UUID> eventId = EventLookup.uuid(q);
					if (eventId.isEmpty()) {
						model.put("error", "An eventId is a UUID, e.g. 4f1c1f0e-8c1e-4a53-9a55-8a0f3f6f2b11.");
						return this.pages.page(400, "events", "Event lookup", session, model);
					}
					Optional<StoredEvent> event = this.lookup.byEventId(eventId.get());
					if (event.isEmpty()) {
						model.put("searched", true);
						model.put("count", 0);
						model.put("rows", List.of());
						return this.pages.page(404, "events", "Event lookup", session, model);
					}
					return event(session, event.get());
				}
				case "aggregateId", "correlationId" -> {
					List<StoredEvent> rows = by.equals("aggregateId") ? this.lookup.byAggregateId(q, MAX_ROWS)
							: this.lookup.byCorrelationId(q, MAX_ROWS);
					model.put("searched", true);
					model.put("count", rows.size());
					model.put("limited", rows.size() >= MAX_ROWS);
					model.put("rows", rows(rows, null));
					return this.pages.page(200, "events", "Event lookup", session, model);
				}
				default -> {
					model.put("error", "Look up by eventId, aggregateId or correlationId.");
					return this.pages.page(400, "events", "Event lookup", session, model);
				}
			}
		}
		catch (DataAccessException ex) {
			return this.pages.error(503, session,
					"The outbox cannot be read now (database unavailable or the " + "lookup took too long). Try again.",
					"/console/events");
		}
	}

	private ResponseEntity<String> event(ConsoleSession session, StoredEvent event) {
		Map<String, Object> model = new HashMap<>();
		model.put("event", event);
		model.put("statusClass", event.status());
		model.put("lastError", ConsoleRequests.visible((event.lastError() != null) ? event.lastError() : ""));
		model.put("occurredAt", ConsoleRequests.time(event.occurredAt()));
		model.put("createdAt", ConsoleRequests.time(event.createdAt()));
		model.put("publishedAt", ConsoleRequests.time(event.publishedAt()));
		model.put("metadata", pretty(event.metadata()));
		model.put("payload",
				event.payloadTruncated() ? ConsoleRequests.visible(event.payload()) : pretty(event.payload()));
		model.put("payloadTruncated", event.payloadTruncated());
		model.put("payloadShown", (event.payload() != null) ? event.payload().length() : 0);
		EventLookup.uuid(event.causationId())
			.ifPresent(cause -> model.put("causationLink", "/console/events?by=eventId&q=" + cause));
		if (event.correlationId() != null) {
			model.put("correlationLink", "/console/events?by=correlationId&q="
					+ URLEncoder.encode(event.correlationId(), StandardCharsets.UTF_8));
		}
		model.put("rows", rows(this.lookup.chain(event, MAX_ROWS), event.eventId()));
		return this.pages.page(200, "event", event.eventType() + " " + event.eventId(), session, model);
	}

	private static List<Map<String, Object>> rows(List<StoredEvent> events, UUID current) {
		List<Map<String, Object>> rows = new ArrayList<>();
		for (StoredEvent event : events) {
			Map<String, Object> row = new HashMap<>();
			row.put("id", event.id());
			row.put("eventId", event.eventId());
			row.put("current", event.eventId().equals(current));
			row.put("eventType", event.eventType());
			row.put("eventVersion", event.eventVersion());
			row.put("aggregateType", event.aggregateType());
			row.put("aggregateId", ConsoleRequests.cut(event.aggregateId(), 60));
			row.put("aggregateIdParam", URLEncoder.encode(event.aggregateId(), StandardCharsets.UTF_8));
			row.put("status", event.status());
			row.put("statusClass", event.status());
			row.put("attempts", event.attempts());
			row.put("publishedAt", ConsoleRequests.time(event.publishedAt()));
			row.put("causationId", ConsoleRequests.cut(event.causationId(), 60));
			row.put("causationLink", EventLookup.uuid(event.causationId()).isPresent());
			row.put("causationShort", (event.causationId() != null && event.causationId().length() > 8)
					? event.causationId().substring(0, 8) + "…" : event.causationId());
			row.put("lastError", ConsoleRequests.cut(event.lastError(), 300));
			rows.add(row);
		}
		return rows;
	}

	private static String pretty(String json) {
		if (json == null) {
			return "";
		}
		String pretty = DeadLetterPages.pretty(json);
		return ConsoleRequests.visible((pretty != null) ? pretty : json);
	}

}
