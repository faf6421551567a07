package com.ecommerce.eventhub.ops;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import com.ecommerce.eventhub.config.OpsProperties;
import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.outbox.OutboxStore;
import com.ecommerce.eventhub.topology.TopologyConfiguration;
import com.ecommerce.eventhub.web.Callers;
import com.ecommerce.eventhub.web.HttpAnswers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.stereotype.Component;

/**
 * Dead-letter operations: {@code GET /api/v1/dead-letters},
 * {@code POST /api/v1/dead-letters/replay} and {@code /discard} (admin API keys), the
 * depth check behind the gauge and the health indicator, and the archiver that moves
 * expired dead letters into {@code dead_letter_archive}.
 */
@Component
class DeadLetterOpsRoutes extends EndpointRouteBuilder {

	private static final int DEFAULT_LIST_LIMIT = 100;

	private static final String RELAY_ROUTE = "outbox-relay";

	private final ObjectMapper mapper = EnvelopeJson.mapper();

	private final DeadLetterQueue queue;

	private final DeadLetterMonitor monitor;

	private final DeadLetterArchiver archiver;

	private final TopologyProperties topology;

	private final Duration depthInterval;

	private final OutboxStore outbox;

	DeadLetterOpsRoutes(DeadLetterQueue queue, DeadLetterMonitor monitor, DeadLetterArchiver archiver,
			TopologyProperties topology, OpsProperties ops, OutboxStore outbox) {
		this.outbox = outbox;
		this.queue = queue;
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

	/**
	 * Replays or discards the dead letters the request names, and marks relay ones
	 * handled.
	 */
	private void handle(Exchange exchange, boolean replay) throws Exception {
		if (!Callers.requireAdmin(exchange)) {
			return;
		}
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
		String eventId = request.path("eventId").isTextual() ? request.path("eventId").textValue() : null;
		String eventType = request.path("eventType").isTextual() ? request.path("eventType").textValue() : null;
		boolean all = request.path("all").isBoolean() && request.path("all").booleanValue();
		if (!request.isObject() || (eventId == null && eventType == null && !all)) {
			problem(exchange, 400, "Bad Request",
					"Say which: {\"eventId\": \"...\"}, {\"eventType\": \"...\"} or {\"all\": true}.");
			return;
		}
		Predicate<DeadLetterView> filter = view -> (eventId == null || eventId.equals(view.eventId()))
				&& (eventType == null || eventType.equals(view.eventType()))
				// A relay dead letter is an envelope that failed validation: replaying it
				// would publish
				// an invalid event. Fix the producer and write the event again, or
				// discard it.
				&& !(replay && RELAY_ROUTE.equals(view.failedRoute()));
		Map<String, Object> answer = new LinkedHashMap<>();
		List<DeadLetterView> done;
		try {
			done = replay ? replay(filter, answer) : discard(filter, answer);
		}
		catch (IOException ex) {
			// What was replayed or discarded before the failure is done and acknowledged;
			// the rest stays.
			brokerUnavailable(exchange, ex);
			return;
		}
		for (DeadLetterView view : done) {
			// The DEAD outbox row of a relay dead letter is handled once the dead letter
			// is: retention may
			// delete it after hub.retention.dead.
			if (RELAY_ROUTE.equals(view.failedRoute()) && isUuid(view.eventId())) {
				this.outbox.markDeadHandled(UUID.fromString(view.eventId()));
			}
		}
		this.monitor.refresh();
		json(exchange, 200, answer);
	}

	private List<DeadLetterView> replay(Predicate<DeadLetterView> filter, Map<String, Object> answer)
			throws IOException {
		DeadLetterQueue.ReplayResult result = this.queue.replay(filter);
		answer.put("replayed", result.replayed().size());
		answer.put("eventIds", eventIds(result.replayed()));
		answer.put("unroutable", result.unroutable().size());
		answer.put("unroutableEventIds", eventIds(result.unroutable()));
		return result.replayed();
	}

	private List<DeadLetterView> discard(Predicate<DeadLetterView> filter, Map<String, Object> answer)
			throws IOException {
		List<DeadLetterView> discarded = this.queue.discard(filter, this.archiver);
		answer.put("discarded", discarded.size());
		answer.put("eventIds", eventIds(discarded));
		return discarded;
	}

	private static void brokerUnavailable(Exchange exchange, IOException failure) {
		HttpAnswers.problem(exchange, 503, "Service Unavailable",
				"RabbitMQ could not be used: " + failure.getMessage() + ". Try again.");
	}

	/** The eventIds of dead letters; one without a message id is listed as null. */
	private static List<String> eventIds(List<DeadLetterView> views) {
		return views.stream().map(DeadLetterView::eventId).collect(java.util.stream.Collectors.toList());
	}

	private static boolean isUuid(String text) {
		try {
			return text != null && text.length() == 36 && UUID.fromString(text).toString().equalsIgnoreCase(text);
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	private static void json(Exchange exchange, int status, Object body) {
		HttpAnswers.json(exchange, status, body);
	}

	private static void problem(Exchange exchange, int status, String title, String detail) {
		HttpAnswers.problem(exchange, status, title, detail);
	}

}
