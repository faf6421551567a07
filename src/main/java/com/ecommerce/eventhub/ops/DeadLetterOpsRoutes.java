package com.ecommerce.eventhub.ops;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.topology.TopologyConfiguration;
import com.ecommerce.eventhub.web.Problem;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.apache.camel.Exchange;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Dead-letter operations: {@code GET /api/v1/dead-letters} and
 * {@code POST /api/v1/dead-letters/replay} (admin API keys), the depth check behind the gauge and
 * the health indicator, and the archiver that moves expired dead letters into
 * {@code dead_letter_archive}.
 */
@Component
class DeadLetterOpsRoutes extends EndpointRouteBuilder {

	private static final int DEFAULT_LIST_LIMIT = 100;

	private final ObjectMapper mapper = JsonMapper.builder().build();

	private final DeadLetterQueue queue;

	private final DeadLetterMonitor monitor;

	private final DeadLetterArchiver archiver;

	private final TopologyProperties topology;

	private final Duration depthInterval;

	DeadLetterOpsRoutes(DeadLetterQueue queue, DeadLetterMonitor monitor, DeadLetterArchiver archiver,
			TopologyProperties topology, @Value("${hub.ops.dead-letter-check-interval:5s}") Duration depthInterval) {
		this.queue = queue;
		this.monitor = monitor;
		this.archiver = archiver;
		this.topology = topology;
		this.depthInterval = depthInterval;
	}

	@Override
	public void configure() {
		restConfiguration().component("platform-http").bindingMode(RestBindingMode.off);

		rest("/api/v1/dead-letters").get()
			.id("ops-dead-letters-list")
			.produces("application/json")
			.to("direct:ops-dead-letters-list")
			.post("/replay")
			.id("ops-dead-letters-replay")
			.consumes("application/json")
			.produces("application/json")
			.to("direct:ops-dead-letters-replay");

		from(direct("ops-dead-letters-list")).routeId("ops-dead-letters-list-handler")
			.process(this::list);

		from(direct("ops-dead-letters-replay")).routeId("ops-dead-letters-replay-handler")
			.process(this::replay);

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
		Integer limit = exchange.getMessage().getHeader("limit", Integer.class);
		List<DeadLetterView> views = this.queue.list((limit != null && limit > 0) ? limit : DEFAULT_LIST_LIMIT);
		json(exchange, 200, Map.of("count", views.size(), "deadLetters", views));
	}

	private void replay(Exchange exchange) throws Exception {
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
					"Say what to replay: {\"eventId\": \"...\"}, {\"eventType\": \"...\"} or {\"all\": true}.");
			return;
		}
		Predicate<DeadLetterView> filter = view -> (eventId == null || eventId.equals(view.eventId()))
				&& (eventType == null || eventType.equals(view.eventType()));
		List<String> replayed = this.queue.replay(filter);
		this.monitor.refresh();
		json(exchange, 200, Map.of("replayed", replayed.size(), "eventIds", replayed));
	}

	private void json(Exchange exchange, int status, Object body) throws Exception {
		exchange.getMessage().removeHeaders("*");
		exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
		exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
		exchange.getMessage().setBody(this.mapper.writeValueAsString(body));
	}

	private static void problem(Exchange exchange, int status, String title, String detail) {
		exchange.getMessage().removeHeaders("*");
		exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
		exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, Problem.CONTENT_TYPE);
		exchange.getMessage().setBody(Problem.json(status, title, detail, Map.of()));
	}

}
