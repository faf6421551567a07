package com.ecommerce.eventhub.audit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.web.Callers;
import com.ecommerce.eventhub.web.HttpAnswers;
import org.apache.camel.Exchange;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;

import org.springframework.stereotype.Component;

/**
 * {@code GET /api/v1/audit?limit=100&before=<id>} (admin API keys): the operator actions,
 * newest first; {@code before} pages back through older ones.
 */
@Component
class AuditRoutes extends EndpointRouteBuilder {

	static final int DEFAULT_LIMIT = 100;

	static final int MAX_LIMIT = 1_000;

	private final OperatorAudit audit;

	AuditRoutes(OperatorAudit audit) {
		this.audit = audit;
	}

	@Override
	public void configure() {
		rest("/api/v1/audit").get().id("ops-audit-list").produces("application/json").to("direct:ops-audit-list");
		from(direct("ops-audit-list")).routeId("ops-audit-list-handler").process(this::list);
	}

	private void list(Exchange exchange) {
		if (!Callers.requireAdmin(exchange)) {
			return;
		}
		String limitParameter = exchange.getMessage().getHeader("limit", String.class);
		String beforeParameter = exchange.getMessage().getHeader("before", String.class);
		exchange.getMessage().removeHeaders("*");
		if (limitParameter != null && !limitParameter.matches("[1-9][0-9]{0,3}")
				|| limitParameter != null && Integer.parseInt(limitParameter) > MAX_LIMIT) {
			HttpAnswers.problem(exchange, 400, "Bad Request", "limit must be a number from 1 to " + MAX_LIMIT + ".");
			return;
		}
		if (beforeParameter != null && !beforeParameter.matches("[1-9][0-9]{0,17}")) {
			HttpAnswers.problem(exchange, 400, "Bad Request", "before must be an action id.");
			return;
		}
		int limit = (limitParameter != null) ? Integer.parseInt(limitParameter) : DEFAULT_LIMIT;
		long before = (beforeParameter != null) ? Long.parseLong(beforeParameter) : Long.MAX_VALUE;
		List<Map<String, Object>> actions = new ArrayList<>();
		for (OperatorAction action : this.audit.newestFirst(before, limit)) {
			actions.add(view(action));
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("count", actions.size());
		body.put("actions", actions);
		HttpAnswers.json(exchange, 200, body);
	}

	private static Map<String, Object> view(OperatorAction action) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", action.id());
		view.put("at", action.at());
		view.put("actor", action.actor());
		view.put("channel", action.channel());
		view.put("action", action.action());
		view.put("target", action.target());
		view.put("filter", filter(action.filter()));
		view.put("affected", action.affected());
		view.put("outcome", action.outcome());
		return view;
	}

	/** The stored filter as JSON again (it was written by the hub as JSON). */
	private static Object filter(String json) {
		if (json == null) {
			return null;
		}
		try {
			return EnvelopeJson.mapper().readTree(json);
		}
		catch (IOException ex) {
			return json;
		}
	}

}
