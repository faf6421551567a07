package com.ecommerce.eventhub.routes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.ecommerce.eventhub.config.RoutesProperties;
import com.ecommerce.eventhub.web.Callers;
import com.ecommerce.eventhub.web.HttpAnswers;
import org.apache.camel.Exchange;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;

import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * The route folder watcher ({@code routes-file-watcher}, every
 * {@code hub.routes.poll-interval}) and the route operations: {@code GET /api/v1/routes},
 * {@code POST /api/v1/routes/{id}/stop} and {@code /start} (admin API keys; each stop and
 * start in the audit trail). There is deliberately no endpoint that uploads route code.
 */
@Component
class RouteOpsRoutes extends EndpointRouteBuilder {

	private final RouteFiles files;

	private final RouteCatalog catalog;

	private final RouteControl control;

	private final RoutesProperties properties;

	RouteOpsRoutes(RouteFiles files, RouteCatalog catalog, RouteControl control, RoutesProperties properties) {
		this.files = files;
		this.catalog = catalog;
		this.control = control;
		this.properties = properties;
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

	private void list(Exchange exchange) {
		if (!Callers.requireAdmin(exchange)) {
			return;
		}
		List<Map<String, Object>> routes = new ArrayList<>();
		for (RouteView route : this.catalog.routes()) {
			Map<String, Object> view = new LinkedHashMap<>();
			view.put("id", route.id());
			view.put("source", route.source());
			view.put("state", route.state());
			view.put("from", route.from());
			if (route.consumer()) {
				view.put("queue", route.queue());
				view.put("bindings", route.bindings());
				view.put("redelivery", route.redelivery());
				view.put("handled", route.handled());
				view.put("failed", route.failed());
			}
			routes.add(view);
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("routes", routes);
		body.put("folder", this.catalog.folder());
		body.put("files", this.catalog.reloads());
		HttpAnswers.json(exchange, 200, body);
	}

	private void control(Exchange exchange, boolean start) throws Exception {
		if (!Callers.requireAdmin(exchange)) {
			return;
		}
		String actor = Callers.require(exchange).name();
		String routeId = exchange.getMessage().getHeader("routeId", String.class);
		exchange.getMessage().removeHeaders("*");
		String state;
		try {
			state = this.control.control(actor, "api", routeId, start);
		}
		catch (RouteControl.NoSuchRouteException ex) {
			HttpAnswers.problem(exchange, 404, "Not Found", ex.getMessage());
			return;
		}
		catch (RouteControl.ProtectedRouteException ex) {
			HttpAnswers.problem(exchange, 409, "Conflict", ex.getMessage());
			return;
		}
		catch (DataAccessException ex) {
			HttpAnswers.problem(exchange, 503, "Service Unavailable",
					"The audit trail cannot be written (database unavailable): nothing was done. Try again.");
			return;
		}
		HttpAnswers.json(exchange, 200, Map.of("id", routeId, "state", state));
	}

}
