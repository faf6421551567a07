package com.ecommerce.eventhub.ops;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.ecommerce.eventhub.config.OpsProperties;
import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.topology.TopologyConfiguration;
import com.ecommerce.eventhub.web.Callers;
import com.ecommerce.eventhub.web.HttpAnswers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Dead-letter operations: {@code GET /api/v1/dead-letters},
 * {@code POST /api/v1/dead-letters/replay} and {@code /discard} (admin API keys, each
 * replay and discard in the audit trail), the depth check behind the gauge and the health
 * indicator, and the archiver that moves expired dead letters into
 * {@code dead_letter_archive}.
 */
@Component
class DeadLetterOpsRoutes extends EndpointRouteBuilder {

	private static final int DEFAULT_LIST_LIMIT = 100;

	/** The most eventIds one request may select, as many as the queue is read at once. */
	private static final int MAX_SELECTED = DeadLetterQueue.MAX_MESSAGES;

	private static final int MAX_CRITERION_LENGTH = 1_000;

	private static final Set<String> FIELDS = Set.of("eventId", "eventIds", "eventType", "failedRoute",
			"exceptionClass", "from", "to", "all");

	private final ObjectMapper mapper = EnvelopeJson.mapper();

	private final DeadLetterQueue queue;

	private final DeadLetterOperations operations;

	private final DeadLetterMonitor monitor;

	private final DeadLetterArchiver archiver;

	private final TopologyProperties topology;

	private final Duration depthInterval;

	DeadLetterOpsRoutes(DeadLetterQueue queue, DeadLetterOperations operations, DeadLetterMonitor monitor,
			DeadLetterArchiver archiver, TopologyProperties topology, OpsProperties ops) {
		this.queue = queue;
		this.operations = operations;
		this.monitor = monitor;
		this.archiver = archiver;
		this.topology = topology;
		this.depthInterval = ops.deadLetterCheckInterval();
	}

	@Override
	public void configure() {

		rest("/api/v1/dead-letters").get()
			.id("ops-dead-letters-list")
			.produces("application/json")
			.to("direct:ops-dead-letters-list")
			.post("/replay")
			.id("ops-dead-letters-replay")
			.consumes("application/json")
			.produces("application/json")
			.to("direct:ops-dead-letters-replay")
			.post("/discard")
			.id("ops-dead-letters-discard")
			.consumes("application/json")
			.produces("application/json")
			.to("direct:ops-dead-letters-discard");

		from(direct("ops-dead-letters-list")).routeId("ops-dead-letters-list-handler").process(this::list);

		from(direct("ops-dead-letters-replay")).routeId("ops-dead-letters-replay-handler")
			.process(exchange -> handle(exchange, true));

		from(direct("ops-dead-letters-discard")).routeId("ops-dead-letters-discard-handler")
			.process(exchange -> handle(exchange, false));

		from(timer("ops-dead-letter-depth").period(this.depthInterval.toMillis()).delay(0))
			.routeId("ops-dead-letter-depth")
			.process(exchange -> this.monitor.refresh());

		from(springRabbitmq("default").queues(TopologyConfiguration.archiveQueue(this.topology))
			.autoDeclare(false)
			.acknowledgeMode(AcknowledgeMode.AUTO)
			.maximumRetryAttempts(0)
			.rejectAndDontRequeue(false)).routeId("ops-dead-letter-archive")
			// Waits for the database rather than dropping an archived dead letter.
			.errorHandler(defaultErrorHandler().maximumRedeliveries(-1).redeliveryDelay(5000).logStackTrace(false))
			// Stores, or parks what the archive table refuses for good; waits while the
			// database is down.
			.process(this.archiver);
	}

	private void list(Exchange exchange) throws Exception {
		if (!Callers.requireAdmin(exchange)) {
			return;
		}
		String limitParameter = exchange.getMessage().getHeader("limit", String.class);
		exchange.getMessage().removeHeaders("*");
		int limit = DEFAULT_LIST_LIMIT;
		if (limitParameter != null) {
			if (!limitParameter.matches("[1-9][0-9]{0,5}")) {
				problem(exchange, 400, "Bad Request",
						"limit must be a number from 1 to " + DeadLetterQueue.MAX_MESSAGES + ".");
				return;
			}
			limit = Math.min(Integer.parseInt(limitParameter), DeadLetterQueue.MAX_MESSAGES);
		}
		List<DeadLetterView> views;
		try {
			views = this.queue.list(limit);
		}
		catch (IOException ex) {
			brokerUnavailable(exchange, ex);
			return;
		}
		json(exchange, 200, Map.of("count", views.size(), "deadLetters", views));
	}

