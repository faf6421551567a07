package com.ecommerce.eventhub.routes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.ecommerce.eventhub.config.RoutesProperties;
import com.ecommerce.eventhub.web.Callers;
import com.ecommerce.eventhub.web.HttpAnswers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;

import org.springframework.stereotype.Component;

/**
 * The route folder watcher ({@code routes-file-watcher}, every
 * {@code hub.routes.poll-interval}) and the route operations: {@code GET /api/v1/routes},
 * {@code POST /api/v1/routes/{id}/stop} and {@code /start} (admin API keys). There is
 * deliberately no endpoint that uploads route code.
 */
@Component
class RouteOpsRoutes extends EndpointRouteBuilder {

	private static final List<String> POLICY = List.of("maximumAttempts", "initialDelay", "multiplier", "maxDelay",
			"attemptTimeout");

	/** The ids of this API's own routes. */
	private static final String OWN_ROUTES = "ops-routes-";

	private final RouteFiles files;

	private final RoutesProperties properties;

	private final MeterRegistry meters;

	RouteOpsRoutes(RouteFiles files, RoutesProperties properties, MeterRegistry meters) {
		this.files = files;
		this.properties = properties;
		this.meters = meters;
	}

	@Override
	public void configure() {
		from(timer("routes-file-watcher").period(this.properties.pollInterval().toMillis()).delay(0))
			.routeId("routes-file-watcher")
			.autoStartup(this.properties.enabled())
			.process(exchange -> this.files.scan());

		rest("/api/v1/routes").get()
			.id("ops-routes-list")
			.produces("application/json")
			.to("direct:ops-routes-list")
			.post("/{routeId}/stop")
			.id("ops-routes-stop")
			.produces("application/json")
			.to("direct:ops-routes-stop")
			.post("/{routeId}/start")
			.id("ops-routes-start")
			.produces("application/json")
			.to("direct:ops-routes-start");

		from(direct("ops-routes-list")).routeId("ops-routes-list-handler").process(this::list);
		from(direct("ops-routes-stop")).routeId("ops-routes-stop-handler")
			.process(exchange -> control(exchange, false));
		from(direct("ops-routes-start")).routeId("ops-routes-start-handler")
			.process(exchange -> control(exchange, true));
	}

	private void list(Exchange exchange) throws Exception {
		if (!Callers.requireAdmin(exchange)) {
			return;
		}
		Model model = getContext().getCamelContextExtension().getContextPlugin(Model.class);
		List<Map<String, Object>> routes = new ArrayList<>();
		for (Route route : getContext().getRoutes()) {
			Map<String, Object> view = new LinkedHashMap<>();
			view.put("id", route.getRouteId());
			view.put("source", this.files.fileOf(route.getRouteId()).map(file -> "file:" + file).orElse("java"));
			view.put("state", getContext().getRouteController().getRouteStatus(route.getRouteId()).name());
			view.put("from", route.getEndpoint().getEndpointBaseUri());
			RouteDefinition definition = model.getRouteDefinition(route.getRouteId());
			Map<String, Object> parameters = (definition != null) ? definition.getTemplateParameters() : null;
			if (parameters != null && parameters.containsKey("queue")) {
				Map<String, Object> redelivery = new LinkedHashMap<>();
				POLICY.forEach(name -> redelivery.put(name, parameters.get(name)));
				view.put("queue", parameters.get("queue"));
				view.put("bindings", parameters.get("bindings"));
				view.put("redelivery", redelivery);
				view.put("handled", count("eventhub.consumer.handled", route.getRouteId()));
				view.put("failed", count("eventhub.consumer.failed", route.getRouteId()));
			}
			routes.add(view);
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("routes", routes);
		body.put("folder", this.files.folderStatus());
		body.put("files", this.files.results());
		json(exchange, 200, body);
	}

	private void control(Exchange exchange, boolean start) throws Exception {
		if (!Callers.requireAdmin(exchange)) {
			return;
		}
		String routeId = exchange.getMessage().getHeader("routeId", String.class);
		exchange.getMessage().removeHeaders("*");
		if (routeId == null || getContext().getRoute(routeId) == null) {
			HttpAnswers.problem(exchange, 404, "Not Found", "No such route.");
			return;
		}
		if (routeId.startsWith(OWN_ROUTES)) {
			// Stopping the route operations themselves would leave no way to start
			// anything again.
			HttpAnswers.problem(exchange, 409, "Conflict",
					"Route " + routeId + " serves this API and cannot be stopped.");
			return;
		}
		if (start) {
			getContext().getRouteController().startRoute(routeId);
		}
		else {
			getContext().getRouteController().stopRoute(routeId);
		}
		json(exchange, 200,
				Map.of("id", routeId, "state", getContext().getRouteController().getRouteStatus(routeId).name()));
	}

	private double count(String meter, String routeId) {
		Counter counter = this.meters.find(meter).tag("route", routeId).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static void json(Exchange exchange, int status, Object body) {
		HttpAnswers.json(exchange, status, body);
	}

}
