package com.ecommerce.eventhub.replay;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.web.Callers;
import com.ecommerce.eventhub.web.HttpAnswers;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;

import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * {@code POST /api/v1/replays} (admin API keys): a scoped replay of published events to
 * one consumer route ({@link ScopedReplay}). A dry run answers {@code {"matched": N}}; a
 * replay answers what it sent.
 */
@Component
class ReplayRoutes extends EndpointRouteBuilder {

	private final ScopedReplay replay;

	ReplayRoutes(ScopedReplay replay) {
		this.replay = replay;
	}

	@Override
	public void configure() {
		rest("/api/v1/replays").post()
			.id("ops-replays-create")
			.consumes("application/json")
			.produces("application/json")
			.to("direct:ops-replays-create");
		from(direct("ops-replays-create")).routeId("ops-replays-create-handler").process(this::replay);
	}

	private void replay(Exchange exchange) {
		if (!Callers.requireAdmin(exchange)) {
			return;
		}
		String actor = Callers.require(exchange).name();
		String body = exchange.getMessage().getBody(String.class);
		exchange.getMessage().removeHeaders("*");
		ReplayRequest request;
		try {
			JsonNode json = (body == null || body.isBlank()) ? null : EnvelopeJson.mapper().readTree(body);
			request = ReplayRequest.of(json);
		}
		catch (IOException ex) {
			HttpAnswers.problem(exchange, 400, "Bad Request", "The body is not JSON.");
			return;
		}
		catch (ReplayRequest.InvalidReplayException ex) {
			HttpAnswers.problem(exchange, 400, "Bad Request", ex.getMessage());
			return;
		}
		ScopedReplay.Result result;
		try {
			result = this.replay.replay(actor, "api", request);
		}
		catch (ScopedReplay.UnknownRouteException ex) {
			HttpAnswers.problem(exchange, 404, "Not Found", ex.getMessage());
			return;
		}
		catch (ReplayRequest.InvalidReplayException ex) {
			HttpAnswers.problem(exchange, 400, "Bad Request", ex.getMessage());
			return;
		}
		catch (ScopedReplay.TooManyEventsException ex) {
			HttpAnswers.problem(exchange, 422, "Unprocessable Content", ex.getMessage(),
					Map.of("matched", ex.matched(), "maxEvents", this.replay.maxEvents()));
			return;
		}
		catch (ScopedReplay.ReplayBusyException ex) {
			HttpAnswers.problem(exchange, 409, "Conflict", ex.getMessage());
			return;
		}
		catch (ScopedReplay.ReplayFailedException ex) {
			HttpAnswers.problem(exchange, 503, "Service Unavailable", ex.getMessage(), Map.of("replayed", ex.sent()));
			return;
		}
		catch (DataAccessException ex) {
			HttpAnswers.problem(exchange, 503, "Service Unavailable",
					"The database cannot be read or the audit trail written; nothing was sent after the failure. "
							+ "Try again.");
			return;
		}
		if (result.dryRun()) {
			HttpAnswers.json(exchange, 200, Map.of("matched", result.matched()));
			return;
		}
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("matched", result.matched());
		answer.put("replayed", result.replayed());
		answer.put("skipped", result.skipped().size());
		answer.put("skippedEventIds", result.skipped());
		answer.put("route", result.route());
		answer.put("queues", result.queues());
		answer.put("bypassIdempotency", result.bypassIdempotency());
		HttpAnswers.json(exchange, 200, answer);
	}

}
