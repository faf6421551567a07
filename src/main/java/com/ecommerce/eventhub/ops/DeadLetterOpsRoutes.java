package com.ecommerce.eventhub.ops;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

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
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Dead-letter operations: {@code GET /api/v1/dead-letters}, {@code POST /api/v1/dead-letters/replay}
 * and {@code /discard} (admin API keys), the depth check behind the gauge and
 * the health indicator, and the archiver that moves expired dead letters into
 * {@code dead_letter_archive}.
 */
@Component
class DeadLetterOpsRoutes extends EndpointRouteBuilder {

	private static final int DEFAULT_LIST_LIMIT = 100;

	private static final String RELAY_ROUTE = "outbox-relay";

	// The DEAD outbox row of a relay dead letter is handled once the dead letter is: housekeeping
	// may delete it after hub.retention.dead.
	private static final String MARK_HANDLED = """
			UPDATE outbox_event SET handled_at = now()
			WHERE event_id = ?::uuid AND status = 'DEAD' AND handled_at IS NULL""";

	private final ObjectMapper mapper = EnvelopeJson.mapper();

	private final DeadLetterQueue queue;

	private final DeadLetterMonitor monitor;

	private final DeadLetterArchiver archiver;

	private final TopologyProperties topology;

	private final Duration depthInterval;

	private final JdbcTemplate jdbc;

	DeadLetterOpsRoutes(DeadLetterQueue queue, DeadLetterMonitor monitor, DeadLetterArchiver archiver,
			TopologyProperties topology, @Value("${hub.ops.dead-letter-check-interval:5s}") Duration depthInterval,
			JdbcTemplate jdbc) {
		this.jdbc = jdbc;
		this.queue = queue;
		this.monitor = monitor;
		this.archiver = archiver;
		this.topology = topology;
		this.depthInterval = depthInterval;
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

		from(direct("ops-dead-letters-list")).routeId("ops-dead-letters-list-handler")
			.process(this::list);

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
			.rejectAndDontRequeue(false))
			.routeId("ops-dead-letter-archive")
			// Waits for the database rather than dropping an archived dead letter.
			.errorHandler(defaultErrorHandler().maximumRedeliveries(-1).redeliveryDelay(5000).logStackTrace(false))
			.process(this.archiver);
	}

	private void list(Exchange exchange) throws Exception {
		if (!Callers.requireAdmin(exchange)) {
			return;
		}
		Integer limit = exchange.getMessage().getHeader("limit", Integer.class);
		List<DeadLetterView> views = this.queue.list((limit != null && limit > 0) ? limit : DEFAULT_LIST_LIMIT);
		json(exchange, 200, Map.of("count", views.size(), "deadLetters", views));
	}

	/** Replays or discards the dead letters the request names, and marks relay ones handled. */
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
		String eventId = request.path("eventId").asText(null);
		String eventType = request.path("eventType").asText(null);
		boolean all = request.path("all").asBoolean(false);
		if (eventId == null && eventType == null && !all) {
			problem(exchange, 400, "Bad Request",
					"Say which: {\"eventId\": \"...\"}, {\"eventType\": \"...\"} or {\"all\": true}.");
			return;
		}
		Predicate<DeadLetterView> filter = view -> (eventId == null || eventId.equals(view.eventId()))
				&& (eventType == null || eventType.equals(view.eventType()))
				// A relay dead letter is an envelope that failed validation: replaying it would publish
				// an invalid event. Fix the producer and write the event again, or discard it.
				&& !(replay && RELAY_ROUTE.equals(view.failedRoute()));
		List<DeadLetterView> done = replay ? this.queue.replay(filter) : this.queue.discard(filter, this.archiver);
		for (DeadLetterView view : done) {
			if (RELAY_ROUTE.equals(view.failedRoute()) && view.eventId() != null) {
				this.jdbc.update(MARK_HANDLED, view.eventId());
			}
		}
		this.monitor.refresh();
		List<String> eventIds = done.stream().map(DeadLetterView::eventId).toList();
		json(exchange, 200, Map.of(replay ? "replayed" : "discarded", done.size(), "eventIds", eventIds));
	}

	private static void json(Exchange exchange, int status, Object body) {
		HttpAnswers.json(exchange, status, body);
	}

	private static void problem(Exchange exchange, int status, String title, String detail) {
		HttpAnswers.problem(exchange, status, title, detail);
	}

}