	/** Replays or discards the dead letters the request's filter selects. */
	private void handle(Exchange exchange, boolean replay) throws Exception {
		if (!Callers.requireAdmin(exchange)) {
			return;
		}
		String actor = Callers.require(exchange).name();
		JsonNode request;
		try {
			String body = exchange.getMessage().getBody(String.class);
			request = (body == null || body.isBlank()) ? this.mapper.createObjectNode() : this.mapper.readTree(body);
		}
		catch (java.io.IOException ex) {
			problem(exchange, 400, "Bad Request", "The body is not JSON.");
			return;
		}
		exchange.getMessage().removeHeaders("*");
		DeadLetterFilter filter;
		try {
			filter = filter(request);
		}
		catch (IllegalArgumentException ex) {
			problem(exchange, 400, "Bad Request", ex.getMessage());
			return;
		}
		if (filter.isUnspecified()) {
			problem(exchange, 400, "Bad Request",
					"Say which: {\"eventId\": \"...\"}, {\"eventType\": \"...\"}, {\"failedRoute\": \"...\"}, "
							+ "{\"exceptionClass\": \"...\"}, {\"from\"/\"to\": \"<instant>\"}, {\"eventIds\": [...]} "
							+ "or {\"all\": true}.");
			return;
		}
		Map<String, Object> answer = new LinkedHashMap<>();
		try {
			if (replay) {
				DeadLetterQueue.ReplayResult result = this.operations.replay(actor, "api", filter);
				answer.put("replayed", result.replayed().size());
				answer.put("eventIds", eventIds(result.replayed()));
				answer.put("unroutable", result.unroutable().size());
				answer.put("unroutableEventIds", eventIds(result.unroutable()));
			}
			else {
				List<DeadLetterView> discarded = this.operations.discard(actor, "api", filter);
				answer.put("discarded", discarded.size());
				answer.put("eventIds", eventIds(discarded));
			}
		}
		catch (IOException ex) {
			// What was replayed or discarded before the failure is done and acknowledged;
			// the rest stays.
			brokerUnavailable(exchange, ex);
			return;
		}
		catch (DataAccessException ex) {
			HttpAnswers.problem(exchange, 503, "Service Unavailable",
					"The audit trail cannot be written (database unavailable): nothing was done. Try again.");
			return;
		}
		json(exchange, 200, answer);
	}

	/**
	 * The request's filter: {@code eventId}, {@code eventIds}, {@code eventType},
	 * {@code failedRoute}, {@code exceptionClass}, {@code from}, {@code to}, {@code all}.
	 * @throws IllegalArgumentException naming a field of the wrong type or an unknown one
	 */
	private static DeadLetterFilter filter(JsonNode request) {
		if (!request.isObject()) {
			throw new IllegalArgumentException("The body must be a JSON object.");
		}
		request.fieldNames().forEachRemaining(name -> {
			if (!FIELDS.contains(name)) {
				throw new IllegalArgumentException("Unknown field '" + bounded(name) + "'; known: " + FIELDS + ".");
			}
		});
		Set<String> eventIds = new HashSet<>();
		String eventId = text(request, "eventId");
		if (eventId != null) {
			eventIds.add(eventId);
		}
		JsonNode selected = request.get("eventIds");
		if (selected != null) {
			if (!selected.isArray() || selected.size() > MAX_SELECTED) {
				throw new IllegalArgumentException(
						"eventIds must be an array of at most " + MAX_SELECTED + " strings.");
			}
			for (JsonNode id : selected) {
				if (!id.isTextual() || id.textValue().isBlank() || id.textValue().length() > MAX_CRITERION_LENGTH) {
					throw new IllegalArgumentException("eventIds must be an array of non-empty strings.");
				}
				eventIds.add(id.textValue());
			}
		}
		JsonNode all = request.get("all");
		if (all != null && !all.isBoolean()) {
			throw new IllegalArgumentException("all must be true or false.");
		}
		return new DeadLetterFilter(eventIds, text(request, "eventType"), text(request, "failedRoute"),
				text(request, "exceptionClass"), instant(request, "from"), instant(request, "to"),
				all != null && all.booleanValue());
	}

	private static String text(JsonNode request, String field) {
		JsonNode value = request.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		// An empty criterion matches nothing: refused, so that a form or script that lost
		// its value does not run an operation on nothing and audit it as done.
		if (!value.isTextual() || value.textValue().isBlank() || value.textValue().length() > MAX_CRITERION_LENGTH) {
			throw new IllegalArgumentException(
					field + " must be a non-empty string of at most " + MAX_CRITERION_LENGTH + " characters.");
		}
		return value.textValue();
	}

	private static Instant instant(JsonNode request, String field) {
		String text = text(request, field);
		try {
			return (text != null) ? Instant.parse(text) : null;
		}
		catch (DateTimeParseException ex) {
			throw new IllegalArgumentException(field + " must be an ISO-8601 instant, e.g. 2025-11-18T10:00:00Z.");
		}
	}

	private static String bounded(String text) {
		return (text.length() <= 100) ? text : text.substring(0, 100) + "...";
	}

	private static void brokerUnavailable(Exchange exchange, IOException failure) {
		HttpAnswers.problem(exchange, 503, "Service Unavailable",
				"RabbitMQ could not be used: " + failure.getMessage() + ". Try again.");
	}

	/** The eventIds of dead letters; one without a message id is listed as null. */
	private static List<String> eventIds(List<DeadLetterView> views) {
		return views.stream().map(DeadLetterView::eventId).collect(java.util.stream.Collectors.toList());
	}

	private static void json(Exchange exchange, int status, Object body) {
		HttpAnswers.json(exchange, status, body);
	}

	private static void problem(Exchange exchange, int status, String title, String detail) {
		HttpAnswers.problem(exchange, status, title, detail);
	}

}
