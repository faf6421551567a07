package com.ecommerce.eventhub.routes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;

import org.springframework.stereotype.Component;

/**
 * The routes of the running hub as {@code GET /api/v1/routes} and the console list them:
 * each with its source, state and, for hub consumers (routes of the {@code hub-consumer}
 * template, Java or YAML), queue, redelivery policy and counters; and the last reload of
 * every route file.
 */
@Component
public class RouteCatalog {

	private static final List<String> POLICY = List.of("maximumAttempts", "initialDelay", "multiplier", "maxDelay",
			"attemptTimeout");

	private final CamelContext camel;

	private final RouteFiles files;

	private final MeterRegistry meters;

	RouteCatalog(CamelContext camel, RouteFiles files, MeterRegistry meters) {
		this.camel = camel;
		this.files = files;
		this.meters = meters;
	}

	/** Every route, in the order Camel holds them. */
	public List<RouteView> routes() {
		List<RouteView> routes = new ArrayList<>();
		for (Route route : this.camel.getRoutes()) {
			routes.add(view(route));
		}
		return routes;
	}

	/**
	 * @param routeId a route id
	 * @return the route, empty when there is none of that id
	 */
	public Optional<RouteView> route(String routeId) {
		Route route = (routeId != null) ? this.camel.getRoute(routeId) : null;
		return (route != null) ? Optional.of(view(route)) : Optional.empty();
	}

	/** The last reload result of every route file, by file name. */
	public Collection<ReloadResult> reloads() {
		return this.files.results();
	}

	/** The routes folder's state: path, whether it is readable, the problem if not. */
	public Map<String, Object> folder() {
		return this.files.folderStatus();
	}

	private RouteView view(Route route) {
		String id = route.getRouteId();
		String source = this.files.fileOf(id).map(file -> "file:" + file).orElse("java");
		String state = this.camel.getRouteController().getRouteStatus(id).name();
		String from = route.getEndpoint().getEndpointBaseUri();
		Model model = this.camel.getCamelContextExtension().getContextPlugin(Model.class);
		RouteDefinition definition = model.getRouteDefinition(id);
		Map<String, Object> parameters = (definition != null) ? definition.getTemplateParameters() : null;
		if (parameters == null || !parameters.containsKey("queue")) {
			return new RouteView(id, source, state, from, null, null, false, 0, null, 0, 0);
		}
		Map<String, Object> redelivery = new LinkedHashMap<>();
		POLICY.forEach(name -> redelivery.put(name, parameters.get(name)));
		return new RouteView(id, source, state, from, String.valueOf(parameters.get("queue")),
				(parameters.get("bindings") != null) ? parameters.get("bindings").toString() : "",
				Boolean.parseBoolean(String.valueOf(parameters.get("ordered"))),
				number(parameters.get("partitions"), 1), redelivery, count("eventhub.consumer.handled", id),
				count("eventhub.consumer.failed", id));
	}

	private static int number(Object value, int fallback) {
		try {
			return (value != null) ? Integer.parseInt(value.toString().trim()) : fallback;
		}
		catch (NumberFormatException ex) {
			return fallback;
		}
	}

	private double count(String meter, String routeId) {
		Counter counter = this.meters.find(meter).tag("route", routeId).counter();
		return (counter != null) ? counter.count() : 0;
	}

}
